"""Transactions: commit on a clean exit, rollback on an exception, on every backend."""

from __future__ import annotations

import pytest

from handoff.dialog import DialogState
from handoff.model import TicketStatus
from tests.storage.conftest import Backend
from tests.storage.helpers import T0, Seeded, add_customer, new_ticket


class Boom(Exception):
    pass


async def test_clean_exit_commits(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=1)
    async with backend.unit_of_work() as uow:
        assert await uow.customers.get(customer.id) == customer


async def test_exception_rolls_back_every_change_and_propagates(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)

    async def work_then_fail() -> None:
        async with backend.unit_of_work() as uow:
            await add_customer(uow, telegram_id=2)
            await uow.customers.save_state(seeded.customer.id, DialogState(misses=3))
            await uow.tickets.set_status(ticket.id, TicketStatus.RESOLVED, now=T0)
            await uow.conversations.mark_resolved_by_bot(seeded.conversation_id)
            raise Boom

    with pytest.raises(Boom):
        await work_then_fail()
    async with backend.unit_of_work() as uow:
        assert await uow.customers.get_by_telegram_id(2) is None
        customer = await uow.customers.get(seeded.customer.id)
        assert customer is not None
        assert customer.state == DialogState()
        assert await uow.tickets.get(ticket.id) == ticket
        conversation = await uow.conversations.get(seeded.conversation_id)
        assert conversation is not None
        assert not conversation.resolved_by_bot


async def test_changes_are_visible_inside_the_same_unit_of_work(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=3)
        await uow.customers.set_language(customer.id, "ru")
        reloaded = await uow.customers.get(customer.id)
    assert reloaded is not None
    assert (reloaded.language, reloaded.language_chosen) == ("ru", True)


async def test_a_unit_of_work_is_used_once(backend: Backend) -> None:
    uow = backend.unit_of_work()
    async with uow:
        pass
    with pytest.raises(Exception, match="used once"):  # StorageError or RuntimeError
        async with uow:
            pass


async def test_a_unit_of_work_inside_another_in_the_same_task_is_refused(backend: Backend) -> None:
    if backend.name == "postgres":
        pytest.skip("PostgreSQL has no writer gate: a nested unit of work is a second transaction")

    async def nested() -> None:
        async with backend.unit_of_work() as uow:
            await add_customer(uow, telegram_id=4)
            async with backend.unit_of_work():
                pass

    # StorageError on SQLite, NestedUnitOfWork in memory: the same words
    with pytest.raises(Exception, match="inside another one in the same task"):
        await nested()
    async with backend.unit_of_work() as uow:  # the outer one rolled back; the task is free
        assert await uow.customers.get_by_telegram_id(4) is None
