"""Work a failure left pending goes out before the next work of its lane, not after it.

A lane is what the core handles one at a time, in arrival order: a customer's chat, or a topic
of an operator group. When an update's work stops after its commit (say the database blinked
while recording a step), the work stays pending (:mod:`bot.core.sender`). Left to the minute
housekeeping, it would go out after replies to later messages of the same chat. So:

- the lane is marked as behind, with the work that stopped; the next update of that lane, once
  it has the lane's turn, first carries that work on (:meth:`Backlog.catch_up`). If it fails
  again, the update is handled anyway (never stalled by a broken piece of work) and the next
  one tries again;
- the housekeeping carries on stale work lane by lane, each while holding the lane's turn
  (:meth:`Backlog.stale`): never alongside an update of that lane, always before the next one.

With several replicas the mark is the failing process's own: an update of that lane reaching
another replica does not wait for it, and the work goes out with the leader's housekeeping
(which takes the lane's shared turn) within a minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from bot.core.sender import FollowUp, resume_pending
from handoff import PendingWork, UnitOfWorkFactory

__all__ = ["Backlog", "Lane", "lane_of"]

log = logging.getLogger(__name__)

Lane = tuple[int, int | None]  # a chat, with its topic in a group
PENDING_READ = 1000  # pieces of pending work read at once


def lane_of(work: PendingWork) -> Lane:
    return (work.chat_id, work.thread_id)


class Backlog:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        follow_up: FollowUp,
        busy: Callable[[], Collection[int]],
        hold: Callable[[Lane], AbstractAsyncContextManager[None]],
    ) -> None:
        self._uow = uow
        self._follow_up = follow_up
        self._busy = busy  # work being carried out now: never resumed alongside
        self._hold = hold  # the lane's turn
        self._behind: dict[Lane, set[int]] = {}

    def fell_behind(self, lane: Lane, work_ids: Collection[int]) -> None:
        """The work of an update of ``lane`` stopped after its commit."""
        if work_ids:
            self._behind.setdefault(lane, set()).update(work_ids)

    async def catch_up(self, lane: Lane) -> None:
        """Carry on the work ``lane`` is behind with (call holding the lane's turn)."""
        ids = self._behind.get(lane)
        if not ids:
            return
        await self._resume(ids, created_before=None)
        async with self._uow() as uow:
            left = {w.id for w in await uow.outbox.pending(limit=PENDING_READ)} & ids
        if left:
            log.warning(
                "%s piece(s) of work of lane %s failed again: kept for later", len(left), lane
            )
            self._behind[lane] = left
        else:
            self._behind.pop(lane, None)

    async def stale(self, cutoff: datetime) -> int:
        """Carry on work older than ``cutoff``, lane by lane, each in the lane's turn."""
        async with self._uow() as uow:
            stale = await uow.outbox.pending(created_before=cutoff, limit=PENDING_READ)
        finished = 0
        for lane in dict.fromkeys(lane_of(work) for work in stale):
            async with self._hold(lane):  # after the update the lane is on, before its next one
                async with self._uow() as uow:  # read again: some may be done by now
                    pending = await uow.outbox.pending(created_before=cutoff, limit=PENDING_READ)
                ids = {work.id for work in pending if lane_of(work) == lane}
                finished += await self._resume(ids, created_before=cutoff)
        return finished

    async def _resume(self, ids: Collection[int], *, created_before: datetime | None) -> int:
        busy = set(self._busy())
        return await resume_pending(
            self._uow,
            self._follow_up,
            created_before=created_before,
            skip=lambda work_id: work_id not in ids or work_id in busy,
        )
