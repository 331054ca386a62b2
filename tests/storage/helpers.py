"""Small builders shared by the storage tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from handoff.model import Customer, NewTicket, Priority, Ticket
from handoff.ports import UnitOfWork

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


@dataclass
class Seeded:
    customer: Customer
    conversation_id: int


async def add_customer(uow: UnitOfWork, *, telegram_id: int, name: str = "Ann") -> Customer:
    return await uow.customers.upsert(
        telegram_id=telegram_id,
        chat_id=telegram_id,
        name=name,
        username=name.lower(),
        language="en",
        now=T0,
    )


async def new_ticket(
    uow: UnitOfWork,
    seeded: Seeded,
    *,
    at: datetime = T0,
    priority: Priority = Priority.NORMAL,
    customer_id: int | None = None,
) -> Ticket:
    return await uow.tickets.create(
        NewTicket(
            customer_id=customer_id or seeded.customer.id,
            conversation_id=seeded.conversation_id,
            priority=priority,
            line=1,
            language="en",
            subject="Where is my order?",
            intent="order_status",
            confidence=0.42,
            created_at=at,
        )
    )
