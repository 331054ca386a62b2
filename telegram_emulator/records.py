"""Typed, read-only views of what happened: API calls made by the bot and messages in chats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ApiCall", "Button", "CallbackAnswer", "ChatMessage"]

_MEDIA_KINDS = (
    "photo",
    "document",
    "voice",
    "video",
    "video_note",
    "sticker",
    "audio",
    "animation",
    "location",
    "contact",
)
_SERVICE_KEYS = (
    "forum_topic_created",
    "forum_topic_edited",
    "forum_topic_closed",
    "forum_topic_reopened",
)


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made: its parameters (JSON values decoded) and the answer it got."""

    seq: int
    method: str
    params: dict[str, Any]
    files: tuple[str, ...]
    ok: bool
    result: Any = None
    error_code: int | None = None
    description: str | None = None
    via_webhook_reply: bool = False
    # the bot had closed the connection before the answer came (a long poll it gave up on):
    # nobody read this answer, so an error here is no error the bot saw
    unread: bool = False

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        return value if isinstance(value, int | str) else None


@dataclass(frozen=True)
class Button:
    """An inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    """How the bot answered a button press (``answerCallbackQuery``)."""

    query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass(frozen=True)
class ChatMessage:
    """A message as its chat sees it; ``raw`` is the Bot API ``Message`` object."""

    chat_id: int
    message_id: int
    thread_id: int | None
    from_bot: bool
    sender_id: int | None
    kind: str
    text: str | None
    caption: str | None
    date: int
    edited: bool
    reply_to_message_id: int | None
    media_group_id: str | None
    file_id: str | None
    buttons: tuple[tuple[Button, ...], ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def content(self) -> str:
        """The text or the caption, whichever the message carries ("" for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    @classmethod
    def from_raw(cls, raw: dict[str, Any], *, bot_id: int) -> ChatMessage:
        sender = raw.get("from") or {}
        kind = "text" if "text" in raw else "unknown"
        file_id: str | None = None
        for key in _MEDIA_KINDS:
            if key in raw:
                kind = key
                media = raw[key]
                if isinstance(media, list):
                    file_id = media[-1]["file_id"]
                elif isinstance(media, dict):
                    file_id = media.get("file_id")
                break
        for key in _SERVICE_KEYS:
            if key in raw:
                kind = key
        keyboard = (raw.get("reply_markup") or {}).get("inline_keyboard") or []
        buttons = tuple(
            tuple(Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row)
            for row in keyboard
        )
        reply = raw.get("reply_to_message")
        return cls(
            chat_id=raw["chat"]["id"],
            message_id=raw["message_id"],
            thread_id=raw.get("message_thread_id") if raw.get("is_topic_message") else None,
            from_bot=sender.get("id") == bot_id,
            sender_id=sender.get("id"),
            kind=kind,
            text=raw.get("text"),
            caption=raw.get("caption"),
            date=raw["date"],
            edited="edit_date" in raw,
            reply_to_message_id=(
                reply["message_id"] if reply and "forum_topic_created" not in reply else None
            ),
            media_group_id=raw.get("media_group_id"),
            file_id=file_id,
            buttons=buttons,
            raw=raw,
        )
