"""A customer's update arriving, one repository call after another (see ``UnitOfWork.arrive``)."""

from __future__ import annotations

from handoff.model import Arrival, Arriving
from handoff.ports import UnitOfWork

__all__ = ["arrive_step_by_step"]


async def arrive_step_by_step(uow: UnitOfWork, arriving: Arriving) -> Arrival | None:
    """:meth:`UnitOfWork.arrive` through the repositories: for the in-memory store, and for SQLite,
    whose statements cost no round trip."""
    now = arriving.now
    if not await uow.updates.first_time(arriving.update_id, now=now):
        return None
    customer = await uow.customers.upsert(
        telegram_id=arriving.telegram_id,
        chat_id=arriving.chat_id,
        name=arriving.name,
        username=arriving.username,
        language=arriving.language,
        now=now,
    )
    conversation = await uow.conversations.current(
        customer.id, now=now, idle_after_s=arriving.idle_after_s
    )
    last_ticket = await uow.tickets.last_for_customer(customer.id)
    return Arrival(customer, conversation, last_ticket)
