"""Plain domain records shared by the core, the hand-off logic and the storage that persists them.

Frozen dataclasses, no ORM and no Telegram: storage maps rows to these, everything else reads them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import datetime

from handoff.dialog import DialogState

__all__ = [
    "KEEP",
    "Arrival",
    "Arriving",
    "Conversation",
    "Customer",
    "DeadLetter",
    "Decision",
    "Direction",
    "Keep",
    "NewMessage",
    "NewTicket",
    "PendingWork",
    "Priority",
    "RelayLink",
    "StoredMessage",
    "SurveyAnswer",
    "TakeResult",
    "Ticket",
    "TicketChanges",
    "TicketStatus",
]


class Direction(enum.StrEnum):
    """Who a stored message came from and where it went."""

    CUSTOMER = "customer"  # customer → bot
    BOT = "bot"  # bot → customer (answers, prompts)
    OPERATOR = "operator"  # operator → customer (relayed)
    NOTE = "note"  # internal operator note, never shown to the customer
    SYSTEM = "system"  # bot → operator group (cards, notices)


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    TAKEN = "taken"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        return self in (TicketStatus.WAITING, TicketStatus.TAKEN)


class Priority(enum.IntEnum):
    """Higher value = more urgent; the queue sorts by it, then by age."""

    NORMAL = 0
    HIGH = 1
    URGENT = 2

    @classmethod
    def parse(cls, name: str) -> Priority:
        return cls[name.upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    telegram_id: int
    chat_id: int
    name: str
    username: str | None
    language: str
    language_chosen: bool  # True once the customer picked a language themselves
    blocked: bool  # the customer blocked the bot (403) or left the chat
    created_at: datetime
    state: DialogState = field(default_factory=DialogState)


@dataclass(frozen=True, slots=True)
class Conversation:
    id: int
    customer_id: int
    started_at: datetime
    last_message_at: datetime
    resolved_by_bot: bool


@dataclass(frozen=True, slots=True)
class Arriving:
    """A customer's update as it arrives (:meth:`~handoff.ports.UnitOfWork.arrive`): who wrote,
    in which chat, when, and after how long a silence their next message starts a new
    conversation."""

    update_id: int
    telegram_id: int
    chat_id: int
    name: str
    username: str | None
    language: str  # their Telegram language, kept unless they chose one
    now: datetime
    idle_after_s: int


@dataclass(frozen=True, slots=True)
class Arrival:
    """What a customer's first update of a handling finds: the customer (created or refreshed),
    their current conversation (``last_message_at`` moved to the arrival) and their newest
    ticket, open or not (a customer has at most one open ticket, and it is their newest)."""

    customer: Customer
    conversation: Conversation
    last_ticket: Ticket | None


@dataclass(frozen=True, slots=True)
class NewMessage:
    """A message to record: every message in and out, with its Telegram ids."""

    conversation_id: int
    direction: Direction
    chat_id: int
    telegram_message_id: int | None
    text: str | None
    created_at: datetime
    ticket_id: int | None = None
    media_kind: str | None = None  # photo, document, voice, video, sticker, ...
    media_file_id: str | None = None
    author_id: int | None = None  # operator's Telegram id for OPERATOR / NOTE
    author_name: str | None = None


@dataclass(frozen=True, slots=True)
class StoredMessage:
    id: int
    conversation_id: int
    direction: Direction
    chat_id: int
    telegram_message_id: int | None
    text: str | None
    created_at: datetime
    ticket_id: int | None
    media_kind: str | None
    media_file_id: str | None
    author_id: int | None
    author_name: str | None


@dataclass(frozen=True, slots=True)
class Ticket:
    id: int  # the ticket number operators see
    customer_id: int
    conversation_id: int
    status: TicketStatus
    priority: Priority
    line: int  # support line 1, 2 or 3
    language: str
    subject: str  # short topic, e.g. the matched intent's title or the first words
    intent: str | None
    confidence: float | None
    created_at: datetime
    operator_id: int | None = None
    operator_name: str | None = None
    taken_at: datetime | None = None
    first_reply_at: datetime | None = None
    resolved_at: datetime | None = None
    group_chat_id: int | None = None  # where the card lives
    topic_id: int | None = None  # message_thread_id of the ticket's forum topic
    card_message_id: int | None = None
    previous_ticket_id: int | None = None
    reminded_at: datetime | None = None
    handoff_cause: str | None = None  # asked | low_confidence | not_helped | automatic


@dataclass(frozen=True, slots=True)
class NewTicket:
    """A ticket to create; it starts WAITING, without an operator or a place in a group."""

    customer_id: int
    conversation_id: int
    priority: Priority
    line: int
    language: str
    subject: str
    intent: str | None
    confidence: float | None
    created_at: datetime
    previous_ticket_id: int | None = None  # the customer's last ticket, when there was one


class Keep(enum.Enum):
    """The value of a :class:`TicketChanges` field that leaves the column as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True, slots=True)
