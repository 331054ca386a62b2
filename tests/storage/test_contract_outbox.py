"""The transactional outbox's storage, on every backend."""

from __future__ import annotations

import pytest

from tests.storage.conftest import Backend
from tests.storage.helpers import T0, seconds


async def test_work_is_kept_with_its_steps_until_finished(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        first = await uow.outbox.add(
            "customer.message", '{"a": 1}', chat_id=5, thread_id=None, now=T0
        )
        second = await uow.outbox.add("desk.event", "{}", chat_id=-100, thread_id=7, now=T0)
    async with backend.unit_of_work() as uow:
        await uow.outbox.record_step(first, "SendText:5:-#0", '{"ok": true}')
        await uow.outbox.record_step(first, "SendText:5:-#0", '{"ok": false}')  # kept: the first
        await uow.outbox.record_step(first, "SendText:5:-#1", "{}")
    async with backend.unit_of_work() as uow:
        pending = await uow.outbox.pending()
    assert [(w.id, w.kind, w.chat_id, w.thread_id) for w in pending] == [
        (first, "customer.message", 5, None),
        (second, "desk.event", -100, 7),
    ]
    assert pending[0].payload == '{"a": 1}'
    assert pending[0].steps == {"SendText:5:-#0": '{"ok": true}', "SendText:5:-#1": "{}"}
    assert pending[1].steps == {}
    assert pending[0].created_at == T0
    async with backend.unit_of_work() as uow:
        await uow.outbox.finish(first)
        await uow.outbox.finish(first)  # finishing twice is no error
        await uow.outbox.record_step(first, "late", "{}")  # a step of finished work is dropped
    async with backend.unit_of_work() as uow:
        assert [w.id for w in await uow.outbox.pending()] == [second]


async def test_work_of_a_rolled_back_transaction_is_not_kept(backend: Backend) -> None:
    async def fail() -> None:
        async with backend.unit_of_work() as uow:
            await uow.outbox.add("customer.message", "{}", chat_id=5, thread_id=None, now=T0)
            raise RuntimeError("the state change failed")

    with pytest.raises(RuntimeError, match="state change failed"):
        await fail()
    async with backend.unit_of_work() as uow:
        assert await uow.outbox.pending() == []


async def test_pending_filters_by_age_and_limits(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        ids = [
            await uow.outbox.add("k", "{}", chat_id=1, thread_id=None, now=T0 + seconds(i))
            for i in range(3)
        ]
    async with backend.unit_of_work() as uow:
        old = await uow.outbox.pending(created_before=T0 + seconds(1))
        two = await uow.outbox.pending(limit=2)
    assert [w.id for w in old] == ids[:1]
    assert [w.id for w in two] == ids[:2]


async def test_finish_all_deletes_every_piece_with_its_steps(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        ids = [
            await uow.outbox.add("k", "{}", chat_id=1, thread_id=None, now=T0 + seconds(i))
            for i in range(4)
        ]
        await uow.outbox.record_step(ids[1], "SendText:1:-#1", "{}")
    async with backend.unit_of_work() as uow:
        await uow.outbox.finish_all(ids[:2], with_steps=[ids[1]])
        await uow.outbox.finish_all([ids[0], ids[2]])  # one finished already: no error
        await uow.outbox.finish_all([])
        await uow.outbox.record_step(ids[1], "late", "{}")  # finished: dropped
    async with backend.unit_of_work() as uow:
        assert [w.id for w in await uow.outbox.pending()] == [ids[3]]
