"""Ticket life cycle over an open unit of work; the caller's unit of work owns the transaction.

    open_ticket ──► WAITING ──take──► TAKEN ──close──► RESOLVED ──(reopen window)──► WAITING
                       │                 │                 └──(later)──► new ticket, linked
                       └──────cancel─────┴──► CANCELLED

Reopening and escalating put a ticket back in the queue as WAITING but keep ``operator_id`` and
``operator_name``: on a WAITING ticket they name the previous operator, whom the UI can ping.
The next :func:`take` overwrites them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from handoff.errors import EscalationError, TicketClosed, TicketNotFound
from handoff.model import NewTicket, TakeResult, Ticket, TicketChanges, TicketStatus
from handoff.ports import UnitOfWork
from handoff.queue import order_queue

__all__ = [
    "MAX_LINE",
    "OpenKind",
    "Opened",
    "cancel",
    "close",
    "escalate",
    "mark_reminded",
    "open_ticket",
    "overdue",
    "record_operator_reply",
    "take",
]

MAX_LINE = 3


class OpenKind(enum.StrEnum):
    NEW = "new"  # a fresh ticket (linked to the previous one, if any)
    EXISTING = "existing"  # the customer already had an open ticket
    REOPENED = "reopened"  # the last ticket was resolved within the reopen window


@dataclass(frozen=True, slots=True)
class Opened:
    ticket: Ticket
    kind: OpenKind


async def open_ticket(uow: UnitOfWork, request: NewTicket, *, reopen_window: timedelta) -> Opened:
    """The customer's one open ticket: the existing one, the last one reopened, or ``request``
    created (linked to the customer's last ticket, whatever ``previous_ticket_id`` it names).

    An existing ticket is raised to the request's priority if that is higher. A reopened ticket
    keeps its number, line and previous operator; SLA reminders count from the reopening
    (``reminded_at`` is set to the request's ``created_at``, see :func:`overdue`). A zero window
    never reopens.
    """
    _check_line(request.line)
    customer_id, priority, now = request.customer_id, request.priority, request.created_at
    current = await uow.tickets.open_for_customer(customer_id)
    if current is not None:
        if priority > current.priority:
            current = await uow.tickets.update(current.id, TicketChanges(priority=priority))
        return Opened(current, OpenKind.EXISTING)
    last = await uow.tickets.last_for_customer(customer_id)
    if (
        last is not None
        and last.status is TicketStatus.RESOLVED
        and last.resolved_at is not None
        and reopen_window > timedelta()
        and now - last.resolved_at <= reopen_window
    ):
        await uow.tickets.set_status(last.id, TicketStatus.WAITING, now=now)
        changes = TicketChanges(
            operator_id=last.operator_id,
            operator_name=last.operator_name,
            priority=max(priority, last.priority),
            reminded_at=now,
        )
        ticket = await uow.tickets.update(last.id, changes)
        return Opened(ticket, OpenKind.REOPENED)
    new = replace(request, previous_ticket_id=last.id if last is not None else None)
    return Opened(await uow.tickets.create(new), OpenKind.NEW)


async def take(
    uow: UnitOfWork, ticket_id: int, *, operator_id: int, operator_name: str, now: datetime
) -> TakeResult:
    """Atomic take. ``won=False`` with the ticket as it is when another operator has it."""
    result = await uow.tickets.take(
        ticket_id, operator_id=operator_id, operator_name=operator_name, now=now
    )
    if result is None:
        raise TicketNotFound(ticket_id)
    if not result.won and not result.ticket.status.is_open:
        raise TicketClosed(ticket_id, result.ticket.status.value, "take")
    return result


async def close(uow: UnitOfWork, ticket_id: int, *, now: datetime) -> Ticket:
    """Resolve an open ticket; closing it twice raises :class:`TicketClosed`."""
    ticket = await _open_ticket(uow, ticket_id, "close")
    return await uow.tickets.set_status(ticket.id, TicketStatus.RESOLVED, now=now)


async def cancel(
    uow: UnitOfWork, ticket_id: int, *, now: datetime, customer_id: int | None = None
) -> Ticket:
    """The customer withdraws the request. With ``customer_id``, only their own ticket."""
    ticket = await _get(uow, ticket_id)
    if customer_id is not None and ticket.customer_id != customer_id:
        raise TicketNotFound(ticket_id, f"ticket #{ticket_id} is not this customer's ticket")
    if not ticket.status.is_open:
        raise TicketClosed(ticket_id, ticket.status.value, "cancel")
    return await uow.tickets.set_status(ticket.id, TicketStatus.CANCELLED, now=now)


async def escalate(uow: UnitOfWork, ticket_id: int, *, line: int | None, now: datetime) -> Ticket:
    """Move an open ticket to a higher line (``None``: the next one) and back into its queue.

    The ticket becomes WAITING for an operator of the new line; SLA reminders count from now.
    """
    ticket = await _open_ticket(uow, ticket_id, "escalate")
    target = ticket.line + 1 if line is None else line
    if line is None and target > MAX_LINE:
        raise EscalationError(
            f"ticket #{ticket_id} is already on line {MAX_LINE}, the last one: "
            "keep working on it there or close it"
        )
    _check_line(target)
    if target <= ticket.line:
        raise EscalationError(
            f"ticket #{ticket_id} is on line {ticket.line}: escalate to a higher line "
            f"({ticket.line + 1}..{MAX_LINE})"
            if ticket.line < MAX_LINE
            else f"ticket #{ticket_id} is already on line {MAX_LINE}, the last one"
        )
    if ticket.status is not TicketStatus.WAITING:
        await uow.tickets.set_status(ticket.id, TicketStatus.WAITING, now=now)
    return await uow.tickets.update(ticket.id, TicketChanges(line=target, reminded_at=now))


async def record_operator_reply(uow: UnitOfWork, ticket_id: int, *, now: datetime) -> Ticket:
    """Note an operator's reply; only the first one sets ``first_reply_at``."""
    ticket = await _get(uow, ticket_id)
    if ticket.first_reply_at is not None:
        return ticket
    return await uow.tickets.update(ticket.id, TicketChanges(first_reply_at=now))


async def overdue(uow: UnitOfWork, *, now: datetime, sla: timedelta) -> list[Ticket]:
    """WAITING tickets older than ``sla`` and not reminded about within the last ``sla``."""
    return order_queue(
        ticket
        for ticket in await uow.tickets.waiting()
        if now - ticket.created_at >= sla
        and (ticket.reminded_at is None or now - ticket.reminded_at >= sla)
    )


async def mark_reminded(uow: UnitOfWork, ticket_id: int, *, now: datetime) -> Ticket:
    """Record that operators were reminded, so :func:`overdue` waits another ``sla``."""
    await _get(uow, ticket_id)
    return await uow.tickets.update(ticket_id, TicketChanges(reminded_at=now))


def _check_line(line: int) -> None:
    if not 1 <= line <= MAX_LINE:
        raise EscalationError(f"support line {line} does not exist: use 1..{MAX_LINE}")


async def _get(uow: UnitOfWork, ticket_id: int) -> Ticket:
    ticket = await uow.tickets.get(ticket_id)
    if ticket is None:
        raise TicketNotFound(ticket_id)
    return ticket


async def _open_ticket(uow: UnitOfWork, ticket_id: int, action: str) -> Ticket:
    ticket = await _get(uow, ticket_id)
    if not ticket.status.is_open:
        raise TicketClosed(ticket_id, ticket.status.value, action)
    return ticket
