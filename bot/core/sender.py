"""The transactional outbox's sending side: nothing an update caused is lost on a crash.

Whatever an update leaves to do after its transaction commits — the replies, the relay into the
ticket's topic, placing a new ticket — is stored as *pending work* (``uow.outbox``) in that same
transaction: a named follow-up (``kind``) and its arguments (JSON). After the commit the work is
carried out at once, in the same task, so replies keep their latency; when it is done the row is
deleted. Each Telegram call made for the work is recorded as a *step* (its key and its result),
so work resumed after a crash (at start-up, before polling, and by the housekeeping job) makes
only the calls not made yet: the result of an earlier one is read back. The only calls that can
be made twice are the ones in flight when the process died.

What a handling writes after its sends is merged, so a hot path costs one transaction before its
sends and one after: a step is not written on its own but rides with the handling's next unit of
work, and at the latest it is written before the work's next call (so at most one call, the last
one, is ever unrecorded: the one in flight). What the core stores about a send (the sent message
with its Telegram id, the relay link) is *deferred* the same way (:func:`record`). The handling's
end writes what is deferred and deletes its finished work in one transaction; a step of work
finished there is never written at all. Every unit of work opened inside a handling
(:class:`Merging`, the ``deps.uow`` of the core) writes what is deferred first, so a read in the
handling sees it.

Calls made outside any work (the SLA reminders of the housekeeping job) go straight out.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import NamedTuple, Self

from bot.core.actions import (
    Action,
    AnswerButton,
    CopyMessages,
    Done,
    Failed,
    Failure,
    Outbox,
    Result,
)
from handoff import (
    Arrival,
    Arriving,
    ConversationRepository,
    CustomerRepository,
    DeadLetterRepository,
    DecisionRepository,
    MessageRepository,
    NewMessage,
    OutboxRepository,
    PendingWork,
    RelayLink,
    RelayRepository,
    SurveyRepository,
    TicketRepository,
    UnitOfWork,
    UnitOfWorkFactory,
    UpdateLog,
)

__all__ = [
    "FollowUp",
    "Handling",
    "Marks",
    "Merging",
    "Sender",
    "Work",
    "carry",
    "current_work",
    "finish_together",
    "handling",
    "keep",
    "own_handling",
    "record",
    "record_links",
    "record_messages",
    "resume_pending",
    "resuming",
    "stage",
]

log = logging.getLogger(__name__)

FollowUp = Callable[[str, str], Awaitable[None]]  # (kind, payload as JSON) → the work done
Write = Callable[[UnitOfWork], Awaitable[None]]  # a record to store in a unit of work


@dataclass
class Work:
    """A piece of pending work being carried out: its id and the calls already made for it."""

    id: int
    kind: str
    resumed: bool = False  # carried on after a crash or a failure, not right after its commit
    steps: dict[str, str] = field(default_factory=dict)
    stored_steps: bool = False  # some step is in storage (finishing must delete the steps)
    _seen: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.stored_steps = self.stored_steps or bool(self.steps)

    def key(self, action: Action) -> str:
        """The call's place in the work: its kind and lane, and how many such calls came before
        (the text may differ when resumed, say a card showing the waiting time; the place not)."""
        base = _lane_key(action)
        self._seen[base] += 1
        return f"{base}#{self._seen[base]}"


class Marks(NamedTuple):
    """How much of each kind of deferred record a unit of work wrote (:meth:`Handling.written`)."""

    steps: int = 0
    writes: int = 0
    messages: int = 0
    links: int = 0


@dataclass(eq=False)
class Handling:
    """The work of one update (or of one resumed piece of work) while it is carried out."""

    works: list[Work] = field(default_factory=list)  # committed: to finish at the end
    current: Work | None = None  # the calls made now are steps of this one
    over: bool = False  # the handling returned (a task it started may still run)
    steps: list[tuple[Work, str, str]] = field(default_factory=list)  # made, not yet written
    writes: list[Write] = field(default_factory=list)  # deferred records, in order
    # deferred records that many handlings write together in one statement (finish_together)
    messages: list[NewMessage] = field(default_factory=list)
    links: list[RelayLink] = field(default_factory=list)

    def carry(self, work: Work) -> None:
        """``work`` was committed: its calls from now on are its steps."""
        self.works.append(work)
        self.current = work

    @property
    def committed(self) -> bool:
        return bool(self.works)

    @property
    def deferred(self) -> bool:
        return bool(self.steps or self.writes or self.messages or self.links)

    def marks(self, *, steps: bool = True) -> Marks:
        """What is deferred now (the steps only with ``steps``)."""
        return Marks(
            len(self.steps) if steps else 0, len(self.writes), len(self.messages), len(self.links)
        )

    async def write_deferred(self, uow: UnitOfWork, *, steps: bool = True) -> Marks:
        """Write what is deferred now in ``uow`` (the steps only with ``steps``); returns how
        much that was, for :meth:`written` once ``uow`` has committed."""
        marks = self.marks(steps=steps)
        for work, key, result in self.steps[: marks.steps]:
            await uow.outbox.record_step(work.id, key, result)
        await _write_records(
            uow,
            self.messages[: marks.messages],
            self.links[: marks.links],
            self.writes[: marks.writes],
        )
        return marks

    def written(self, marks: Marks) -> None:
        """What ``marks`` counts is committed."""
        for work, _key, _result in self.steps[: marks.steps]:
            work.stored_steps = True
        del self.steps[: marks.steps]
        del self.writes[: marks.writes]
        del self.messages[: marks.messages]
        del self.links[: marks.links]

    async def flush(self, uow: UnitOfWorkFactory) -> None:
        """Write what is deferred now, in a unit of work of its own."""
        if not self.deferred:
            return
        token = _handling.set(None)  # written here, not by Merging
        try:
            async with uow() as tx:
                marks = await self.write_deferred(tx)
        finally:
            _handling.reset(token)
        self.written(marks)

    async def finish(self, uow: UnitOfWorkFactory) -> None:
        """Everything of the handling was done: write what it deferred and forget its work, in
        one transaction (the steps of the finished work are not written at all)."""
        if not self.works and not self.deferred:
            return
        try:
            await finish_together([self], uow)
        except Exception:
            # the work stays pending: what it did must still be known when it is resumed
            try:
                await self.flush(uow)
            except Exception:  # the calls not recorded will be made again
                log.exception("the steps of work that could not be finished were not recorded")
            raise

    def _finishing(self) -> tuple[list[Work], list[int]]:
        """The work to finish now, and the ids of those of it with steps in storage."""
        works = list(self.works)
        deferred = {(id(work), key) for work, key, _result in self.steps}
        stored = [
            # a step in storage: written by a flush, resumed, or stored by a caller with its
            # change (bot/core/desk/outcome.py)
            work.id
            for work in works
            if work.stored_steps or any((id(work), key) not in deferred for key in work.steps)
        ]
        return works, stored

    def _finished(self, works: list[Work], marks: Marks) -> None:
        """``works`` are finished and what ``marks`` counts is written (committed)."""
        finished = {id(work) for work in works}
        self.steps = [step for step in self.steps if id(step[0]) not in finished]
        self.written(marks)
        del self.works[: len(works)]


async def finish_together(scopes: list[Handling], uow: UnitOfWorkFactory) -> None:
    """Finish the handlings ``scopes`` (each done with everything) in one transaction, their
    records of a kind and their deletions each in one statement; when it fails none is
    finished and their work stays pending (bot/core/finishing.py). The steps of finished work
    are not written at all."""
    marks = [scope.marks(steps=False) for scope in scopes]
    finishing = [scope._finishing() for scope in scopes]
    marked = list(zip(scopes, marks, strict=True))
    messages = [m for scope, mark in marked for m in scope.messages[: mark.messages]]
    links = [link for scope, mark in marked for link in scope.links[: mark.links]]
    work_ids = [work.id for works, _stored in finishing for work in works]
    with_steps = [work_id for _works, stored in finishing for work_id in stored]
    token = _handling.set(None)  # written here, not by Merging
    try:
        async with uow() as tx:
            writes = [write for scope, mark in marked for write in scope.writes[: mark.writes]]
            await _write_records(tx, messages, links, writes)
            if work_ids:
                await tx.outbox.finish_all(work_ids, with_steps=with_steps)
    finally:
        _handling.reset(token)
    for scope, mark, (works, _stored) in zip(scopes, marks, finishing, strict=True):
        scope._finished(works, mark)


async def _write_records(
    uow: UnitOfWork, messages: list[NewMessage], links: list[RelayLink], writes: list[Write]
) -> None:
    """The deferred records, in the order they are always written: messages, links, the rest."""
    if messages:
        await uow.messages.add_all(messages)
    if links:
        await uow.relays.add_all(links)
    for write in writes:
        await write(uow)


def _deferring() -> Handling | None:
    """The handling whose records ride with its next unit of work (or its end), if any."""
    scope = _handling.get()
    return scope if scope is not None and not scope.over else None


async def record_messages(uow: UnitOfWorkFactory, messages: list[NewMessage]) -> None:
    """:func:`record` for messages the core stores about its sends (the bot's replies): the
    handlings finishing together store theirs in one statement."""
    if (scope := _deferring()) is not None:
        scope.messages.extend(messages)
        return
    async with uow() as tx:
        await _write_records(tx, messages, [], [])


async def record_links(uow: UnitOfWorkFactory, links: list[RelayLink]) -> None:
    """:func:`record` for relay links, written together the same way."""
    if (scope := _deferring()) is not None:
        scope.links.extend(links)
        return
    async with uow() as tx:
        await _write_records(tx, [], links, [])


_handling: ContextVar[Handling | None] = ContextVar("handling", default=None)


@contextmanager
def handling(scope: Handling) -> Iterator[Handling]:
    """Calls made inside are steps of the work ``scope`` carries."""
    token = _handling.set(scope)
    try:
        yield scope
    finally:
        _handling.reset(token)


@asynccontextmanager
async def own_handling(uow: UnitOfWorkFactory) -> AsyncIterator[Handling]:
    """The current handling, or one of its own when there is none or it is over (an album
    collected apart from its updates, in a timer task): its work is finished when the block
    ends cleanly, and stays pending when it raises."""
    outer = _handling.get()
    if outer is not None and not outer.over:
        yield outer  # inside an update's handling: its work is that handling's
        return
    scope = Handling()
    with handling(scope):
        try:
            yield scope
        except BaseException:
            await keep(scope, uow)
            raise
    scope.over = True
    await scope.finish(uow)


def current_work() -> Work | None:
    scope = _handling.get()
    return scope.current if scope is not None else None


def resuming() -> bool:
    """The work being carried out was started before (a crash or a failure stopped it): checks
    that would skip a step because storage says it was done must not skip its calls."""
    work = current_work()
    return work is not None and work.resumed


async def stage(
    uow: UnitOfWork,
    kind: str,
    payload: str,
    *,
    chat_id: int,
    thread_id: int | None,
    now: datetime,
) -> Work:
    """Store pending work in ``uow``'s transaction; carry it out after the commit with
    :meth:`Handling.carry` (the caller does: the work exists only once committed)."""
    work_id = await uow.outbox.add(kind, payload, chat_id=chat_id, thread_id=thread_id, now=now)
    return Work(work_id, kind)


async def record(uow: UnitOfWorkFactory, write: Write) -> None:
    """Store what the core keeps about a send: with the handling's next unit of work (or its
    end) when inside one, at once otherwise."""
    if (scope := _deferring()) is not None:
        scope.writes.append(write)
        return
    async with uow() as tx:
        await write(tx)


class Merging:
    """The unit of work factory of the core: a unit of work opened inside a handling writes
    what the handling deferred first (in the same transaction)."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        self.inner = inner

    def __call__(self) -> UnitOfWork:
        scope = _handling.get()
        if scope is None or not scope.deferred:
            return self.inner()
        return _Merged(self.inner(), scope)


