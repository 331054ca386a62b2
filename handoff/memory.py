"""The in-memory twin of :mod:`handoff.ports`, for fast tests of the core and the hand-off logic.

Same semantics as the SQL storage, checked by one shared contract suite: ``take`` is atomic (no
``await`` between the check and the change), ``first_time`` forgets an id whose unit of work rolled
back, lists come in the same order, timestamps come back as aware UTC, naive ones are refused.
Writes are visible to other units of work at once (no isolation); a rollback undoes them.
Like SQLite's writer gate, a unit of work opened inside another one in the same task is refused
with :class:`NestedUnitOfWork`, so fast tests catch what SQLite would refuse.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from handoff.model import (
    Conversation,
    Customer,
    Decision,
    NewMessage,
    Priority,
    RelayLink,
    StoredMessage,
    SurveyAnswer,
    TakeResult,
    Ticket,
    TicketStatus,
)
from handoff.ports import (
    REDELIVERY_WINDOW,
    ConversationRepository,
    CustomerRepository,
    DecisionRepository,
    MessageRepository,
    RelayRepository,
    SurveyRepository,
    TicketRepository,
    UnitOfWork,
    UpdateLog,
)

__all__ = ["InMemoryStore", "MemoryUnitOfWork", "NestedUnitOfWork"]

K = TypeVar("K")
V = TypeVar("V")
_MISSING: Any = object()
_OPEN = (TicketStatus.WAITING, TicketStatus.TAKEN)
_UPDATABLE = frozenset(
    {
        "group_chat_id",
        "topic_id",
        "card_message_id",
        "line",
        "priority",
        "first_reply_at",
        "reminded_at",
        "operator_id",
        "operator_name",
        "subject",
        "handoff_cause",
    }
)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: pass an aware (UTC) datetime")
    return value.astimezone(UTC)


def _opt_utc(value: object) -> object:
    return _utc(value) if isinstance(value, datetime) else value


class NestedUnitOfWork(RuntimeError):
    """A unit of work was opened inside another one in the same task (SQLite refuses that too)."""

    def __init__(self) -> None:
        super().__init__(
            "a unit of work was opened inside another one in the same task; with SQLite "
            "that would wait for itself. Finish the first unit of work before the next."
        )


def _missing(what: str, key: object) -> LookupError:
    return LookupError(f"{what} {key} does not exist")


@dataclass
class InMemoryStore:
    """Committed and in-flight data of every unit of work, in plain dicts."""

    customers: dict[int, Customer] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    surveys: dict[int, SurveyAnswer] = field(default_factory=dict)
    decisions: dict[int, Decision] = field(default_factory=dict)
    relays: dict[tuple[int, int], RelayLink] = field(default_factory=dict)
    updates: dict[int, datetime] = field(default_factory=dict)
    _last_id: int = 0
    _busy: set[asyncio.Task[Any]] = field(default_factory=set, repr=False, compare=False)

    def next_id(self) -> int:
        self._last_id += 1  # like a database sequence: ids are not reused after a rollback
        return self._last_id

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


class _Tx:
    """Writes through to the store, remembering how to undo each one."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self._undo: list[Callable[[], None]] = []

    def put(self, table: dict[K, V], key: K, value: V) -> V:
        old = table.get(key, _MISSING)

        def undo() -> None:
            if old is _MISSING:
                del table[key]
            else:
                table[key] = old

        self._undo.append(undo)
        table[key] = value
        return value

    def drop(self, table: dict[K, V], key: K) -> None:
        old = table.pop(key)
        self._undo.append(lambda: table.__setitem__(key, old))

    def commit(self) -> None:
        self._undo.clear()

    def rollback(self) -> None:
        while self._undo:
            self._undo.pop()()


class MemoryUnitOfWork:
    """``async with`` keeps the writes on a clean exit and undoes them on an exception."""

    customers: CustomerRepository
    conversations: ConversationRepository
    messages: MessageRepository
    tickets: TicketRepository
    surveys: SurveyRepository
    decisions: DecisionRepository
    relays: RelayRepository
    updates: UpdateLog

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._tx: _Tx | None = None
        self._task: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> Self:
        if self._tx is not None:
            raise RuntimeError("a unit of work is used once; ask the store for a new one")
        task = asyncio.current_task()
        if task is not None:
            if task in self._store._busy:
                raise NestedUnitOfWork
            self._store._busy.add(task)
            self._task = task
        tx = self._tx = _Tx(self._store)
        self.customers = _Customers(tx)
        self.conversations = _Conversations(tx)
        self.messages = _Messages(tx)
        self.tickets = _Tickets(tx)
        self.surveys = _Surveys(tx)
        self.decisions = _Decisions(tx)
        self.relays = _Relays(tx)
        self.updates = _Updates(tx)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tx is None:
            return
        if self._task is not None:
            self._store._busy.discard(self._task)
            self._task = None
        if exc is None:
            self._tx.commit()
        else:
            self._tx.rollback()


