"""The storage contract the core and the hand-off logic depend on.

``storage`` implements it with SQLAlchemy; ``handoff.memory`` is the in-memory twin for fast tests.
One unit of work per incoming update owns the transaction: repositories never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Protocol, Self

from handoff.dialog import DialogState
from handoff.model import (
    Arrival,
    Arriving,
    Conversation,
    Customer,
    DeadLetter,
    Decision,
    NewMessage,
    NewTicket,
    PendingWork,
    RelayLink,
    StoredMessage,
    SurveyAnswer,
    TakeResult,
    Ticket,
    TicketChanges,
    TicketStatus,
)

__all__ = [
    "REDELIVERY_WINDOW",
    "ConversationRepository",
    "CustomerRepository",
    "DeadLetterRepository",
    "DecisionRepository",
    "MessageRepository",
    "OutboxRepository",
    "RelayRepository",
    "SurveyRepository",
    "TicketRepository",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "UpdateLog",
]


class CustomerRepository(Protocol):
    async def get(self, customer_id: int) -> Customer | None: ...
    async def get_by_telegram_id(self, telegram_id: int) -> Customer | None: ...
    async def upsert(
        self,
        *,
        telegram_id: int,
        chat_id: int,
        name: str,
        username: str | None,
        language: str,
        now: datetime,
    ) -> Customer:
        """Create the customer or refresh name/username; keeps a language the customer chose."""
        ...

    async def set_language(self, customer_id: int, language: str) -> None:
        """Marks the language as chosen by the customer (``language_chosen=True``)."""
        ...

    async def set_blocked(self, customer_id: int, blocked: bool) -> None: ...
    async def save_state(self, customer_id: int, state: DialogState) -> None: ...


class ConversationRepository(Protocol):
    async def get(self, conversation_id: int) -> Conversation | None: ...
    async def current(self, customer_id: int, *, now: datetime, idle_after_s: int) -> Conversation:
        """The customer's conversation, or a new one if the last message is older than the gap;
        either way its ``last_message_at`` is moved to ``now`` (never back), in the same
        statement, for the message about to be stored at ``now`` (which is then added with
        ``touch=False``)."""
        ...

    async def mark_resolved_by_bot(self, conversation_id: int) -> None: ...


class MessageRepository(Protocol):
    async def add(self, message: NewMessage, *, touch: bool = True) -> StoredMessage:
        """Store the message and move its conversation's ``last_message_at`` forward to it;
        ``touch=False`` when :meth:`ConversationRepository.current` already did."""
        ...

    async def add_all(self, messages: Sequence[NewMessage]) -> None:
        """Store several messages at once, as :meth:`add` does each (not read back): what
        many handlings record together costs a statement, not one per message."""
        ...

    async def for_conversation(self, conversation_id: int) -> Sequence[StoredMessage]:
        """Oldest first."""
        ...

    async def for_ticket(self, ticket_id: int) -> Sequence[StoredMessage]:
        """Oldest first."""
        ...

    async def find(self, chat_id: int, telegram_message_id: int) -> StoredMessage | None: ...


class TicketRepository(Protocol):
    async def create(self, ticket: NewTicket) -> Ticket:
        """Stores a WAITING ticket and returns it with its number."""
        ...

    async def get(self, ticket_id: int) -> Ticket | None: ...
    async def open_for_customer(self, customer_id: int) -> Ticket | None:
        """The customer's waiting or taken ticket, if any (there is at most one)."""
        ...

    async def last_for_customer(self, customer_id: int) -> Ticket | None:
        """The customer's most recent ticket in any state."""
        ...

    async def by_topic(self, group_chat_id: int, topic_id: int) -> Ticket | None:
        """The newest ticket bound to this forum topic."""
        ...

    async def by_card(self, group_chat_id: int, card_message_id: int) -> Ticket | None: ...
    async def take(
        self, ticket_id: int, *, operator_id: int, operator_name: str, now: datetime
    ) -> TakeResult | None:
        """Atomically assign a WAITING ticket (a conditional UPDATE, not an in-memory lock).

        Exactly one of several concurrent callers gets ``won=True``; the others get the ticket
        as it is (with its owner). None if the ticket does not exist.
        """
        ...

    async def set_status(self, ticket_id: int, status: TicketStatus, *, now: datetime) -> Ticket:
        """Moves the ticket; RESOLVED/CANCELLED set ``resolved_at``, WAITING (reopen) clears it."""
        ...

    async def update(self, ticket_id: int, changes: TicketChanges) -> Ticket:
        """Sets the plain columns ``changes`` names (no change at all is allowed)."""
        ...

    async def waiting(self) -> Sequence[Ticket]:
        """WAITING tickets, highest priority first, then oldest first."""
        ...

    async def open_tickets(self) -> Sequence[Ticket]:
        """WAITING and TAKEN tickets, oldest first."""
        ...

    async def recent_waits(self, *, since: datetime, limit: int = 50) -> Sequence[float]:
        """Seconds from created to taken of tickets taken since ``since``, newest first."""
        ...

    async def resolved_between(self, start: datetime, end: datetime) -> Sequence[Ticket]: ...
    async def created_between(self, start: datetime, end: datetime) -> Sequence[Ticket]: ...


