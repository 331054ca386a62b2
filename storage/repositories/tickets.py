"""Tickets: creation, lookups, the atomic take, status changes and the queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handoff import NewTicket, Priority, TakeResult, Ticket, TicketChanges, TicketStatus
from storage.repositories._common import (
    FRESH,
    add_row,
    changed_rows,
    first_row,
    require,
    table_of,
)
from storage.tables import TicketRow

__all__ = ["SqlTicketRepository"]

OPEN = (TicketStatus.WAITING.value, TicketStatus.TAKEN.value)


def _ticket(row: TicketRow | Row[Any]) -> Ticket:
    return Ticket(
        id=row.id,
        customer_id=row.customer_id,
        conversation_id=row.conversation_id,
        status=TicketStatus(row.status),
        priority=Priority(row.priority),
        line=row.line,
        language=row.language,
        subject=row.subject,
        intent=row.intent,
        confidence=row.confidence,
        created_at=row.created_at,
        operator_id=row.operator_id,
        operator_name=row.operator_name,
        taken_at=row.taken_at,
        first_reply_at=row.first_reply_at,
        resolved_at=row.resolved_at,
        group_chat_id=row.group_chat_id,
        topic_id=row.topic_id,
        card_message_id=row.card_message_id,
        previous_ticket_id=row.previous_ticket_id,
        reminded_at=row.reminded_at,
        handoff_cause=row.handoff_cause,
    )


@cache
def _newest_of_customer(*, open_only: bool) -> Select[Any]:
    table = table_of(TicketRow)
    statement = select(*table.c).where(table.c.customer_id == bindparam("customer_id"))
    if open_only:
        statement = statement.where(table.c.status.in_(OPEN))
    return statement.order_by(table.c.id.desc()).limit(1)  # newest: see _newest


@cache
def _by_id() -> Select[Any]:
    table = table_of(TicketRow)
    return select(*table.c).where(table.c.id == bindparam("id"))


@cache
def _newest_in_place(column: str) -> Select[Any]:
    """The newest ticket in a group's topic or under a card (``column``)."""
    table = table_of(TicketRow)
    return (
        select(*table.c)
        .where(table.c.group_chat_id == bindparam("group"), table.c[column] == bindparam("place"))
        # the newest is the last created: ids only grow, the wall clock may step back
        .order_by(table.c.id.desc())
        .limit(1)
    )


class SqlTicketRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def create(self, new: NewTicket) -> Ticket:
        row = await add_row(
            self._connection,
            TicketRow,
            customer_id=new.customer_id,
            conversation_id=new.conversation_id,
            status=TicketStatus.WAITING.value,
            priority=int(new.priority),
            line=new.line,
            language=new.language,
            subject=new.subject,
            intent=new.intent,
            confidence=new.confidence,
            created_at=new.created_at,
            previous_ticket_id=new.previous_ticket_id,
        )
        return _ticket(row)

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await first_row(self._connection, _by_id(), {"id": ticket_id})
        return None if row is None else _ticket(row)

    async def open_for_customer(self, customer_id: int) -> Ticket | None:
        return await self._of_customer(customer_id, open_only=True)

    async def last_for_customer(self, customer_id: int) -> Ticket | None:
        return await self._of_customer(customer_id, open_only=False)

    async def _of_customer(self, customer_id: int, *, open_only: bool) -> Ticket | None:
        statement = _newest_of_customer(open_only=open_only)
        row = await first_row(self._connection, statement, {"customer_id": customer_id})
        return None if row is None else _ticket(row)

    async def by_topic(self, group_chat_id: int, topic_id: int) -> Ticket | None:
        params = {"group": group_chat_id, "place": topic_id}
        row = await first_row(self._connection, _newest_in_place("topic_id"), params)
        return None if row is None else _ticket(row)

    async def by_card(self, group_chat_id: int, card_message_id: int) -> Ticket | None:
        params = {"group": group_chat_id, "place": card_message_id}
        row = await first_row(self._connection, _newest_in_place("card_message_id"), params)
        return None if row is None else _ticket(row)

    async def take(
        self, ticket_id: int, *, operator_id: int, operator_name: str, now: datetime
    ) -> TakeResult | None:
        # The database decides: only one transaction can move the row out of WAITING. On
        # PostgreSQL the loser waits for the winner's row lock and then matches nothing; on SQLite
        # the writer gate runs one unit of work at a time, so the loser starts after the winner.
        statement = (
            update(TicketRow)
            .where(TicketRow.id == ticket_id, TicketRow.status == TicketStatus.WAITING.value)
            .values(
                status=TicketStatus.TAKEN.value,
                operator_id=operator_id,
                operator_name=operator_name,
                taken_at=now,
            )
        )
        won = await changed_rows(self._connection, statement) == 1
        ticket = await self.get(ticket_id)
        return None if ticket is None else TakeResult(ticket=ticket, won=won)

    async def set_status(self, ticket_id: int, status: TicketStatus, *, now: datetime) -> Ticket:
        values: dict[str, object] = {"status": status.value}
        if status in (TicketStatus.RESOLVED, TicketStatus.CANCELLED):
            values["resolved_at"] = now
        elif status is TicketStatus.WAITING:
            values["resolved_at"] = None
        return await self._change(ticket_id, values)

    async def update(self, ticket_id: int, changes: TicketChanges) -> Ticket:
        values = changes.values()
        if isinstance(priority := values.get("priority"), Priority):
            values["priority"] = int(priority)
        return await self._change(ticket_id, values)

    async def waiting(self) -> Sequence[Ticket]:
        return await self._many(
            TicketRow.status == TicketStatus.WAITING.value,
            order_by=(TicketRow.priority.desc(), TicketRow.created_at, TicketRow.id),
        )

    async def open_tickets(self) -> Sequence[Ticket]:
        return await self._many(
            TicketRow.status.in_(OPEN), order_by=(TicketRow.created_at, TicketRow.id)
        )

    async def recent_waits(self, *, since: datetime, limit: int = 50) -> Sequence[float]:
        rows = await self._session.execute(
            select(TicketRow.created_at, TicketRow.taken_at)
            .where(TicketRow.taken_at.is_not(None), TicketRow.taken_at >= since)
            .order_by(TicketRow.taken_at.desc(), TicketRow.id.desc())
            .limit(limit)
        )
        return [
            (taken_at - created_at).total_seconds()
            for created_at, taken_at in rows
            if taken_at is not None
        ]

    async def resolved_between(self, start: datetime, end: datetime) -> Sequence[Ticket]:
        return await self._many(
            TicketRow.resolved_at >= start,
            TicketRow.resolved_at < end,
            order_by=(TicketRow.resolved_at, TicketRow.id),
        )

    async def created_between(self, start: datetime, end: datetime) -> Sequence[Ticket]:
        return await self._many(
            TicketRow.created_at >= start,
            TicketRow.created_at < end,
            order_by=(TicketRow.created_at, TicketRow.id),
        )

    async def _change(self, ticket_id: int, values: dict[str, object]) -> Ticket:
        if not values:
            return require(await self.get(ticket_id), "ticket", ticket_id)
        table = table_of(TicketRow)  # UPDATE ... RETURNING: the ticket as changed, in one go
        statement = update(table).where(table.c.id == ticket_id).values(**values)
        row = await first_row(self._connection, statement.returning(*table.c))
        return _ticket(require(row, "ticket", ticket_id))

    async def _many(
        self, *conditions: ColumnElement[bool], order_by: Sequence[Any]
    ) -> Sequence[Ticket]:
        rows = await self._session.scalars(
            select(TicketRow).where(*conditions).order_by(*order_by), execution_options=FRESH
        )
        return [_ticket(row) for row in rows]