class _Repo:
    def __init__(self, tx: _Tx) -> None:
        self._tx = tx
        self._store = tx.store


class _Customers(_Repo):
    async def get(self, customer_id: int) -> Customer | None:
        found = self._store.customers.get(customer_id)
        return None if found is None else replace(found, state=json.loads(json.dumps(found.state)))

    async def get_by_telegram_id(self, telegram_id: int) -> Customer | None:
        for customer in self._store.customers.values():
            if customer.telegram_id == telegram_id:
                return await self.get(customer.id)
        return None

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
        found = await self.get_by_telegram_id(telegram_id)
        if found is None:
            customer = Customer(
                id=self._store.next_id(),
                telegram_id=telegram_id,
                chat_id=chat_id,
                name=name,
                username=username,
                language=language,
                language_chosen=False,
                blocked=False,
                created_at=_utc(now),
                state={},
            )
        else:
            language = found.language if found.language_chosen else language
            customer = replace(
                found, chat_id=chat_id, name=name, username=username, language=language
            )
        self._tx.put(self._store.customers, customer.id, customer)
        return await self._get(customer.id)

    async def set_language(self, customer_id: int, language: str) -> None:
        await self._change(customer_id, language=language, language_chosen=True)

    async def set_blocked(self, customer_id: int, blocked: bool) -> None:
        await self._change(customer_id, blocked=blocked)

    async def save_state(self, customer_id: int, state: dict[str, object]) -> None:
        await self._change(customer_id, state=json.loads(json.dumps(state)))  # as JSON would

    async def _get(self, customer_id: int) -> Customer:
        found = await self.get(customer_id)
        if found is None:
            raise _missing("customer", customer_id)
        return found

    async def _change(self, customer_id: int, **values: Any) -> None:
        updated = replace(await self._get(customer_id), **values)
        self._tx.put(self._store.customers, customer_id, updated)


class _Conversations(_Repo):
    async def get(self, conversation_id: int) -> Conversation | None:
        return self._store.conversations.get(conversation_id)

    async def current(self, customer_id: int, *, now: datetime, idle_after_s: int) -> Conversation:
        now = _utc(now)
        mine = [c for c in self._store.conversations.values() if c.customer_id == customer_id]
        latest = max(mine, key=lambda c: (c.last_message_at, c.id), default=None)
        if latest is not None and (now - latest.last_message_at).total_seconds() <= idle_after_s:
            return latest
        created = Conversation(
            id=self._store.next_id(),
            customer_id=customer_id,
            started_at=now,
            last_message_at=now,
            resolved_by_bot=False,
        )
        return self._tx.put(self._store.conversations, created.id, created)

    async def mark_resolved_by_bot(self, conversation_id: int) -> None:
        found = self._store.conversations.get(conversation_id)
        if found is None:
            raise _missing("conversation", conversation_id)
        self._tx.put(self._store.conversations, found.id, replace(found, resolved_by_bot=True))


class _Messages(_Repo):
    async def add(self, message: NewMessage) -> StoredMessage:
        created_at = _utc(message.created_at)
        stored = StoredMessage(
            id=self._store.next_id(),
            conversation_id=message.conversation_id,
            direction=message.direction,
            chat_id=message.chat_id,
            telegram_message_id=message.telegram_message_id,
            text=message.text,
            created_at=created_at,
            ticket_id=message.ticket_id,
            media_kind=message.media_kind,
            media_file_id=message.media_file_id,
            author_id=message.author_id,
            author_name=message.author_name,
        )
        conversation = self._store.conversations.get(message.conversation_id)
        if conversation is not None and conversation.last_message_at < created_at:
            moved = replace(conversation, last_message_at=created_at)
            self._tx.put(self._store.conversations, conversation.id, moved)
        return self._tx.put(self._store.messages, stored.id, stored)

    async def for_conversation(self, conversation_id: int) -> Sequence[StoredMessage]:
        return self._sorted(m for m in self._messages() if m.conversation_id == conversation_id)

    async def for_ticket(self, ticket_id: int) -> Sequence[StoredMessage]:
        return self._sorted(m for m in self._messages() if m.ticket_id == ticket_id)

    async def find(self, chat_id: int, telegram_message_id: int) -> StoredMessage | None:
        matches = [
            m
            for m in self._messages()
            if m.chat_id == chat_id and m.telegram_message_id == telegram_message_id
        ]
        return max(matches, key=lambda m: m.id, default=None)

    def _messages(self) -> Iterable[StoredMessage]:
        return self._store.messages.values()

    @staticmethod
    def _sorted(messages: Iterable[StoredMessage]) -> list[StoredMessage]:
        return sorted(messages, key=lambda m: (m.created_at, m.id))


