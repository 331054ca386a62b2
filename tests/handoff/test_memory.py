"""What the in-memory twin does beyond the shared contract (tests/storage/test_contract_*)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from handoff.memory import InMemoryStore, NestedUnitOfWork
from handoff.model import NewTicket, Priority, TicketChanges

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


async def _ticket_id(store: InMemoryStore) -> int:
    async with store.unit_of_work() as uow:
        customer = await uow.customers.upsert(
            telegram_id=1, chat_id=1, name="Ann", username=None, language="en", now=T0
        )
        conversation = await uow.conversations.current(customer.id, now=T0, idle_after_s=60)
        ticket = await uow.tickets.create(
            NewTicket(
                customer_id=customer.id,
                conversation_id=conversation.id,
                priority=Priority.NORMAL,
                line=1,
                language="en",
                subject="help",
                intent=None,
                confidence=None,
                created_at=T0,
            )
        )
    return ticket.id


async def test_writes_are_visible_to_other_units_of_work_before_commit() -> None:
    # No isolation: the twin is for single-loop tests, where that never matters but is honest.
    store = InMemoryStore()
    ticket_id = await _ticket_id(store)
    written = asyncio.Event()
    read = asyncio.Event()

    async def write() -> None:
        async with store.unit_of_work() as uow:
            await uow.tickets.update(ticket_id, TicketChanges(line=2))
            written.set()
            await read.wait()  # still open: not committed yet

    async def look() -> int:
        await written.wait()
        async with store.unit_of_work() as uow:
            seen = await uow.tickets.get(ticket_id)
        read.set()
        assert seen is not None
        return seen.line

    _, line = await asyncio.gather(write(), look())
    assert line == 2


async def test_rollback_restores_the_previous_values_in_reverse_order() -> None:
    store = InMemoryStore()
    ticket_id = await _ticket_id(store)

    async def fail() -> None:
        async with store.unit_of_work() as uow:
            await uow.tickets.update(ticket_id, TicketChanges(line=2))
            await uow.tickets.update(ticket_id, TicketChanges(line=3))
            await uow.updates.first_time(5, now=T0)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail()
    ticket = store.tickets[ticket_id]
    assert ticket.line == 1
    assert 5 not in store.updates


async def test_ids_are_not_reused_after_a_rollback() -> None:
    store = InMemoryStore()
    first = await _ticket_id(store)

    async def fail() -> None:
        async with store.unit_of_work() as uow:
            await uow.customers.upsert(
                telegram_id=2, chat_id=2, name="Bob", username=None, language="en", now=T0
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fail()
    assert await _ticket_id(InMemoryStore()) == first  # fresh store, same sequence
    async with store.unit_of_work() as uow:
        bob = await uow.customers.upsert(
            telegram_id=2, chat_id=2, name="Bob", username=None, language="en", now=T0
        )
    assert bob.id > first + 1


async def test_take_is_atomic_across_tasks() -> None:
    store = InMemoryStore()
    ticket_id = await _ticket_id(store)

    async def take(operator_id: int) -> bool:
        async with store.unit_of_work() as uow:
            await asyncio.sleep(0)
            result = await uow.tickets.take(
                ticket_id, operator_id=operator_id, operator_name="op", now=T0
            )
            assert result is not None
            return result.won

    wins = await asyncio.gather(*(take(n) for n in range(10)))
    assert wins.count(True) == 1


async def test_repositories_exist_only_inside_the_block() -> None:
    uow = InMemoryStore().unit_of_work()
    with pytest.raises(AttributeError):
        _ = uow.tickets


async def test_a_unit_of_work_inside_another_in_the_same_task_is_refused_like_sqlite() -> None:
    store = InMemoryStore()
    ticket_id = await _ticket_id(store)

    async def nested() -> None:
        async with store.unit_of_work() as outer:
            await outer.tickets.update(ticket_id, TicketChanges(line=2))
            async with store.unit_of_work():
                pass

    with pytest.raises(NestedUnitOfWork, match="inside another one in the same task"):
        await nested()
    assert store.tickets[ticket_id].line == 1  # the outer one rolled back
    async with store.unit_of_work() as uow:  # the task is free again
        await uow.tickets.update(ticket_id, TicketChanges(line=3))
    assert store.tickets[ticket_id].line == 3


async def test_units_of_work_in_other_tasks_may_overlap() -> None:
    store = InMemoryStore()
    ticket_id = await _ticket_id(store)

    async def inner() -> int | None:
        async with store.unit_of_work() as uow:
            ticket = await uow.tickets.get(ticket_id)
        return ticket.line if ticket else None

    async with store.unit_of_work():
        assert await asyncio.create_task(inner()) == 1