class _Merged:
    """A unit of work that first writes what ``scope`` deferred (see :class:`Merging`)."""

    customers: CustomerRepository
    conversations: ConversationRepository
    messages: MessageRepository
    tickets: TicketRepository
    surveys: SurveyRepository
    decisions: DecisionRepository
    relays: RelayRepository
    updates: UpdateLog
    outbox: OutboxRepository
    dead_letters: DeadLetterRepository

    def __init__(self, inner: UnitOfWork, scope: Handling) -> None:
        self._inner = inner
        self._scope = scope
        self._marks = Marks()

    async def __aenter__(self) -> Self:
        uow = await self._inner.__aenter__()
        try:
            self._marks = await self._scope.write_deferred(uow)
        except BaseException as exc:
            await self._inner.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        self.customers = uow.customers
        self.conversations = uow.conversations
        self.messages = uow.messages
        self.tickets = uow.tickets
        self.surveys = uow.surveys
        self.decisions = uow.decisions
        self.relays = uow.relays
        self.updates = uow.updates
        self.outbox = uow.outbox
        self.dead_letters = uow.dead_letters
        return self

    async def arrive(self, arriving: Arriving) -> Arrival | None:
        return await self._inner.arrive(arriving)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._inner.__aexit__(exc_type, exc, tb)
        if exc is None:
            self._scope.written(self._marks)  # committed (a failed commit raised above)


