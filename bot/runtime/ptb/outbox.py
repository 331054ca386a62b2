"""The core's actions carried out with python-telegram-bot (the queue, retries and refusals
are shared with the aiogram runtime)."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    LinkPreviewOptions,
    ReplyParameters,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.core.actions import (
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
    ReopenTopic,
    SendPhoto,
    SendText,
)
from bot.runtime import Backoff, QueuedOutbox, Verdict, WaitAndRetry, classify_refusal

__all__ = ["PtbOutbox"]

log = logging.getLogger(__name__)
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(button.text, url=button.url)
                if button.url
                else InlineKeyboardButton(button.text, callback_data=button.data or "-")
                for button in row
            ]
            for row in keyboard
        ]
    )


def _reply(message_id: int | None) -> ReplyParameters | None:
    return ReplyParameters(message_id) if message_id is not None else None


def _seconds(exc: RetryAfter) -> float:
    # an int today, a timedelta once PTB_TIMEDELTA is on (PTB's announced next major)
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PtbOutbox(QueuedOutbox):
    def __init__(self, bot: Bot, *, max_retries: int = 8, max_wait_s: float = 60.0) -> None:
        super().__init__(max_retries=max_retries, max_wait_s=max_wait_s)
        self._bot = bot

    def judge(self, exc: Exception) -> Verdict | None:
        match exc:
            case RetryAfter():
                return WaitAndRetry(_seconds(exc))
            case Forbidden():
                return classify_refusal(exc.message, forbidden=True)
            case BadRequest():  # before NetworkError: PTB derives it from NetworkError
                return classify_refusal(exc.message)
            case NetworkError():  # TimedOut, connection errors, 5xx
                return Backoff(exc.message)
            case TelegramError():  # a migrated chat, a conflict: nothing a retry fixes
                return Failed(Failure.OTHER, exc.message)
        return None

    async def send(self, action: SendText, text: str, *, with_keyboard: bool) -> Done:
        sent = await self._bot.send_message(
            chat_id=action.chat_id,
            text=text,
            parse_mode="HTML",
            reply_markup=_markup(action.keyboard) if with_keyboard else None,
            message_thread_id=action.thread_id,
            reply_parameters=_reply(action.reply_to),
            link_preview_options=_NO_PREVIEW,
        )
        return Done(message_ids=(sent.message_id,))

    async def send_photo(self, action: SendPhoto) -> Done:
        sent = await self._bot.send_photo(
            chat_id=action.chat_id,
            photo=InputFile(action.photo, filename=action.filename),
            caption=action.caption or None,
            parse_mode="HTML",
            message_thread_id=action.thread_id,
            reply_parameters=_reply(action.reply_to),
        )
        return Done(message_ids=(sent.message_id,))

    async def answer(self, action: AnswerButton) -> Done:
        await self._bot.answer_callback_query(
            action.callback_id, text=action.text, show_alert=action.alert
        )
        return Done()

    async def edit_text(self, action: EditText, text: str) -> Done:
        await self._bot.edit_message_text(
            text,
            chat_id=action.chat_id,
            message_id=action.message_id,
            parse_mode="HTML",
            reply_markup=_markup(action.keyboard),
            link_preview_options=_NO_PREVIEW,
        )
        return Done(message_ids=(action.message_id,))

    async def edit_keyboard(self, action: EditKeyboard) -> Done:
        await self._bot.edit_message_reply_markup(
            chat_id=action.chat_id,
            message_id=action.message_id,
            reply_markup=_markup(action.keyboard),
        )
        return Done(message_ids=(action.message_id,))

    async def delete(self, action: DeleteMessage) -> Done:
        await self._bot.delete_message(action.chat_id, action.message_id)
        return Done()

    async def copy(self, action: CopyMessages) -> Done:
        if len(action.message_ids) == 1:
            copied = await self._bot.copy_message(
                chat_id=action.to_chat_id,
                from_chat_id=action.from_chat_id,
                message_id=action.message_ids[0],
                message_thread_id=action.thread_id,
                reply_parameters=_reply(action.reply_to),
            )
            return Done(message_ids=(copied.message_id,))
        album = await self._bot.copy_messages(
            chat_id=action.to_chat_id,
            from_chat_id=action.from_chat_id,
            message_ids=list(action.message_ids),
            message_thread_id=action.thread_id,
        )
        return Done(message_ids=tuple(item.message_id for item in album))

    async def create_topic(self, action: CreateTopic) -> Done:
        topic = await self._bot.create_forum_topic(action.chat_id, action.name[:128])
        return Done(thread_id=topic.message_thread_id)

    async def close_topic(self, action: CloseTopic) -> Done:
        await self._bot.close_forum_topic(action.chat_id, action.thread_id)
        return Done()

    async def reopen_topic(self, action: ReopenTopic) -> Done:
        await self._bot.reopen_forum_topic(action.chat_id, action.thread_id)
        return Done()