class TicketChanges:
    """The plain ticket columns to set; a field left at :data:`KEEP` is not touched.

    Status, ``taken_at`` and ``resolved_at`` are not here: they move only through the take and
    the status change, which keep them consistent.
    """

    group_chat_id: int | Keep | None = KEEP
    topic_id: int | Keep | None = KEEP
    card_message_id: int | Keep | None = KEEP
    line: int | Keep = KEEP
    priority: Priority | Keep = KEEP
    first_reply_at: datetime | Keep | None = KEEP
    reminded_at: datetime | Keep | None = KEEP
    operator_id: int | Keep | None = KEEP
    operator_name: str | Keep | None = KEEP
    subject: str | Keep = KEEP
    handoff_cause: str | Keep | None = KEEP

    def values(self) -> dict[str, object]:
        """The fields to set, by column name."""
        return {
            spec.name: value
            for spec in fields(self)
            if (value := getattr(self, spec.name)) is not KEEP
        }


@dataclass(frozen=True, slots=True)
class TakeResult:
    """Outcome of an atomic take: ``won`` is False when someone else already had it."""

    ticket: Ticket
    won: bool


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    ticket_id: int
    csat: int | None  # 1..5
    solved: bool | None  # the first-contact-resolution signal
    comment: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Decision:
    """What the bot decided about one customer message; the basis of the bot's own metrics."""

    id: int
    conversation_id: int
    text: str
    language: str
    action: str  # answer | clarify | handoff | unknown (the matcher's action)
    intent: str | None
    article: str | None
    score: float
    created_at: datetime
    helped: bool | None = None  # the customer's feedback on an answer


@dataclass(frozen=True, slots=True)
class RelayLink:
    """A message copied from one chat to another, so replies and edits can follow it."""

    ticket_id: int
    source_chat_id: int
    source_message_id: int
    target_chat_id: int
    target_message_id: int


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An incoming update the bot could not handle, parked with its raw JSON and the error.

    ``retry_requested`` is set by an administrator (``supportbot dead-letters --retry``); the
    running bot then handles the update once more and removes the letter if that succeeds.
    """

    id: int
    update_id: int
    kind: str  # "message", "callback_query", … (the update's field); "unknown" if it has none
    chat_id: int | None
    private: bool  # it came from a private chat: a customer who was told to try again
    error: str
    raw: str  # the update's JSON as Telegram sent it
    attempts: int
    parked_at: datetime
    retry_requested: bool = False


@dataclass(frozen=True, slots=True)
class PendingWork:
    """Work an update left to do after its transaction committed (the transactional outbox).

    ``kind`` names the follow-up that carries it out and ``payload`` (JSON) its arguments; the
    row is stored in the same transaction as the state change that caused it and deleted once
    the work is done. ``steps`` are the Telegram calls already made for it (a step key → the
    result as JSON), so a resumed piece of work does not make them again.
    """

    id: int
    kind: str
    payload: str
    chat_id: int  # the lane it runs in: a private chat, or a group (with its topic)
    thread_id: int | None
    created_at: datetime
    steps: dict[str, str] = field(default_factory=dict)
