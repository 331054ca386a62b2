"""Records and a small world for the hand-off tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from handoff.clock import ManualClock
from handoff.memory import InMemoryStore
from handoff.model import Customer, NewTicket, Priority, Ticket, TicketStatus
from handoff.ports import UnitOfWork

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday


def make_ticket(
    ticket_id: int,
    *,
    at: datetime = T0,
    status: TicketStatus = TicketStatus.WAITING,
    priority: Priority = Priority.NORMAL,
    **fields: object,
) -> Ticket:
    """A ticket record built by hand, for the pure functions (queue, metrics)."""
    values: dict[str, object] = {
        "id": ticket_id,
        "customer_id": 100 + ticket_id,
        "conversation_id": 200 + ticket_id,
        "status": status,
        "priority": priority,
        "line": 1,
        "language": "en",
        "subject": "subject",
        "intent": None,
        "confidence": None,
        "created_at": at,
    }
    values.update(fields)
    return Ticket(**values)  # type: ignore[arg-type]


@dataclass
class World:
    """A store with one customer in a conversation, and a clock."""

    store: InMemoryStore
    clock: ManualClock
    customer: Customer
    conversation_id: int


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


async def create_ticket(
    uow: UnitOfWork, customer_id: int, *, at: datetime, priority: Priority = Priority.NORMAL
) -> Ticket:
    """A ticket created straight through the repository."""
    return await uow.tickets.create(
        NewTicket(
            customer_id=customer_id,
            conversation_id=customer_id,
            priority=priority,
            line=1,
            language="en",
            subject="question",
            intent=None,
            confidence=None,
            created_at=at,
        )
    )