class _Tickets(_Repo):
    async def create(
        self,
        *,
        customer_id: int,
        conversation_id: int,
        priority: Priority,
        line: int,
        language: str,
        subject: str,
        intent: str | None,
        confidence: float | None,
        now: datetime,
        previous_ticket_id: int | None = None,
    ) -> Ticket:
        ticket = Ticket(
            id=self._store.next_id(),
            customer_id=customer_id,
            conversation_id=conversation_id,
            status=TicketStatus.WAITING,
            priority=Priority(priority),
            line=line,
            language=language,
            subject=subject,
            intent=intent,
            confidence=confidence,
            created_at=_utc(now),
            previous_ticket_id=previous_ticket_id,
        )
        return self._tx.put(self._store.tickets, ticket.id, ticket)

    async def get(self, ticket_id: int) -> Ticket | None:
        return self._store.tickets.get(ticket_id)

    async def open_for_customer(self, customer_id: int) -> Ticket | None:
        return self._newest(
            t for t in self._all() if t.customer_id == customer_id and t.status.is_open
        )

    async def last_for_customer(self, customer_id: int) -> Ticket | None:
        return self._newest(t for t in self._all() if t.customer_id == customer_id)

    async def by_topic(self, group_chat_id: int, topic_id: int) -> Ticket | None:
        return self._newest(
            t for t in self._all() if t.group_chat_id == group_chat_id and t.topic_id == topic_id
        )

    async def by_card(self, group_chat_id: int, card_message_id: int) -> Ticket | None:
        return self._newest(
            t
            for t in self._all()
            if t.group_chat_id == group_chat_id and t.card_message_id == card_message_id
        )

    async def take(
        self, ticket_id: int, *, operator_id: int, operator_name: str, now: datetime
    ) -> TakeResult | None:
        # No await between the check and the write: atomic for every coroutine of this loop.
        ticket = self._store.tickets.get(ticket_id)
        if ticket is None:
            return None
        if ticket.status is not TicketStatus.WAITING:
            return TakeResult(ticket=ticket, won=False)
        taken = replace(
            ticket,
            status=TicketStatus.TAKEN,
            operator_id=operator_id,
            operator_name=operator_name,
            taken_at=_utc(now),
        )
        return TakeResult(ticket=self._tx.put(self._store.tickets, ticket_id, taken), won=True)

    async def set_status(self, ticket_id: int, status: TicketStatus, *, now: datetime) -> Ticket:
        values: dict[str, Any] = {"status": TicketStatus(status)}
        if status in (TicketStatus.RESOLVED, TicketStatus.CANCELLED):
            values["resolved_at"] = _utc(now)
        elif status is TicketStatus.WAITING:
            values["resolved_at"] = None
        return self._change(ticket_id, values)

    async def update(self, ticket_id: int, **fields: object) -> Ticket:
        unknown = sorted(set(fields) - _UPDATABLE)
        if unknown:
            raise ValueError(
                f"cannot update ticket field(s) {', '.join(unknown)}; "
                f"updatable: {', '.join(sorted(_UPDATABLE))}"
            )
        values: dict[str, Any] = {name: _opt_utc(value) for name, value in fields.items()}
        if values.get("priority") is not None:
            values["priority"] = Priority(values["priority"])
        return self._change(ticket_id, values)

    async def waiting(self) -> Sequence[Ticket]:
        waiting = [t for t in self._all() if t.status is TicketStatus.WAITING]
        return sorted(waiting, key=lambda t: (-t.priority, t.created_at, t.id))

    async def open_tickets(self) -> Sequence[Ticket]:
        return sorted(
            (t for t in self._all() if t.status.is_open), key=lambda t: (t.created_at, t.id)
        )

    async def recent_waits(self, *, since: datetime, limit: int = 50) -> Sequence[float]:
        since = _utc(since)
        taken = [t for t in self._all() if t.taken_at is not None and t.taken_at >= since]
        taken.sort(key=lambda t: (t.taken_at, t.id), reverse=True)
        return [(t.taken_at - t.created_at).total_seconds() for t in taken[:limit] if t.taken_at]

    async def resolved_between(self, start: datetime, end: datetime) -> Sequence[Ticket]:
        start, end = _utc(start), _utc(end)
        found = [t for t in self._all() if t.resolved_at and start <= t.resolved_at < end]
        return sorted(found, key=lambda t: (t.resolved_at, t.id))

    async def created_between(self, start: datetime, end: datetime) -> Sequence[Ticket]:
        start, end = _utc(start), _utc(end)
        found = [t for t in self._all() if start <= t.created_at < end]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def _all(self) -> Iterable[Ticket]:
        return self._store.tickets.values()

    @staticmethod
    def _newest(tickets: Iterable[Ticket]) -> Ticket | None:
        # the newest is the last created: ids only grow, the wall clock may step back
        return max(tickets, key=lambda t: t.id, default=None)

    def _change(self, ticket_id: int, values: dict[str, Any]) -> Ticket:
        found = self._store.tickets.get(ticket_id)
        if found is None:
            raise _missing("ticket", ticket_id)
        return self._tx.put(self._store.tickets, ticket_id, replace(found, **values))


