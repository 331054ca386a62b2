"""Tickets: lifecycle, lookups, queue order and the atomic take, on every backend."""

from __future__ import annotations

import asyncio
from dataclasses import fields, replace
from datetime import timedelta

import pytest

from handoff.model import NewTicket, Priority, TakeResult, Ticket, TicketChanges, TicketStatus
from storage.repositories._common import table_of
from storage.tables import TicketRow
from tests.storage.conftest import Backend
from tests.storage.helpers import T0, Seeded, add_customer, new_ticket, seconds


async def test_create_and_get(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        created = await new_ticket(uow, seeded, priority=Priority.HIGH)
    async with backend.unit_of_work() as uow:
        loaded = await uow.tickets.get(created.id)
        assert await uow.tickets.get(created.id + 1000) is None
    assert loaded == created
    assert created.status is TicketStatus.WAITING
    assert created.priority is Priority.HIGH
    assert (created.subject, created.intent, created.confidence) == (
        "Where is my order?",
        "order_status",
        0.42,
    )
    assert created.created_at == T0
    assert created.operator_id is None
    assert created.taken_at is None


async def test_take_wins_once_then_reports_the_owner(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
    taken_at = T0 + seconds(90)
    async with backend.unit_of_work() as uow:
        first = await uow.tickets.take(
            ticket.id, operator_id=11, operator_name="Olga", now=taken_at
        )
    async with backend.unit_of_work() as uow:
        second = await uow.tickets.take(ticket.id, operator_id=22, operator_name="Ivan", now=T0)
        missing = await uow.tickets.take(10_000, operator_id=22, operator_name="Ivan", now=T0)
    assert first is not None
    assert first.won
    assert (first.ticket.status, first.ticket.operator_id, first.ticket.operator_name) == (
        TicketStatus.TAKEN,
        11,
        "Olga",
    )
    assert first.ticket.taken_at == taken_at
    assert second == TakeResult(ticket=first.ticket, won=False)
    assert missing is None


@pytest.mark.parametrize("contenders", [2, 5])
async def test_concurrent_takes_have_exactly_one_winner(
    backend: Backend, seeded: Seeded, contenders: int
) -> None:
    """A real race on PostgreSQL (row locks) and the in-memory store (the takes interleave at
    their awaits). On SQLite the writer gate runs one unit of work at a time, so the takes cannot
    race there: that variant checks the serialised outcome (later takes see the ticket taken)."""
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
    started = asyncio.Event()

    async def press_take(operator_id: int) -> TakeResult | None:
        async with backend.unit_of_work() as uow:
            await uow.tickets.get(ticket.id)  # everyone has seen it WAITING
            await started.wait()
            result = await uow.tickets.take(
                ticket.id, operator_id=operator_id, operator_name=f"op{operator_id}", now=T0
            )
            await asyncio.sleep(0.01)  # hold the transaction open a little
            return result

    tasks = [asyncio.create_task(press_take(n)) for n in range(1, contenders + 1)]
    await asyncio.sleep(0.01)
    started.set()
    results = await asyncio.gather(*tasks)

    assert all(result is not None for result in results)
    winners = [r for r in results if r is not None and r.won]
    assert len(winners) == 1
    owner = winners[0].ticket.operator_id
    assert all(r is not None and r.ticket.operator_id == owner for r in results)
    async with backend.unit_of_work() as uow:
        final = await uow.tickets.get(ticket.id)
    assert final is not None
    assert (final.status, final.operator_id) == (TicketStatus.TAKEN, owner)


async def test_a_rolled_back_take_leaves_the_ticket_waiting(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)

    async def take_then_fail() -> None:
        async with backend.unit_of_work() as uow:
            result = await uow.tickets.take(ticket.id, operator_id=1, operator_name="A", now=T0)
            assert result is not None
            assert result.won
            raise RuntimeError("card could not be edited")

    with pytest.raises(RuntimeError, match="card could not be edited"):
        await take_then_fail()
    async with backend.unit_of_work() as uow:
        again = await uow.tickets.take(ticket.id, operator_id=2, operator_name="B", now=T0)
    assert again is not None
    assert again.won
    assert again.ticket.operator_id == 2


async def test_set_status_resolve_and_reopen(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        await uow.tickets.take(ticket.id, operator_id=1, operator_name="A", now=T0)
        resolved = await uow.tickets.set_status(
            ticket.id, TicketStatus.RESOLVED, now=T0 + seconds(60)
        )
        assert (resolved.status, resolved.resolved_at) == (
            TicketStatus.RESOLVED,
            T0 + seconds(60),
        )
        reopened = await uow.tickets.set_status(ticket.id, TicketStatus.WAITING, now=T0)
        assert (reopened.status, reopened.resolved_at) == (TicketStatus.WAITING, None)
        cancelled = await uow.tickets.set_status(
            ticket.id, TicketStatus.CANCELLED, now=T0 + seconds(5)
        )
    assert cancelled.resolved_at == T0 + seconds(5)
    with pytest.raises(LookupError, match="ticket 10000"):
        async with backend.unit_of_work() as uow:
            await uow.tickets.set_status(10_000, TicketStatus.RESOLVED, now=T0)


async def test_update_sets_plain_fields(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        changes = TicketChanges(
            group_chat_id=-100_123_456_789,
            topic_id=77,
            card_message_id=501,
            line=2,
            priority=Priority.URGENT,
            first_reply_at=T0 + seconds(30),
            reminded_at=T0 + seconds(40),
            operator_id=9,
            operator_name="Nina",
            subject="Refund",
        )
        updated = await uow.tickets.update(ticket.id, changes)
    async with backend.unit_of_work() as uow:
        assert await uow.tickets.get(ticket.id) == updated
    assert updated.priority is Priority.URGENT
    assert (updated.group_chat_id, updated.topic_id, updated.card_message_id) == (
        -100_123_456_789,
        77,
        501,
    )
    assert (updated.line, updated.subject, updated.operator_name) == (2, "Refund", "Nina")
    assert updated.first_reply_at == T0 + seconds(30)
    assert updated.status is TicketStatus.WAITING  # not a plain field


async def test_update_keeps_what_it_does_not_name_and_can_clear_a_column(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        placed = TicketChanges(group_chat_id=-100_1, topic_id=7, card_message_id=70)
        await uow.tickets.update(ticket.id, placed)
        moved = await uow.tickets.update(ticket.id, TicketChanges(topic_id=None, line=2))
        unchanged = await uow.tickets.update(ticket.id, TicketChanges())
    assert (moved.group_chat_id, moved.topic_id, moved.card_message_id) == (-100_1, None, 70)
    assert (moved.line, moved.subject, moved.priority) == (2, ticket.subject, ticket.priority)
    assert unchanged == moved


def test_changes_name_only_plain_columns() -> None:
    # status, taken_at and resolved_at move only through take and set_status
    with pytest.raises(TypeError, match="status"):
        TicketChanges(status=TicketStatus.TAKEN)  # type: ignore[call-arg]
    columns = set(table_of(TicketRow).c.keys())
    assert {spec.name for spec in fields(TicketChanges)} <= columns
    assert {spec.name for spec in fields(TicketChanges)} <= {spec.name for spec in fields(Ticket)}
    assert TicketChanges(line=2, topic_id=None).values() == {"line": 2, "topic_id": None}


async def test_update_refuses_missing_tickets(backend: Backend, seeded: Seeded) -> None:
    with pytest.raises(LookupError):
        async with backend.unit_of_work() as uow:
            await uow.tickets.update(10_000, TicketChanges(line=2))


async def test_open_and_last_for_customer(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        assert await uow.tickets.open_for_customer(seeded.customer.id) is None
        assert await uow.tickets.last_for_customer(seeded.customer.id) is None
        old = await new_ticket(uow, seeded, at=T0)
        await uow.tickets.set_status(old.id, TicketStatus.RESOLVED, now=T0 + seconds(10))
        assert await uow.tickets.open_for_customer(seeded.customer.id) is None
        current = await new_ticket(uow, seeded, at=T0 + seconds(20))
        other = await add_customer(uow, telegram_id=2)
        await new_ticket(uow, seeded, at=T0 + seconds(30), customer_id=other.id)
    async with backend.unit_of_work() as uow:
        assert await uow.tickets.open_for_customer(seeded.customer.id) == current
        assert await uow.tickets.last_for_customer(seeded.customer.id) == current
        await uow.tickets.set_status(current.id, TicketStatus.CANCELLED, now=T0 + seconds(40))
        last = await uow.tickets.last_for_customer(seeded.customer.id)
    assert last is not None
    assert (last.id, last.status) == (current.id, TicketStatus.CANCELLED)


async def test_the_newest_ticket_is_the_last_created_even_if_the_clock_stepped_back(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        old = await new_ticket(uow, seeded, at=T0)
        await uow.tickets.set_status(old.id, TicketStatus.RESOLVED, now=T0 + seconds(10))
        current = await new_ticket(uow, seeded, at=T0 - seconds(3600))  # the clock went back
    async with backend.unit_of_work() as uow:
        assert await uow.tickets.last_for_customer(seeded.customer.id) == current
        assert await uow.tickets.open_for_customer(seeded.customer.id) == current


async def test_by_topic_returns_the_newest_and_by_card_matches(
    backend: Backend, seeded: Seeded
) -> None:
    group = -100_555
    async with backend.unit_of_work() as uow:
        first = await new_ticket(uow, seeded, at=T0)
        second = await new_ticket(uow, seeded, at=T0 + seconds(5))
        place = TicketChanges(group_chat_id=group, topic_id=3, card_message_id=10)
        await uow.tickets.update(first.id, place)
        await uow.tickets.update(second.id, replace(place, card_message_id=20))
    async with backend.unit_of_work() as uow:
        by_topic = await uow.tickets.by_topic(group, 3)
        by_card = await uow.tickets.by_card(group, 10)
        assert await uow.tickets.by_topic(group, 4) is None
        assert await uow.tickets.by_card(-1, 10) is None
    assert by_topic is not None
    assert by_topic.id == second.id
    assert by_card is not None
    assert by_card.id == first.id


async def test_waiting_orders_by_priority_then_age(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        normal_old = await new_ticket(uow, seeded, at=T0)
        urgent_new = await new_ticket(uow, seeded, at=T0 + seconds(30), priority=Priority.URGENT)
        high_old = await new_ticket(uow, seeded, at=T0 + seconds(10), priority=Priority.HIGH)
        high_new = await new_ticket(uow, seeded, at=T0 + seconds(20), priority=Priority.HIGH)
        taken = await new_ticket(uow, seeded, at=T0 - seconds(10), priority=Priority.URGENT)
        await uow.tickets.take(taken.id, operator_id=1, operator_name="A", now=T0)
    async with backend.unit_of_work() as uow:
        waiting = await uow.tickets.waiting()
        open_tickets = await uow.tickets.open_tickets()
    assert [t.id for t in waiting] == [urgent_new.id, high_old.id, high_new.id, normal_old.id]
    assert [t.id for t in open_tickets] == [
        taken.id,
        normal_old.id,
        high_old.id,
        high_new.id,
        urgent_new.id,
    ]


async def test_recent_waits_newest_first_since_and_limited(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        for n, wait in enumerate((30, 60, 90, 120)):
            ticket = await new_ticket(uow, seeded, at=T0 + timedelta(minutes=n))
            await uow.tickets.take(
                ticket.id,
                operator_id=1,
                operator_name="A",
                now=ticket.created_at + seconds(wait),
            )
        await new_ticket(uow, seeded, at=T0)  # never taken
    async with backend.unit_of_work() as uow:
        assert await uow.tickets.recent_waits(since=T0) == [120.0, 90.0, 60.0, 30.0]
        assert await uow.tickets.recent_waits(since=T0, limit=2) == [120.0, 90.0]
        since = T0 + timedelta(minutes=2, seconds=1)  # the second was taken at exactly 2 min
        assert await uow.tickets.recent_waits(since=since) == [120.0, 90.0]


async def test_between_queries_are_half_open(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        before = await new_ticket(uow, seeded, at=T0 - seconds(1))
        at_start = await new_ticket(uow, seeded, at=T0)
        at_end = await new_ticket(uow, seeded, at=T0 + seconds(60))
        await uow.tickets.set_status(at_start.id, TicketStatus.RESOLVED, now=T0 + seconds(59))
        await uow.tickets.set_status(before.id, TicketStatus.CANCELLED, now=T0 + seconds(60))
    async with backend.unit_of_work() as uow:
        created = await uow.tickets.created_between(T0, T0 + seconds(60))
        resolved = await uow.tickets.resolved_between(T0, T0 + seconds(60))
    assert [t.id for t in created] == [at_start.id]
    assert [t.id for t in resolved] == [at_start.id]
    assert at_end.id not in [t.id for t in created]


async def test_previous_ticket_is_kept(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        first = await new_ticket(uow, seeded)
        second = await uow.tickets.create(
            NewTicket(
                customer_id=seeded.customer.id,
                conversation_id=seeded.conversation_id,
                priority=Priority.NORMAL,
                line=2,
                language="ru",
                subject="Снова про заказ",
                intent=None,
                confidence=None,
                created_at=T0,
                previous_ticket_id=first.id,
            )
        )
    async with backend.unit_of_work() as uow:
        loaded = await uow.tickets.get(second.id)
    assert loaded is not None
    assert (loaded.previous_ticket_id, loaded.line, loaded.subject) == (
        first.id,
        2,
        "Снова про заказ",
    )
    assert loaded.intent is None
    assert loaded.confidence is None
