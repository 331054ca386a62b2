"""The in-memory twin of the outbox: pending work and the calls already made for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from handoff.memory._base import Repo, utc
from handoff.model import PendingWork

__all__ = ["MemoryOutboxRepository"]


class MemoryOutboxRepository(Repo):
    async def add(
        self, kind: str, payload: str, *, chat_id: int, thread_id: int | None, now: datetime
    ) -> int:
        work = PendingWork(self._store.next_id(), kind, payload, chat_id, thread_id, utc(now))
        self._tx.put(self._store.outbox, work.id, work)
        return work.id

    async def pending(
        self, *, created_before: datetime | None = None, limit: int = 100
    ) -> Sequence[PendingWork]:
        cutoff = utc(created_before) if created_before is not None else None
        found = sorted(
            (w for w in self._store.outbox.values() if cutoff is None or w.created_at < cutoff),
            key=lambda w: w.id,
        )
        return [replace(w, steps=dict(w.steps)) for w in found[:limit]]

    async def record_step(self, work_id: int, key: str, result: str) -> None:
        work = self._store.outbox.get(work_id)
        if work is None or key in work.steps:
            return
        self._tx.put(self._store.outbox, work_id, replace(work, steps={**work.steps, key: result}))

    async def finish(self, work_id: int, *, steps: bool = True) -> None:
        if work_id in self._store.outbox:
            self._tx.drop(self._store.outbox, work_id)

    async def finish_all(self, work_ids: Sequence[int], *, with_steps: Sequence[int] = ()) -> None:
        for work_id in work_ids:
            await self.finish(work_id)
