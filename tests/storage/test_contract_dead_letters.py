"""Dead letters: parked, listed oldest first, a retry requested and claimed once, dropped."""

from __future__ import annotations

import json
from datetime import timedelta

from handoff.ports import UnitOfWork
from tests.storage.conftest import Backend
from tests.storage.helpers import T0

RAW = json.dumps({"update_id": 7, "message": {"text": "привет"}}, ensure_ascii=False)


async def _park(uow: UnitOfWork, update_id: int, minutes: int = 0) -> int:
    letter = await uow.dead_letters.park(
        update_id=update_id,
        kind="message",
        chat_id=42,
        private=True,
        error="StorageUnavailableError: the database is unreachable",
        raw=RAW,
        attempts=4,
        now=T0 + timedelta(minutes=minutes),
    )
    return letter.id


async def test_parked_letters_keep_everything_and_list_oldest_first(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        later = await _park(uow, 8, minutes=5)
        first = await _park(uow, 7)
    async with backend.unit_of_work() as uow:
        letters = await uow.dead_letters.oldest()
        one = await uow.dead_letters.get(first)
        assert await uow.dead_letters.get(first + later + 100) is None
    assert [letter.id for letter in letters] == [first, later]
    assert one is not None
    assert (one.update_id, one.kind, one.chat_id, one.private) == (7, "message", 42, True)
    assert (one.raw, one.attempts, one.parked_at) == (RAW, 4, T0)
    assert one.error.startswith("StorageUnavailableError")
    assert not one.retry_requested


async def test_a_requested_retry_is_claimed_once(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        letter = await _park(uow, 7)
        await _park(uow, 8)
        assert not await uow.dead_letters.claim_retry(letter)  # nobody asked
        assert await uow.dead_letters.request_retry(letter)
        assert not await uow.dead_letters.request_retry(letter + 100)
    async with backend.unit_of_work() as uow:
        assert [d.id for d in await uow.dead_letters.retry_requested()] == [letter]
        assert await uow.dead_letters.claim_retry(letter)
        assert not await uow.dead_letters.claim_retry(letter)
    async with backend.unit_of_work() as uow:
        assert await uow.dead_letters.retry_requested() == []


async def test_a_failed_retry_counts_and_a_drop_forgets(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        letter = await _park(uow, 7)
    async with backend.unit_of_work() as uow:
        await uow.dead_letters.failed_again(letter, error="again", now=T0 + timedelta(hours=1))
    async with backend.unit_of_work() as uow:
        again = await uow.dead_letters.get(letter)
        assert again is not None
        assert (again.attempts, again.error, again.parked_at) == (
            5,
            "again",
            T0 + timedelta(hours=1),
        )
        assert await uow.dead_letters.drop(letter)
        assert not await uow.dead_letters.drop(letter)
    async with backend.unit_of_work() as uow:
        assert await uow.dead_letters.get(letter) is None
