"""Tickets: creation, lookups, the atomic take, status changes and the queue, in memory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from handoff.memory._base import Repo, missing, opt_utc, utc
from handoff.model import NewTicket, Priority, TakeResult, Ticket, TicketChanges, TicketStatus

__all__ = ["MemoryTicketRepository"]


class MemoryTicketRepository(Repo):
    async def create(self, new: NewTicket) -> Ticket:
        ticket = Ticket(
            id=self._store.next_id(),
            customer_id=new.customer_id,
            conversation_id=new.conversation_id,
            status=TicketStatus.WAITING,
            priority=Priority(new.priority),
            line=new.line,
            language=new.language,
            subject=new.subject,
            intent=new.intent,
            confidence=new.confidence,
            created_at=utc(new.created_at),
            previous_ticket_id=new.previous_ticket_id,
        )
        return self._tx.put(self._store.tickets, ticket.id, ticket)

    async def get(self, ticket_id: int) -> Ticket | None:
        return self._store.tickets.get(ticket_id)

    async def open_for_customer(self, customer_id: int) -> Ticket | None:
        return self._newest(
            t for t in self._all() if t.customer_id == customer_id and t.status.is_open
        )

    async def last_for_customer(self, customer_id: int) -> Ticket | None:
        return self._newest(t for t in self._all() if t.customer_id == customer_id)

    async def by_topic(self, group_chat_id: int, topic_id: int) -> Ticket | None:
        return self._newest(
            t for t in self._all() if t.group_chat_id == group_chat_id and t.topic_id == topic_id
        )

    async def by_card(self, group_chat_id: int, card_message_id: int) -> Ticket | None:
        return self._newest(
            t
            for t in self._all()
            if t.group_chat_id == group_chat_id and t.card_message_id == card_message_id
        )

    async def take(
        self, ticket_id: int, *, operator_id: int, operator_name: str, now: datetime
    ) -> TakeResult | None:
        # No await between the check and the write: atomic for every coroutine of this loop.
        ticket = self._store.tickets.get(ticket_id)
        if ticket is None:
            return None
        if ticket.status is not TicketStatus.WAITING:
            return TakeResult(ticket=ticket, won=False)
        taken = replace(
            ticket,
            status=TicketStatus.TAKEN,
            operator_id=operator_id,
            operator_name=operator_name,
            taken_at=utc(now),
        )
        return TakeResult(ticket=self._tx.put(self._store.tickets, ticket_id, taken), won=True)

    async def set_status(self, ticket_id: int, status: TicketStatus, *, now: datetime) -> Ticket:
        values: dict[str, Any] = {"status": TicketStatus(status)}
        if status in (TicketStatus.RESOLVED, TicketStatus.CANCELLED):
            values["resolved_at"] = utc(now)
        elif status is TicketStatus.WAITING:
            values["resolved_at"] = None
        return self._change(ticket_id, values)

    async def update(self, ticket_id: int, changes: TicketChanges) -> Ticket:
        values: dict[str, Any] = {name: opt_utc(v) for name, v in changes.values().items()}
        if values.get("priority") is not None:
            values["priority"] = Priority(values["priority"])
        return self._change(ticket_id, values)

    async def waiting(self) -> Sequence[Ticket]:
        waiting = [t for t in self._all() if t.status is TicketStatus.WAITING]
        return sorted(waiting, key=lambda t: (-t.priority, t.created_at, t.id))

    async def open_tickets(self) -> Sequence[Ticket]:
        return sorted(
            (t for t in self._all() if t.status.is_open), key=lambda t: (t.created_at, t.id)
        )

    async def recent_waits(self, *, since: datetime, limit: int = 50) -> Sequence[float]:
        since = utc(since)
        taken = [t for t in self._all() if t.taken_at is not None and t.taken_at >= since]
        taken.sort(key=lambda t: (t.taken_at, t.id), reverse=True)
        return [(t.taken_at - t.created_at).total_seconds() for t in taken[:limit] if t.taken_at]

    async def resolved_between(self, start: datetime, end: datetime) -> Sequence[Ticket]:
        start, end = utc(start), utc(end)
        found = [t for t in self._all() if t.resolved_at and start <= t.resolved_at < end]
        return sorted(found, key=lambda t: (t.resolved_at, t.id))

    async def created_between(self, start: datetime, end: datetime) -> Sequence[Ticket]:
        start, end = utc(start), utc(end)
        found = [t for t in self._all() if start <= t.created_at < end]
        return sorted(found, key=lambda t: (t.created_at, t.id))

    def _all(self) -> Iterable[Ticket]:
        return self._store.tickets.values()

    @staticmethod
    def _newest(tickets: Iterable[Ticket]) -> Ticket | None:
        # the newest is the last created: ids only grow, the wall clock may step back
        return max(tickets, key=lambda t: t.id, default=None)

    def _change(self, ticket_id: int, values: dict[str, Any]) -> Ticket:
        found = self._store.tickets.get(ticket_id)
        if found is None:
            raise missing("ticket", ticket_id)
        return self._tx.put(self._store.tickets, ticket_id, replace(found, **values))