class SurveyRepository(Protocol):
    async def get(self, ticket_id: int) -> SurveyAnswer | None: ...
    async def save(
        self,
        ticket_id: int,
        *,
        now: datetime,
        csat: int | None = None,
        solved: bool | None = None,
        comment: str | None = None,
    ) -> SurveyAnswer:
        """Creates the answer or fills in the given fields (None leaves a field as it was)."""
        ...

    async def between(self, start: datetime, end: datetime) -> Sequence[SurveyAnswer]: ...


class DecisionRepository(Protocol):
    async def add(
        self,
        *,
        conversation_id: int,
        text: str,
        language: str,
        action: str,
        intent: str | None,
        article: str | None,
        score: float,
        now: datetime,
    ) -> Decision: ...

    async def get(self, decision_id: int) -> Decision | None: ...
    async def set_feedback(self, decision_id: int, helped: bool) -> Decision | None: ...
    async def between(self, start: datetime, end: datetime) -> Sequence[Decision]: ...


class RelayRepository(Protocol):
    async def add(self, link: RelayLink) -> None: ...
    async def add_all(self, links: Sequence[RelayLink]) -> None:
        """:meth:`add` for several links in one statement."""
        ...

    async def by_source(self, chat_id: int, message_id: int) -> Sequence[RelayLink]: ...
    async def by_target(self, chat_id: int, message_id: int) -> RelayLink | None: ...


REDELIVERY_WINDOW = timedelta(hours=24)


class UpdateLog(Protocol):
    async def first_time(self, update_id: int, *, now: datetime) -> bool:
        """Records the update id; False if it was processed within ``REDELIVERY_WINDOW``
        (a redelivery). An older id is new again: after a week without updates Telegram
        chooses the next ids at random."""
        ...

    async def forget_before(self, cutoff: datetime) -> int:
        """Drop the ids recorded before ``cutoff`` (they can no longer be redeliveries);
        returns how many."""
        ...


class DeadLetterRepository(Protocol):
    """Updates the bot gave up on (``supportbot dead-letters`` lists them)."""

    async def park(
        self,
        *,
        update_id: int,
        kind: str,
        chat_id: int | None,
        private: bool,
        error: str,
        raw: str,
        attempts: int,
        now: datetime,
    ) -> DeadLetter: ...
    async def get(self, letter_id: int) -> DeadLetter | None: ...
    async def oldest(self, *, limit: int = 100) -> Sequence[DeadLetter]:
        """The parked updates, oldest first."""
        ...

    async def request_retry(self, letter_id: int) -> bool:
        """Ask the running bot to handle the update again; False if there is no such letter."""
        ...

    async def claim_retry(self, letter_id: int) -> bool:
        """Take a requested retry (clears the request); False if none is requested or another
        replica took it first."""
        ...

    async def retry_requested(self) -> Sequence[DeadLetter]: ...
    async def failed_again(self, letter_id: int, *, error: str, now: datetime) -> None:
        """A retry failed too: one more attempt, the new error, parked again now."""
        ...

    async def drop(self, letter_id: int) -> bool:
        """Forget a letter; False if there was none."""
        ...


class OutboxRepository(Protocol):
    """Work left to do after a commit, and the Telegram calls already made for it."""

    async def add(
        self, kind: str, payload: str, *, chat_id: int, thread_id: int | None, now: datetime
    ) -> int:
        """Store a piece of work in this unit of work's transaction; returns its id."""
        ...

    async def pending(
        self, *, created_before: datetime | None = None, limit: int = 100
    ) -> Sequence[PendingWork]:
        """Work not finished yet (with its steps), oldest first."""
        ...

    async def record_step(self, work_id: int, key: str, result: str) -> None:
        """Remember a call made for the work; nothing happens if the work was finished."""
        ...

    async def finish(self, work_id: int, *, steps: bool = True) -> None:
        """Delete the work and its steps (no error if it is gone already); ``steps=False``
        when none was recorded (one statement fewer)."""
        ...

    async def finish_all(self, work_ids: Sequence[int], *, with_steps: Sequence[int] = ()) -> None:
        """:meth:`finish` for several pieces of work in one statement (two when some of them,
        ``with_steps``, have recorded steps)."""
        ...


class UnitOfWork(Protocol):
    """One transaction: commits when the block exits cleanly, rolls back on an exception."""

    customers: CustomerRepository
    conversations: ConversationRepository
    messages: MessageRepository
    tickets: TicketRepository
    surveys: SurveyRepository
    decisions: DecisionRepository
    relays: RelayRepository
    updates: UpdateLog
    dead_letters: DeadLetterRepository
    outbox: OutboxRepository

    async def arrive(self, arriving: Arriving) -> Arrival | None:
        """A customer's update arrives: its id recorded (:meth:`UpdateLog.first_time`; None for
        a redelivery, and nothing else is done), the customer upserted
        (:meth:`CustomerRepository.upsert`), their conversation continued
        (:meth:`ConversationRepository.current`) and their newest ticket read
        (:meth:`TicketRepository.last_for_customer`). What every customer message and button
        press starts with, so the SQL unit of work does it in two statements on PostgreSQL,
        where each statement is a round trip (:func:`handoff.arrivals.arrive_step_by_step` is the
        same, one repository call after another; an arrival that waits for another transaction
        on the same customer sees what that one committed, either way)."""
        ...

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...
