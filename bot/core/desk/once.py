"""Operator updates are handled at least once, never twice.

The id of the update (of every part, for an album) is recorded in the *first* unit of work of its
handling, together with the first change that handling makes. If anything fails before that unit
of work commits, the id stays unrecorded and Telegram's redelivery is handled afresh; once it has
committed, a redelivery finds the id and the handling stops there with :class:`Redelivered`
(an album stops only when all its parts were seen). Network calls come after that first commit,
never inside a transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from bot.core.deps import Deps
from handoff import UnitOfWork

__all__ = ["Once", "Redelivered"]


class Redelivered(Exception):
    """The update was handled already; the desk's entry points stop quietly on it."""


class Once:
    """The update being handled. ``Once(deps)`` (no ids) is for work no update started."""

    def __init__(self, deps: Deps, update_ids: Iterable[int] = ()) -> None:
        self._deps = deps
        self._ids = tuple(update_ids)
        self._recorded = not self._ids

    @property
    def recorded(self) -> bool:
        """The ids are committed (or there were none)."""
        return self._recorded

    @asynccontextmanager
    async def uow(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work that also records the update, if no earlier one of this handling has.

        Raises :class:`Redelivered` (before the body runs) when every id was recorded already.
        """
        recording = not self._recorded
        async with self._deps.uow() as uow:
            if recording:
                now = self._deps.clock.now()
                fresh = [await uow.updates.first_time(i, now=now) for i in self._ids]
                if not any(fresh):
                    raise Redelivered(self._ids)
            yield uow
        if recording:
            self._recorded = True

    async def record(self) -> None:
        """Record the update on its own: for handlings that change nothing in storage, just
        before their first network call."""
        if not self._recorded:
            async with self.uow():
                pass
