from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from handoff.errors import EscalationError, TicketClosed, TicketNotFound
from handoff.model import NewTicket, Priority, Ticket, TicketStatus
from handoff.ports import UnitOfWork
from handoff.tickets import (
    Opened,
    OpenKind,
    cancel,
    close,
    escalate,
    mark_reminded,
    open_ticket,
    overdue,
    record_operator_reply,
    take,
)
from tests.handoff.factories import T0, World, create_ticket, minutes

WINDOW = timedelta(minutes=30)


async def open_for(
    uow: UnitOfWork, world: World, *, priority: Priority = Priority.NORMAL, line: int = 1
) -> Opened:
    request = NewTicket(
        customer_id=world.customer.id,
        conversation_id=world.conversation_id,
        priority=priority,
        line=line,
        language="en",
        subject="Where is my order",
        intent="order_status",
        confidence=0.42,
        created_at=world.clock.now(),
    )
    return await open_ticket(uow, request, reopen_window=WINDOW)


async def resolved_ticket(world: World) -> Ticket:
    """A ticket Oleg took and closed at T0 + 10 minutes."""
    async with world.store.unit_of_work() as uow:
        ticket = (await open_for(uow, world)).ticket
        await take(uow, ticket.id, operator_id=7, operator_name="Oleg", now=T0 + minutes(1))
        return await close(uow, ticket.id, now=T0 + minutes(10))


