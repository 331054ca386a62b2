"""Parked updates (dead letters), in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from handoff.memory._base import Repo, utc
from handoff.model import DeadLetter

__all__ = ["MemoryDeadLetterRepository"]


class MemoryDeadLetterRepository(Repo):
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
    ) -> DeadLetter:
        letter = DeadLetter(
            id=self._store.next_id(),
            update_id=update_id,
            kind=kind,
            chat_id=chat_id,
            private=private,
            error=error,
            raw=raw,
            attempts=attempts,
            parked_at=utc(now),
        )
        return self._tx.put(self._store.dead_letters, letter.id, letter)

    async def get(self, letter_id: int) -> DeadLetter | None:
        return self._store.dead_letters.get(letter_id)

    async def oldest(self, *, limit: int = 100) -> Sequence[DeadLetter]:
        letters = sorted(self._store.dead_letters.values(), key=lambda d: (d.parked_at, d.id))
        return letters[:limit]

    async def request_retry(self, letter_id: int) -> bool:
        letter = self._store.dead_letters.get(letter_id)
        if letter is None:
            return False
        self._tx.put(self._store.dead_letters, letter_id, replace(letter, retry_requested=True))
        return True

    async def claim_retry(self, letter_id: int) -> bool:
        letter = self._store.dead_letters.get(letter_id)
        if letter is None or not letter.retry_requested:
            return False
        self._tx.put(self._store.dead_letters, letter_id, replace(letter, retry_requested=False))
        return True

    async def retry_requested(self) -> Sequence[DeadLetter]:
        letters = [d for d in self._store.dead_letters.values() if d.retry_requested]
        return sorted(letters, key=lambda d: d.id)

    async def failed_again(self, letter_id: int, *, error: str, now: datetime) -> None:
        letter = self._store.dead_letters.get(letter_id)
        if letter is None:
            return
        again = replace(letter, error=error, attempts=letter.attempts + 1, parked_at=utc(now))
        self._tx.put(self._store.dead_letters, letter_id, again)

    async def drop(self, letter_id: int) -> bool:
        if letter_id not in self._store.dead_letters:
            return False
        self._tx.drop(self._store.dead_letters, letter_id)
        return True
