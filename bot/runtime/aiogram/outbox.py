"""The core's actions carried out with aiogram (the queue, retries and refusals are shared)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
)

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

__all__ = ["AiogramOutbox"]

_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


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


class AiogramOutbox(QueuedOutbox):
    def __init__(self, bot: Bot, *, max_retries: int = 8, max_wait_s: float = 60.0) -> None:
        super().__init__(max_retries=max_retries, max_wait_s=max_wait_s)
        self._bot = bot

    def judge(self, exc: Exception) -> Verdict | None:
        match exc:
            case TelegramRetryAfter():
                return WaitAndRetry(float(exc.retry_after))
            case TelegramForbiddenError():
                return classify_refusal(exc.message, forbidden=True)
            case TelegramBadRequest():
                return classify_refusal(exc.message)
            case TelegramServerError() | TelegramNetworkError():
                return Backoff(str(exc))
            case TelegramAPIError():  # a migrated group, a conflict, a bad token: not retryable
                return Failed(Failure.OTHER, exc.message)
        return None

    async def send(self, action: SendText, text: str, *, with_keyboard: bool) -> Done:
        sent = await self._bot.send_message(
            chat_id=action.chat_id,
            text=text,
            parse_mode="HTML",
            reply_markup=_markup(action.keyboard) if with_keyboard else None,
            message_thread_id=action.thread_id,
            reply_to_message_id=action.reply_to,
            link_preview_options=_NO_PREVIEW,
        )
        return Done(message_ids=(sent.message_id,))

    async def send_photo(self, action: SendPhoto) -> Done:
        sent = await self._bot.send_photo(
            chat_id=action.chat_id,
            photo=BufferedInputFile(action.photo, filename=action.filename),
            caption=action.caption or None,
            parse_mode="HTML",
            message_thread_id=action.thread_id,
            reply_to_message_id=action.reply_to,
        )
        return Done(message_ids=(sent.message_id,))

    async def answer(self, action: AnswerButton) -> Done:
        await self._bot.answer_callback_query(
            action.callback_id, text=action.text, show_alert=action.alert
        )
        return Done()

    async def edit_text(self, action: EditText, text: str) -> Done:
        await self._bot.edit_message_text(
            chat_id=action.chat_id,
            message_id=action.message_id,
            text=text,
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
                reply_to_message_id=action.reply_to,
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