async def test_first_ticket_is_new_and_the_second_request_finds_it(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        first = await open_for(uow, world)
        again = await open_for(uow, world, priority=Priority.URGENT)
    assert first.kind is OpenKind.NEW
    assert first.ticket.status is TicketStatus.WAITING
    assert first.ticket.previous_ticket_id is None
    assert again.kind is OpenKind.EXISTING
    assert again.ticket.id == first.ticket.id
    assert again.ticket.priority is Priority.URGENT  # a more urgent request raises it


async def test_reopen_within_the_window_keeps_number_and_previous_operator(world: World) -> None:
    old = await resolved_ticket(world)
    world.clock.set(T0 + minutes(10) + WINDOW)  # exactly at the edge: still inside
    async with world.store.unit_of_work() as uow:
        opened = await open_for(uow, world)
    assert opened.kind is OpenKind.REOPENED
    ticket = opened.ticket
    assert ticket.id == old.id
    assert ticket.status is TicketStatus.WAITING
    assert ticket.resolved_at is None
    assert (ticket.operator_id, ticket.operator_name) == (7, "Oleg")
    assert ticket.reminded_at == world.clock.now()


async def test_after_the_window_a_new_ticket_links_the_old_one(world: World) -> None:
    old = await resolved_ticket(world)
    world.clock.set(T0 + minutes(10) + WINDOW + timedelta(seconds=1))
    async with world.store.unit_of_work() as uow:
        opened = await open_for(uow, world)
    assert opened.kind is OpenKind.NEW
    assert opened.ticket.id != old.id
    assert opened.ticket.previous_ticket_id == old.id
    assert opened.ticket.operator_id is None


async def test_a_cancelled_ticket_is_not_reopened(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        ticket = (await open_for(uow, world)).ticket
        await cancel(uow, ticket.id, now=T0, customer_id=world.customer.id)
        opened = await open_for(uow, world)
    assert opened.kind is OpenKind.NEW
    assert opened.ticket.previous_ticket_id == ticket.id


async def test_two_operators_take_at_once_one_wins(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        ticket = (await open_for(uow, world)).ticket

    async def press_take(operator_id: int) -> tuple[int, bool, int | None]:
        async with world.store.unit_of_work() as uow:
            await asyncio.sleep(0)
            result = await take(
                uow, ticket.id, operator_id=operator_id, operator_name=f"op{operator_id}", now=T0
            )
            return operator_id, result.won, result.ticket.operator_id

    results = await asyncio.gather(*(press_take(n) for n in (1, 2, 3, 4)))
    winners = [operator for operator, won, _ in results if won]
    assert len(winners) == 1
    assert {owner for _, _, owner in results} == set(winners)  # the losers see who has it


async def test_take_unknown_or_closed_ticket(world: World) -> None:
    old = await resolved_ticket(world)
    async with world.store.unit_of_work() as uow:
        with pytest.raises(TicketNotFound, match="#999 does not exist"):
            await take(uow, 999, operator_id=1, operator_name="x", now=T0)
        with pytest.raises(TicketClosed, match=r"cannot take ticket #\d+: it is already resolved"):
            await take(uow, old.id, operator_id=1, operator_name="x", now=T0)


async def test_close_twice_and_cancel_rules(world: World) -> None:
    old = await resolved_ticket(world)
    assert old.status is TicketStatus.RESOLVED
    assert old.resolved_at == T0 + minutes(10)
    async with world.store.unit_of_work() as uow:
        with pytest.raises(TicketClosed, match="cannot close"):
            await close(uow, old.id, now=T0)
        with pytest.raises(TicketClosed, match="cannot cancel"):
            await cancel(uow, old.id, now=T0)
        other = await create_ticket(uow, 999, at=T0)
        with pytest.raises(TicketNotFound, match="not this customer's"):
            await cancel(uow, other.id, now=T0, customer_id=world.customer.id)
        cancelled = await cancel(uow, other.id, now=T0 + minutes(1))
    assert cancelled.status is TicketStatus.CANCELLED


async def test_escalate_to_the_next_line_returns_to_the_queue(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        ticket = (await open_for(uow, world)).ticket
        await take(uow, ticket.id, operator_id=7, operator_name="Oleg", now=T0)
        moved = await escalate(uow, ticket.id, line=None, now=T0 + minutes(5))
        assert (moved.line, moved.status, moved.operator_name) == (2, TicketStatus.WAITING, "Oleg")
        assert moved.reminded_at == T0 + minutes(5)
        top = await escalate(uow, ticket.id, line=3, now=T0 + minutes(6))
        assert top.line == 3
        with pytest.raises(EscalationError, match="already on line 3, the last one"):
            await escalate(uow, ticket.id, line=None, now=T0)


@pytest.mark.parametrize(
    ("start", "line", "message"),
    [
        (2, 1, "on line 2: escalate to a higher line \\(3..3\\)"),
        (2, 2, "on line 2: escalate to a higher line"),
        (1, 4, "support line 4 does not exist: use 1..3"),
        (1, 0, "support line 0 does not exist"),
        (3, 3, "already on line 3"),
    ],
)
async def test_escalate_refuses_lines_not_above(
    world: World, start: int, line: int, message: str
) -> None:
    async with world.store.unit_of_work() as uow:
        ticket = (await open_for(uow, world, line=start)).ticket
        with pytest.raises(EscalationError, match=message):
            await escalate(uow, ticket.id, line=line, now=T0)


async def test_escalate_a_closed_ticket(world: World) -> None:
    old = await resolved_ticket(world)
    async with world.store.unit_of_work() as uow:
        with pytest.raises(TicketClosed, match="cannot escalate"):
            await escalate(uow, old.id, line=None, now=T0)


async def test_first_reply_is_recorded_once(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        ticket = (await open_for(uow, world)).ticket
        first = await record_operator_reply(uow, ticket.id, now=T0 + minutes(2))
        second = await record_operator_reply(uow, ticket.id, now=T0 + minutes(9))
        with pytest.raises(TicketNotFound):
            await record_operator_reply(uow, 999, now=T0)
    assert first.first_reply_at == second.first_reply_at == T0 + minutes(2)


async def test_overdue_and_reminders(world: World) -> None:
    sla = minutes(15)
    async with world.store.unit_of_work() as uow:
        old = await create_ticket(uow, 1, at=T0)
        urgent = await create_ticket(uow, 2, at=T0 + minutes(3), priority=Priority.URGENT)
        fresh = await create_ticket(uow, 3, at=T0 + minutes(10))
        taken = await create_ticket(uow, 4, at=T0)
        await take(uow, taken.id, operator_id=1, operator_name="op", now=T0 + minutes(1))
        now = T0 + minutes(20)
        assert [t.id for t in await overdue(uow, now=now, sla=sla)] == [urgent.id, old.id]
        await mark_reminded(uow, old.id, now=now)
        assert [t.id for t in await overdue(uow, now=now, sla=sla)] == [urgent.id]
        later = now + sla
        ids = [t.id for t in await overdue(uow, now=later, sla=sla)]
        assert ids == [urgent.id, old.id, fresh.id]