class _Surveys(_Repo):
    async def get(self, ticket_id: int) -> SurveyAnswer | None:
        return self._store.surveys.get(ticket_id)

    async def save(
        self,
        ticket_id: int,
        *,
        now: datetime,
        csat: int | None = None,
        solved: bool | None = None,
        comment: str | None = None,
    ) -> SurveyAnswer:
        answer = self._store.surveys.get(ticket_id) or SurveyAnswer(
            ticket_id=ticket_id, csat=None, solved=None, comment=None, created_at=_utc(now)
        )
        given: dict[str, Any] = {
            name: value
            for name, value in (("csat", csat), ("solved", solved), ("comment", comment))
            if value is not None
        }
        return self._tx.put(self._store.surveys, ticket_id, replace(answer, **given))

    async def between(self, start: datetime, end: datetime) -> Sequence[SurveyAnswer]:
        start, end = _utc(start), _utc(end)
        found = [a for a in self._store.surveys.values() if start <= a.created_at < end]
        return sorted(found, key=lambda a: (a.created_at, a.ticket_id))


class _Decisions(_Repo):
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
    ) -> Decision:
        decision = Decision(
            id=self._store.next_id(),
            conversation_id=conversation_id,
            text=text,
            language=language,
            action=action,
            intent=intent,
            article=article,
            score=score,
            created_at=_utc(now),
        )
        return self._tx.put(self._store.decisions, decision.id, decision)

    async def set_feedback(self, decision_id: int, helped: bool) -> Decision | None:
        found = self._store.decisions.get(decision_id)
        if found is None:
            return None
        return self._tx.put(self._store.decisions, decision_id, replace(found, helped=helped))

    async def between(self, start: datetime, end: datetime) -> Sequence[Decision]:
        start, end = _utc(start), _utc(end)
        found = [d for d in self._store.decisions.values() if start <= d.created_at < end]
        return sorted(found, key=lambda d: (d.created_at, d.id))


class _Relays(_Repo):
    async def add(self, link: RelayLink) -> None:
        key = (link.target_chat_id, link.target_message_id)
        if key not in self._store.relays:  # idempotent, like ON CONFLICT DO NOTHING
            self._tx.put(self._store.relays, key, link)

    async def by_source(self, chat_id: int, message_id: int) -> Sequence[RelayLink]:
        return [
            link
            for link in self._store.relays.values()
            if link.source_chat_id == chat_id and link.source_message_id == message_id
        ]

    async def by_target(self, chat_id: int, message_id: int) -> RelayLink | None:
        return self._store.relays.get((chat_id, message_id))


class _Updates(_Repo):
    async def first_time(self, update_id: int, *, now: datetime) -> bool:
        seen = self._store.updates.get(update_id)
        if seen is not None and seen >= _utc(now) - REDELIVERY_WINDOW:
            return False
        self._tx.put(self._store.updates, update_id, _utc(now))
        return True

    async def forget_before(self, cutoff: datetime) -> int:
        old = [key for key, seen in self._store.updates.items() if seen < _utc(cutoff)]
        for key in old:
            self._tx.drop(self._store.updates, key)
        return len(old)


def _conforms(store: InMemoryStore) -> UnitOfWork:
    return store.unit_of_work()  # mypy checks the twin against the ports here
