"""Operator updates are handled at least once, never twice, and what they cause is never lost.

The id of the update (of every part, for an album) is recorded in the *first* unit of work of its
handling, together with the first change that handling makes and the update itself as pending
work (:mod:`bot.core.sender`). If anything fails before that unit of work commits, the id stays
unrecorded and Telegram's redelivery is handled afresh; once it has committed, a redelivery finds
the id and the handling stops there with :class:`Redelivered` (an album stops only when all its
parts were seen). Network calls come after that first commit, never inside a transaction.

If the process dies after the commit, the pending work runs the handling again (*resumed*): the
calls already made are not made again, a unit of work whose body is safe to run twice
(``uow(replay=True)``: taking a ticket, closing it, storing the operator's message) runs again,
and any other stops the handling with :class:`Redelivered`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pydantic import TypeAdapter

from bot.core.deps import Deps
from bot.core.events import ButtonPressed, MessageEdited, MessageReceived
from bot.core.sender import Work, carry, current_work, resuming, stage
from handoff import UnitOfWork

__all__ = ["DESK_EVENT", "Once", "Redelivered", "Stored", "stored_events"]

DESK_EVENT = "desk.event"  # the kind of pending work an operator's update leaves


class Redelivered(Exception):
    """The update was handled already; the desk's entry points stop quietly on it."""


@dataclass(frozen=True, slots=True)
class Stored:
    """An operator's update (the parts of an album) as pending work."""

    messages: tuple[MessageReceived, ...] = ()
    edit: MessageEdited | None = None
    button: ButtonPressed | None = None


_STORED = TypeAdapter(Stored)
Event = MessageReceived | MessageEdited | ButtonPressed


def stored_events(payload: str) -> Stored:
    return _STORED.validate_json(payload)


def _stored(events: Sequence[Event]) -> Stored:
    messages = tuple(e for e in events if isinstance(e, MessageReceived))
    edit = next((e for e in events if isinstance(e, MessageEdited)), None)
    button = next((e for e in events if isinstance(e, ButtonPressed)), None)
    return Stored(messages, edit, button)


class Once:
    """The update being handled. ``Once(deps)`` (no events) is for work no update started."""

    def __init__(self, deps: Deps, events: Sequence[Event] = ()) -> None:
        self._deps = deps
        self._events = tuple(events)
        self._ids = tuple(event.update_id for event in self._events)
        self.resumed = bool(self._ids) and resuming()  # carried on after a crash
        self._recorded = not self._ids or self.resumed
        self._staged: Work | None = None

    @property
    def recorded(self) -> bool:
        """The ids are committed (or there were none)."""
        return self._recorded

    @property
    def work(self) -> Work | None:
        """The handling's pending work: staged by the unit of work that records the update
        (already inside it), or the one being carried (resumed)."""
        return self._staged or current_work()

    @asynccontextmanager
    async def uow(self, *, replay: bool = False) -> AsyncIterator[UnitOfWork]:
        """A unit of work that also records the update, if no earlier one of this handling has.

        Raises :class:`Redelivered` (before the body runs) when every id was recorded already,
        and, when the handling is resumed, unless the body is safe to run again (``replay``).
        """
        if self.resumed and not replay:
            raise Redelivered(self._ids)
        recording = not self._recorded
        work = None
        try:
            async with self._deps.uow() as uow:
                if recording:
                    now = self._deps.clock.now()
                    fresh = [await uow.updates.first_time(i, now=now) for i in self._ids]
                    if not any(fresh):
                        raise Redelivered(self._ids)
                    first = self._events[0]
                    work = self._staged = await stage(
                        uow,
                        DESK_EVENT,
                        _STORED.dump_json(_stored(self._events)).decode(),
                        chat_id=first.chat_id,
                        thread_id=first.thread_id,
                        now=now,
                    )
                yield uow
        except BaseException:
            if recording:
                self._staged = None  # rolled back: it does not exist
            raise
        if recording:
            self._recorded = True
        if work is not None:
            carry(work)

    async def record(self) -> None:
        """Record the update on its own: for handlings that change nothing in storage, just
        before their first network call."""
        if not self._recorded:
            async with self.uow():
                pass