def carry(work: Work) -> None:
    """Make committed ``work`` the one the current handling carries (no handling: nothing)."""
    scope = _handling.get()
    if scope is not None:
        scope.carry(work)


class Sender:
    """The outbox the core calls: a call made for pending work is recorded as its step, and a
    step already made (work resumed after a crash) is not made again: its result is read back.

    Telegram's refusals are results (:class:`Failed`), as the runtime's outbox reports them.
    """

    def __init__(self, port: Outbox, uow: UnitOfWorkFactory) -> None:
        self.port = port
        self._uow = uow

    async def __call__(self, action: Action) -> Result:
        work = current_work()
        if work is None:
            return await self.port(action)
        key = work.key(action)
        done = work.steps.get(key)
        if done is not None:
            return decode_result(done)
        scope = _handling.get()
        assert scope is not None  # there is current work
        if scope.steps:  # the last call's step is written before the next call is made
            await scope.flush(self._uow)
        result = await self.port(action)
        encoded = encode_result(result)
        work.steps[key] = encoded
        scope.steps.append((work, key, encoded))  # written with the next unit of work
        return result


async def resume_pending(
    uow: UnitOfWorkFactory,
    follow_up: FollowUp,
    *,
    created_before: datetime | None = None,
    skip: Callable[[int], bool] = lambda work_id: False,
) -> int:
    """Carry out pending work, oldest first; returns how many pieces were finished. Work whose
    follow-up fails stays pending (logged) for the next time."""
    async with uow() as tx:
        pending = await tx.outbox.pending(created_before=created_before, limit=1000)
    finished = 0
    for stored in pending:
        if skip(stored.id):
            continue
        if await _resume_one(uow, stored, follow_up):
            finished += 1
    return finished


