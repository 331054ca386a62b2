"""Plain incoming events: what a runtime adapter makes of a Telegram update.

No Telegram types cross this line; the core, the terminal chat and the tests all speak these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "ButtonPressed",
    "Event",
    "Media",
    "MembershipChanged",
    "MessageEdited",
    "MessageReceived",
    "Person",
]


@dataclass(frozen=True, slots=True)
class Person:
    telegram_id: int
    name: str
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class Media:
    """A non-text part of a message: ``kind`` is photo, document, voice, video, video_note,
    sticker, animation, audio, location or contact."""

    kind: str
    file_id: str | None = None
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class MessageReceived:
    update_id: int
    chat_id: int
    private: bool
    sender: Person
    message_id: int
    date: datetime
    text: str | None = None
    media: Media | None = None
    thread_id: int | None = None
    reply_to_message_id: int | None = None
    media_group_id: str | None = None
    # in a forum topic, a message that replies to no other message replies to the topic's
    # "topic created" service message: the topic's name, as it was created
    topic_name: str | None = None

    @property
    def command(self) -> str | None:
        """``start`` for ``/start`` or ``/start@bot payload``; None for anything else."""
        if not self.text or not self.text.startswith("/"):
            return None
        word = self.text[1:].split(maxsplit=1)[0] if len(self.text) > 1 else ""
        return word.split("@", 1)[0].lower() or None

    @property
    def command_args(self) -> str:
        if self.command is None or self.text is None:
            return ""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""


@dataclass(frozen=True, slots=True)
class MessageEdited:
    update_id: int
    chat_id: int
    private: bool
    sender: Person
    message_id: int
    date: datetime
    text: str | None = None
    caption: str | None = None
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    update_id: int
    callback_id: str
    chat_id: int
    private: bool
    sender: Person
    message_id: int | None
    data: str
    date: datetime
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class MembershipChanged:
    """The customer blocked the bot (``blocked=True``) or restarted it."""

    update_id: int
    chat_id: int
    sender: Person
    blocked: bool
    date: datetime


Event = MessageReceived | MessageEdited | ButtonPressed | MembershipChanged
