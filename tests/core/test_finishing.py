"""Finishes shared by the handlings finishing at the same time (bot/core/finishing.py)."""

from __future__ import annotations

import asyncio

from bot.core.finishing import FinishBatch
from bot.core.sender import Handling, stage
from handoff import UnitOfWork, UnitOfWorkFactory
from tests.core.desk.world import NOON, make_world


async def _carried(uow: UnitOfWorkFactory) -> Handling:
    """A handling whose committed work is done: it only has to be finished."""
    async with uow() as tx:
        work = await stage(tx, "customer.turn", "{}", chat_id=1, thread_id=None, now=NOON)
    scope = Handling()
    scope.carry(work)
    scope.over = True
    return scope


async def _pending(uow: UnitOfWorkFactory) -> list[int]:
    async with uow() as tx:
        return [work.id for work in await tx.outbox.pending()]


async def test_a_record_that_fails_fails_its_own_update_only() -> None:
    uow = make_world().store.unit_of_work
    good, bad = await _carried(uow), await _carried(uow)

    async def broken(tx: UnitOfWork) -> None:
        raise RuntimeError("a record the database refuses")

    bad.writes.append(broken)
    batch = FinishBatch(uow, lambda: 2)
    results = await asyncio.gather(batch.finish(good), batch.finish(bad), return_exceptions=True)
    assert results[0] is None
    assert isinstance(results[1], RuntimeError)
    assert await _pending(uow) == [bad.works[0].id]  # kept, to be resumed


async def test_a_finish_waits_for_the_others_at_most_the_delay() -> None:
    uow = make_world().store.unit_of_work
    scope = await _carried(uow)
    batch = FinishBatch(uow, lambda: 5, delay_s=0.01)  # four more in hand, still working
    loop = asyncio.get_running_loop()
    started = loop.time()
    await batch.finish(scope)
    assert loop.time() - started >= 0.009
    assert await _pending(uow) == []
    assert scope.works == []


async def test_a_handling_that_stops_waiting_does_not_fail_the_others_of_its_batch() -> None:
    uow = make_world().store.unit_of_work
    gone, first, second = await _carried(uow), await _carried(uow), await _carried(uow)
    batch = FinishBatch(uow, lambda: 10, delay_s=0.01)  # waits for the delay: three of ten
    leaving = asyncio.create_task(batch.finish(gone))
    staying = [asyncio.create_task(batch.finish(first)), asyncio.create_task(batch.finish(second))]
    await asyncio.sleep(0)  # all three are waiting in the batch
    leaving.cancel()  # e.g. the bot is told to stop while this handling waits
    results = await asyncio.gather(*staying, return_exceptions=True)
    assert results == [None, None]
    assert await _pending(uow) == []  # the batch was written, the cancelled one's work included
