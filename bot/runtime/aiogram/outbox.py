"""The core's actions carried out with aiogram, through a per-chat send queue.

Each chat's sends run one at a time in order; a 429 waits the ``retry_after`` Telegram asked for
and tries again (the message is never dropped or overtaken); Telegram's refusals become
:class:`Failed` results the core understands (a blocked customer, a deleted topic…).
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions

from bot.core.actions import (
    Action,
    AnswerButton,
    CloseTopic,
    CopyMessages,
    CreateTopic,
    DeleteMessage,
    Done,
    EditKeyboard,
    EditText,
    Failed,
    Failure,
    Keyboard,
    Result,
    SendText,
)
from bot.core.split import split_html
from bot.runtime.shared import classify_refusal

__all__ = ["AiogramOutbox"]

log = logging.getLogger(__name__)
T = TypeVar("T")


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=button.text, url=button.url)
                if button.url
                else InlineKeyboardButton(text=button.text, callback_data=button.data or "-")
                for button in row
            ]
            for row in keyboard
        ]
    )


def _failure(exc: TelegramBadRequest | TelegramForbiddenError) -> Failed:
    return classify_refusal(exc.message, forbidden=isinstance(exc, TelegramForbiddenError))


class AiogramOutbox:
    """Executes core actions; ``max_retries`` bounds 429s and network errors per call."""

    def __init__(self, bot: Bot, *, max_retries: int = 8, max_wait_s: float = 60.0) -> None:
        self._bot = bot
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._max_retries = max_retries
        self._max_wait_s = max_wait_s

    async def __call__(self, action: Action) -> Result:
        if isinstance(action, AnswerButton):
            return await self._call(lambda: self._answer(action))
        chat = action.to_chat_id if isinstance(action, CopyMessages) else action.chat_id
        async with self._locks[chat]:
            return await self._run(action)

    async def _answer(self, action: AnswerButton) -> Result:
        await self._bot.answer_callback_query(
            action.callback_id, text=action.text, show_alert=action.alert
        )
        return Done()

    async def _run(self, action: Action) -> Result:
        bot = self._bot
        match action:
            case SendText():
                ids: list[int] = []
                parts = split_html(action.text)
                for index, part in enumerate(parts):
                    last = index == len(parts) - 1
                    result = await self._call(self._sender(action, part, last))
                    if isinstance(result, Failed):
                        return result if not ids else Done(message_ids=tuple(ids))
                    ids.extend(result.message_ids)
                return Done(message_ids=tuple(ids))
            case EditText():
                return await self._call(lambda: self._edit_text(action))
            case EditKeyboard():
                return await self._call(lambda: self._edit_keyboard(action))
            case DeleteMessage():
                return await self._call(lambda: self._delete(action))
            case CopyMessages():
                return await self._call(lambda: self._copy(action))
            case CreateTopic():
                return await self._call(lambda: self._create_topic(action))
            case CloseTopic():
                return await self._call(
                    lambda: self._ok(bot.close_forum_topic(action.chat_id, action.thread_id))
                )
        raise TypeError(f"unknown action {action!r}")  # pragma: no cover - exhaustive match

    def _sender(self, action: SendText, text: str, last: bool) -> Callable[[], Awaitable[Result]]:
        return lambda: self._send(action, text, last)

    async def _send(self, action: SendText, text: str, last: bool) -> Result:
        sent = await self._bot.send_message(
            chat_id=action.chat_id,
            text=text,
            parse_mode="HTML",
            reply_markup=_markup(action.keyboard) if last else None,
            message_thread_id=action.thread_id,
            reply_to_message_id=action.reply_to,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return Done(message_ids=(sent.message_id,))

    async def _edit_text(self, action: EditText) -> Result:
        await self._bot.edit_message_text(
            chat_id=action.chat_id,
            message_id=action.message_id,
            text=split_html(action.text)[0],
            parse_mode="HTML",
            reply_markup=_markup(action.keyboard),
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return Done(message_ids=(action.message_id,))

    async def _edit_keyboard(self, action: EditKeyboard) -> Result:
        await self._bot.edit_message_reply_markup(
            chat_id=action.chat_id,
            message_id=action.message_id,
            reply_markup=_markup(action.keyboard),
        )
        return Done(message_ids=(action.message_id,))

    async def _delete(self, action: DeleteMessage) -> Result:
        await self._bot.delete_message(action.chat_id, action.message_id)
        return Done()

    async def _copy(self, action: CopyMessages) -> Result:
        if len(action.message_ids) == 1:
            copied = await self._bot.copy_message(
                chat_id=action.to_chat_id,
                from_chat_id=action.from_chat_id,
                message_id=action.message_ids[0],
                message_thread_id=action.thread_id,
                reply_to_message_id=action.reply_to,
            )
            return Done(message_ids=(copied.message_id,))
        ids = await self._bot.copy_messages(
            chat_id=action.to_chat_id,
            from_chat_id=action.from_chat_id,
            message_ids=list(action.message_ids),
            message_thread_id=action.thread_id,
        )
        return Done(message_ids=tuple(item.message_id for item in ids))

    async def _create_topic(self, action: CreateTopic) -> Result:
        topic = await self._bot.create_forum_topic(action.chat_id, action.name[:128])
        return Done(thread_id=topic.message_thread_id)

    @staticmethod
    async def _ok(call: Awaitable[object]) -> Result:
        await call
        return Done()

    async def _call(self, attempt: Callable[[], Awaitable[Result]]) -> Result:
        for tries in range(self._max_retries + 1):
            try:
                return await attempt()
            except TelegramRetryAfter as exc:
                wait = min(float(exc.retry_after), self._max_wait_s)
                log.warning("Telegram asked to wait %.0fs (429); retrying", wait)
                await asyncio.sleep(wait)
            except (TelegramServerError, TelegramNetworkError) as exc:
                if tries == self._max_retries:
                    return Failed(Failure.OTHER, str(exc))
                await asyncio.sleep(min(2.0**tries * 0.2, 5.0))
            except (TelegramBadRequest, TelegramForbiddenError) as exc:
                return _failure(exc)
        return Failed(Failure.OTHER, "gave up after repeated 429 / server errors")