async def _resume_one(uow: UnitOfWorkFactory, stored: PendingWork, follow_up: FollowUp) -> bool:
    scope = Handling()
    scope.carry(Work(stored.id, stored.kind, resumed=True, steps=dict(stored.steps)))
    try:
        with handling(scope):
            await follow_up(stored.kind, stored.payload)
        scope.over = True
    except Exception:
        log.exception("pending work %s (%s) failed again: kept for later", stored.id, stored.kind)
        await keep(scope, uow)
        return False
    await scope.finish(uow)
    return True


async def keep(scope: Handling, uow: UnitOfWorkFactory) -> None:
    """The handling stopped with an error after its commit: its work stays pending; write the
    steps and records it deferred, so resuming it does not make its calls again."""
    scope.over = True
    try:
        await scope.flush(uow)
    except Exception:  # the calls not recorded will be made again when the work is resumed
        log.exception("the steps of failed work could not be recorded")


# ---------------------------------------------------------------------- results as JSON
def encode_result(result: Result) -> str:
    if isinstance(result, Done):
        return json.dumps({"ids": list(result.message_ids), "thread": result.thread_id})
    return json.dumps({"failed": result.reason.value, "description": result.description})


def decode_result(text: str) -> Result:
    data = json.loads(text)
    if "failed" in data:
        return Failed(Failure(data["failed"]), data.get("description", ""))
    return Done(tuple(data.get("ids", ())), data.get("thread"))


def _lane_key(action: Action) -> str:
    name = type(action).__name__
    if isinstance(action, AnswerButton):
        return f"{name}:{action.callback_id}"
    if isinstance(action, CopyMessages):
        return f"{name}:{action.to_chat_id}:{action.thread_id or '-'}"
    thread = getattr(action, "thread_id", None)
    return f"{name}:{action.chat_id}:{thread or '-'}"
