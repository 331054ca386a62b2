"""Plain outgoing actions and the port that carries them out.

The core describes what to do (send this text with these buttons, copy that message into a topic);
a runtime adapter's :class:`Outbox` turns each action into API calls and reports a plain result.
Failures Telegram reports are results, not exceptions: a blocked customer is a state to record.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "Action",
    "AnswerButton",
    "Button",
    "CloseTopic",
    "CopyMessages",
    "CreateTopic",
    "DeleteMessage",
    "Done",
    "EditKeyboard",
    "EditText",
    "Failed",
    "Failure",
    "Keyboard",
    "Outbox",
    "ReopenTopic",
    "Result",
    "SendPhoto",
    "SendText",
]


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str | None = None  # callback data, ≤ 64 bytes
    url: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class SendText:
    """Telegram HTML text; the outbox splits it at Telegram's length limit."""

    chat_id: int
    text: str
    keyboard: Keyboard = ()
    thread_id: int | None = None
    reply_to: int | None = None


@dataclass(frozen=True, slots=True)
class SendPhoto:
    """An image made by the bot (a PNG chart) with a Telegram HTML caption (≤ 1024 characters)."""

    chat_id: int
    photo: bytes = field(repr=False)
    caption: str = ""
    thread_id: int | None = None
    reply_to: int | None = None
    filename: str = "chart.png"


@dataclass(frozen=True, slots=True)
class EditText:
    chat_id: int
    message_id: int
    text: str
    keyboard: Keyboard = ()


@dataclass(frozen=True, slots=True)
class EditKeyboard:
    chat_id: int
    message_id: int
    keyboard: Keyboard = ()


@dataclass(frozen=True, slots=True)
class DeleteMessage:
    chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class AnswerButton:
    callback_id: str
    text: str | None = None
    alert: bool = False


@dataclass(frozen=True, slots=True)
class CopyMessages:
    """Copy one message, or an album kept together, from one chat into another."""

    from_chat_id: int
    message_ids: tuple[int, ...]
    to_chat_id: int
    thread_id: int | None = None
    reply_to: int | None = None


@dataclass(frozen=True, slots=True)
class CreateTopic:
    chat_id: int
    name: str


@dataclass(frozen=True, slots=True)
class CloseTopic:
    chat_id: int
    thread_id: int


@dataclass(frozen=True, slots=True)
class ReopenTopic:
    """Reopen a closed forum topic (a reopened ticket continues in its own topic)."""

    chat_id: int
    thread_id: int


Action = (
    SendText
    | SendPhoto
    | EditText
    | EditKeyboard
    | DeleteMessage
    | AnswerButton
    | CopyMessages
    | CreateTopic
    | CloseTopic
    | ReopenTopic
)


class Failure(enum.StrEnum):
    BLOCKED = "blocked"  # 403: the user blocked the bot or deactivated
    THREAD_NOT_FOUND = "thread_not_found"  # the forum topic was deleted
    NOT_MODIFIED = "not_modified"  # an edit that changes nothing
    TOO_LONG = "too_long"  # text or caption over Telegram's limit
    NOT_FOUND = "not_found"  # the message to edit/copy/delete is gone
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Done:
    """Success: the ids of the messages created (several when text was split), or a topic id."""

    message_ids: tuple[int, ...] = ()
    thread_id: int | None = None


@dataclass(frozen=True, slots=True)
class Failed:
    reason: Failure
    description: str = ""


Result = Done | Failed


class Outbox(Protocol):
    async def __call__(self, action: Action) -> Result: ...


@dataclass
class RecordingOutbox:
    """An outbox that only records; results count message ids per chat. Used by tests and `chat`."""

    actions: list[Action] = field(default_factory=list)
    _next_id: dict[int, int] = field(default_factory=dict)
    _next_thread: int = 1000

    async def __call__(self, action: Action) -> Result:
        self.actions.append(action)
        if isinstance(action, SendText | SendPhoto | CopyMessages):
            count = len(action.message_ids) if isinstance(action, CopyMessages) else 1
            chat = action.to_chat_id if isinstance(action, CopyMessages) else action.chat_id
            first = self._next_id.get(chat, 1)
            self._next_id[chat] = first + count
            return Done(message_ids=tuple(range(first, first + count)))
        if isinstance(action, CreateTopic):
            self._next_thread += 1
            return Done(thread_id=self._next_thread)
        return Done()
