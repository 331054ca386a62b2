"""A customer's update arriving (``UnitOfWork.arrive``): the same on memory, SQLite and PostgreSQL,
where it is two statements; and on PostgreSQL the same as the repositories' steps one by one,
concurrent arrivals of one customer included."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from handoff import (
    REDELIVERY_WINDOW,
    Arrival,
    Arriving,
    NewTicket,
    Priority,
    TicketStatus,
    arrive_step_by_step,
)
from handoff.dialog import DialogState
from storage import Database
from tests.storage.conftest import Backend
from tests.storage.helpers import T0, Seeded, new_ticket, seconds

IDLE_S = 600


def arriving(
    update_id: int, *, at: datetime = T0, telegram_id: int = 1001, **changes: object
) -> Arriving:
    base = Arriving(
        update_id=update_id,
        telegram_id=telegram_id,
        chat_id=telegram_id,
        name="Ann",
        username="ann",
        language="en",
        now=at,
        idle_after_s=IDLE_S,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_new_customer_arrives_with_a_new_conversation_and_no_ticket(
    backend: Backend,
) -> None:
    async with backend.unit_of_work() as uow:
        arrival = await uow.arrive(arriving(1, telegram_id=77, name="Bob", username=None))
    assert arrival is not None
    customer, conversation = arrival.customer, arrival.conversation
    assert (customer.telegram_id, customer.chat_id, customer.name) == (77, 77, "Bob")
    assert customer.username is None
    assert (customer.language, customer.language_chosen, customer.blocked) == ("en", False, False)
    assert customer.created_at == T0
    assert customer.state == DialogState()
    assert conversation.customer_id == customer.id
    assert conversation.started_at == conversation.last_message_at == T0
    assert arrival.last_ticket is None
    async with backend.unit_of_work() as uow:
        assert await uow.customers.get(customer.id) == customer
        assert await uow.conversations.get(conversation.id) == conversation


async def test_a_redelivered_update_arrives_as_none_and_changes_nothing(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        first = await uow.arrive(arriving(5))
    assert first is not None
    async with backend.unit_of_work() as uow:
        again = await uow.arrive(arriving(5, at=T0 + seconds(30), name="Renamed"))
    assert again is None
    async with backend.unit_of_work() as uow:
        customer = await uow.customers.get(first.customer.id)
        conversation = await uow.conversations.get(first.conversation.id)
    assert customer is not None
    assert customer.name == "Ann"
    assert conversation is not None
    assert conversation.last_message_at == T0


async def test_an_update_id_older_than_the_redelivery_window_is_new_again(
    backend: Backend,
) -> None:
    async with backend.unit_of_work() as uow:
        assert await uow.arrive(arriving(5)) is not None
    # past the idle gap (another cutoff of the same statement) it is still a redelivery
    for later in (seconds(IDLE_S + 60), REDELIVERY_WINDOW - seconds(1)):
        async with backend.unit_of_work() as uow:
            assert await uow.arrive(arriving(5, at=T0 + later)) is None
    async with backend.unit_of_work() as uow:
        assert await uow.arrive(arriving(5, at=T0 + REDELIVERY_WINDOW + seconds(1))) is not None
    async with backend.unit_of_work() as uow:
        assert await uow.arrive(arriving(5, at=T0 + timedelta(days=8))) is not None


async def test_a_known_customer_continues_their_conversation_and_is_refreshed(
    backend: Backend, seeded: Seeded
) -> None:
    later = T0 + seconds(IDLE_S - 1)
    async with backend.unit_of_work() as uow:
        await uow.customers.set_language(seeded.customer.id, "ru")
        ticket = await new_ticket(uow, seeded)
    async with backend.unit_of_work() as uow:
        arrival = await uow.arrive(arriving(9, at=later, name="Anna", username="anna"))
    assert arrival is not None
    assert arrival.customer == replace(
        seeded.customer, name="Anna", username="anna", language="ru", language_chosen=True
    )
    assert arrival.conversation.id == seeded.conversation_id
    assert arrival.conversation.last_message_at == later
    assert arrival.last_ticket == ticket


async def test_after_the_idle_gap_a_new_conversation_starts(
    backend: Backend, seeded: Seeded
) -> None:
    later = T0 + seconds(IDLE_S + 1)
    async with backend.unit_of_work() as uow:
        arrival = await uow.arrive(arriving(9, at=later))
    assert arrival is not None
    assert arrival.conversation.id != seeded.conversation_id
    assert arrival.conversation.started_at == later


async def test_the_newest_ticket_is_returned_open_or_not(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        older = await new_ticket(uow, seeded)
        await uow.tickets.set_status(older.id, TicketStatus.RESOLVED, now=T0 + seconds(1))
        newest = await new_ticket(uow, seeded, at=T0 + seconds(2))
        await uow.tickets.set_status(newest.id, TicketStatus.RESOLVED, now=T0 + seconds(3))
        closed = await uow.tickets.get(newest.id)
    async with backend.unit_of_work() as uow:
        arrival = await uow.arrive(arriving(9, at=T0 + seconds(4)))
    assert arrival is not None
    assert arrival.last_ticket == closed


async def test_arriving_in_a_rolled_back_unit_of_work_leaves_no_trace(backend: Backend) -> None:
    async def fail_after_arriving() -> None:
        async with backend.unit_of_work() as uow:
            assert await uow.arrive(arriving(3, telegram_id=55)) is not None
            raise RuntimeError("the handling failed")

    with pytest.raises(RuntimeError, match="the handling failed"):
        await fail_after_arriving()
    async with backend.unit_of_work() as uow:
        assert await uow.customers.get_by_telegram_id(55) is None
        assert await uow.arrive(arriving(3, telegram_id=55)) is not None  # tried again


@pytest.mark.postgres
async def test_postgresql_statements_equal_the_steps_one_by_one(pg_db: Database) -> None:
    """The same sequence of arrivals through the two statements and through the repositories,
    on two customers of one database: the same results, field by field."""
    results: dict[str, list[Arrival | None]] = {"two": [], "steps": []}
    moments = [T0, T0 + seconds(10), T0 + seconds(10), T0 + seconds(IDLE_S + 20)]
    for way, telegram_id, first_update in (("two", 1, 100), ("steps", 2, 200)):
        for number, at in enumerate(moments):
            update_id = first_update + (0, 1, 1, 2)[number]  # the third: a redelivery
            async with pg_db.unit_of_work() as uow:
                if number == 1:
                    customer = await uow.customers.get_by_telegram_id(telegram_id)
                    assert customer is not None
                    await uow.tickets.create(_ticket_for(customer.id, results[way]))
                event = arriving(update_id, at=at, telegram_id=telegram_id)
                if way == "two":
                    arrival = await uow.arrive(event)
                else:
                    arrival = await arrive_step_by_step(uow, event)
            results[way].append(arrival)
    assert [a is None for a in results["two"]] == [False, False, True, False]
    for two, steps in zip(results["two"], results["steps"], strict=True):
        if two is None or steps is None:
            assert two is steps
            continue
        assert _shape(two) == _shape(steps)


@pytest.mark.postgres
async def test_postgresql_an_arrival_waiting_for_another_sees_what_it_committed(
    pg_db: Database,
) -> None:
    """A new customer's first update (A) opens a ticket; their second (B, another replica's,
    say) arrives before A commits: B waits for the customer's row, then continues A's
    conversation and finds A's ticket, as the steps one by one would (one statement would read
    from a snapshot taken before the wait and start a second conversation)."""
    started = asyncio.Event()

    async def second() -> Arrival | None:
        async with pg_db.unit_of_work() as uow:
            started.set()
            return await uow.arrive(arriving(2, at=T0 + seconds(5), telegram_id=9))

    async with pg_db.unit_of_work() as uow:
        first = await uow.arrive(arriving(1, telegram_id=9))
        assert first is not None
        ticket = await uow.tickets.create(replace(_ticket_for(first.customer.id, [first])))
        waiting = asyncio.create_task(second())
        await started.wait()
        await asyncio.sleep(0.3)
        assert not waiting.done()  # held by A's customer row until A commits
    arrival = await asyncio.wait_for(waiting, timeout=10)
    assert arrival is not None
    assert arrival.customer.id == first.customer.id
    assert arrival.conversation.id == first.conversation.id
    assert arrival.last_ticket == ticket


def _ticket_for(customer_id: int, earlier: list[Arrival | None]) -> NewTicket:
    first = earlier[0]
    assert first is not None
    return NewTicket(
        customer_id=customer_id,
        conversation_id=first.conversation.id,
        priority=Priority.NORMAL,
        line=1,
        language="en",
        subject="Where is my order?",
        intent="order_status",
        confidence=0.5,
        created_at=T0 + seconds(5),
    )


def _shape(arrival: Arrival) -> tuple[object, ...]:
    """An arrival without the ids and names that differ between the two customers."""
    customer, conversation, ticket = arrival.customer, arrival.conversation, arrival.last_ticket
    return (
        (customer.name, customer.language, customer.created_at, customer.state),
        (conversation.started_at, conversation.last_message_at, conversation.resolved_by_bot),
        None if ticket is None else (ticket.status, ticket.subject, ticket.created_at),
    )
