from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.errors import QueueError, TicketNotFound
from handoff.model import Priority
from handoff.queue import estimate_wait, order_queue, queue_position, queue_status
from handoff.tickets import take
from tests.handoff.factories import T0, World, create_ticket, make_ticket, minutes


def test_order_is_priority_first_then_oldest_then_number() -> None:
    tickets = [
        make_ticket(1, at=T0),
        make_ticket(2, at=T0 + minutes(1), priority=Priority.URGENT),
        make_ticket(3, at=T0 - minutes(5)),
        make_ticket(4, at=T0 + minutes(2), priority=Priority.HIGH),
        make_ticket(6, at=T0, priority=Priority.HIGH),
        make_ticket(5, at=T0, priority=Priority.HIGH),
    ]
    assert [t.id for t in order_queue(tickets)] == [2, 5, 6, 4, 3, 1]
    assert queue_position(tickets, 2) == 1
    assert queue_position(tickets, 1) == 6


def test_position_of_a_ticket_not_waiting() -> None:
    with pytest.raises(TicketNotFound, match="not in the queue"):
        queue_position([make_ticket(1)], 9)


def test_estimate_is_median_times_position() -> None:
    waits = [60.0, 600.0, 120.0, 90.0, 3000.0]  # median 120 s, the outlier does not drag it
    assert estimate_wait(1, waits) == timedelta(minutes=2)
    assert estimate_wait(3, waits) == timedelta(minutes=6)


def test_no_history_means_no_estimate() -> None:
    assert estimate_wait(1, []) is None
    assert estimate_wait(2, [float("nan"), -5.0]) is None


def test_position_below_one_is_refused() -> None:
    with pytest.raises(QueueError, match="start at 1"):
        estimate_wait(0, [60.0])


async def test_queue_status_from_the_store(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        await create_ticket(uow, 1, at=T0)
        served = await create_ticket(uow, 2, at=T0)
        await take(uow, served.id, operator_id=9, operator_name="Op", now=T0 + minutes(4))
        mine = await create_ticket(uow, 3, at=T0 + minutes(5))
        status = await queue_status(uow, mine.id, now=T0 + minutes(6))
    assert (status.position, status.waiting) == (2, 2)
    assert status.estimate == minutes(8)  # one recent wait of 4 minutes × position 2
