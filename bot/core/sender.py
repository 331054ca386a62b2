"""The transactional outbox's sending side: nothing an update caused is lost on a crash.

Whatever an update leaves to do after its transaction commits — the replies, the relay into the
ticket's topic, placing a new ticket — is stored as *pending work* (``uow.outbox``) in that same
transaction: a named follow-up (``kind``) and its arguments (JSON). After the commit the work is
carried out at once, in the same task, so replies keep their latency; when it is done the row is
deleted. Each Telegram call made for the work is recorded as a *step* (its key and its result)
as soon as it returns, so work resumed after a crash (at start-up, before polling, and by the
housekeeping job) makes only the calls not made yet: the result of an earlier one is read back.
The only calls that can be made twice are the ones in flight when the process died.

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
from handoff import PendingWork, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "FollowUp",
    "Handling",
    "Sender",
    "Work",
    "carry",
    "current_work",
    "handling",
    "own_handling",
    "resume_pending",
    "resuming",
    "stage",
]

log = logging.getLogger(__name__)

FollowUp = Callable[[str, str], Awaitable[None]]  # (kind, payload as JSON) → the work done


@dataclass
class Work:
    """A piece of pending work being carried out: its id and the calls already made for it."""

    id: int
    kind: str
    resumed: bool = False  # carried on after a crash or a failure, not right after its commit
    steps: dict[str, str] = field(default_factory=dict)
    _seen: Counter[str] = field(default_factory=Counter)

    def key(self, action: Action) -> str:
        """The call's place in the work: its kind and lane, and how many such calls came before
        (the text may differ when resumed, say a card showing the waiting time; the place not)."""
        base = _lane_key(action)
        self._seen[base] += 1
        return f"{base}#{self._seen[base]}"


@dataclass(eq=False)
class Handling:
    """The work of one update (or of one resumed piece of work) while it is carried out."""

    works: list[Work] = field(default_factory=list)  # committed: to finish at the end
    current: Work | None = None  # the calls made now are steps of this one
    over: bool = False  # the handling returned (a task it started may still run)

    def carry(self, work: Work) -> None:
        """``work`` was committed: its calls from now on are its steps."""
        self.works.append(work)
        self.current = work

    @property
    def committed(self) -> bool:
        return bool(self.works)

    async def finish(self, uow: UnitOfWorkFactory) -> None:
        """Everything of the handling was done: forget its work."""
        if not self.works:
            return
        async with uow() as tx:
            for work in self.works:
                await tx.outbox.finish(work.id)
        self.works.clear()


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
        yield scope
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
        result = await self.port(action)
        encoded = encode_result(result)
        work.steps[key] = encoded
        async with self._uow() as uow:
            await uow.outbox.record_step(work.id, key, encoded)
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
        return False
    await scope.finish(uow)
    return True


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
