"""The waiting queue: order, a customer's place in it, and an honest wait estimate.

Order: higher priority first, then older first (ticket number breaks exact ties). The estimate
is the median of recent waits (created → taken) times the position; with no history it is
``None`` and the customer is told the wait cannot be estimated rather than given a made-up figure.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from handoff.errors import QueueError, TicketNotFound
from handoff.model import Ticket
from handoff.ports import UnitOfWork

__all__ = ["QueueStatus", "estimate_wait", "order_queue", "queue_position", "queue_status"]


def _queue_key(ticket: Ticket) -> tuple[int, datetime, int]:
    return (-int(ticket.priority), ticket.created_at, ticket.id)


def order_queue(tickets: Iterable[Ticket]) -> list[Ticket]:
    """The tickets in queue order (does not filter by status)."""
    return sorted(tickets, key=_queue_key)


def queue_position(waiting: Sequence[Ticket], ticket_id: int) -> int:
    """1-based place of ``ticket_id`` among ``waiting``, in queue order."""
    for position, ticket in enumerate(order_queue(waiting), start=1):
        if ticket.id == ticket_id:
            return position
    raise TicketNotFound(
        ticket_id,
        f"ticket #{ticket_id} is not in the queue (taken, closed or unknown): "
        "ask for a position only while the ticket is waiting",
    )


def estimate_wait(position: int, recent_waits_s: Sequence[float]) -> timedelta | None:
    """Median recent wait × position, or None when there is no usable history."""
    if position < 1:
        raise QueueError(f"queue position {position} is impossible: positions start at 1")
    waits = [w for w in recent_waits_s if math.isfinite(w) and w >= 0]
    if not waits:
        return None
    return timedelta(seconds=statistics.median(waits) * position)


@dataclass(frozen=True, slots=True)
class QueueStatus:
    position: int
    waiting: int  # tickets in the queue, this one included
    estimate: timedelta | None


async def queue_status(
    uow: UnitOfWork, ticket_id: int, *, now: datetime, history: timedelta = timedelta(days=7)
) -> QueueStatus:
    """Position and wait estimate of a waiting ticket; history: waits since ``now - history``."""
    waiting = await uow.tickets.waiting()
    position = queue_position(waiting, ticket_id)
    waits = await uow.tickets.recent_waits(since=now - history)
    return QueueStatus(
        position=position, waiting=len(waiting), estimate=estimate_wait(position, waits)
    )
