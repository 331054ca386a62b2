"""``read_history`` on SQLite and PostgreSQL: the records of a period and just around it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handoff import tickets
from handoff.model import NewTicket, Priority, TicketChanges
from storage import Database
from storage.history import read_history

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


async def test_reads_what_a_report_needs(db: Database) -> None:
    async with db.unit_of_work() as uow:
        ann = await uow.customers.upsert(
            telegram_id=1, chat_id=1, name="Ann", username=None, language="en", now=T0
        )
        talk = await uow.conversations.current(ann.id, now=T0, idle_after_s=60)
        inside = await uow.decisions.add(conversation_id=talk.id, text="where is it",
                                         language="en", action="answer", intent="order_status",
                                         article=None, score=0.9, now=T0)  # fmt: skip
        request = NewTicket(
            customer_id=ann.id, conversation_id=talk.id, priority=Priority.NORMAL, line=1,
            language="en", subject="s", intent=None, confidence=None, created_at=T0,
        )  # fmt: skip
        opened = await tickets.open_ticket(uow, request, reopen_window=timedelta(minutes=30))
        await uow.tickets.update(opened.ticket.id, TicketChanges(handoff_cause="asked"))
        await uow.surveys.save(opened.ticket.id, now=T0 + timedelta(hours=1), csat=4)
        bob = await uow.customers.upsert(
            telegram_id=2, chat_id=2, name="Bob", username=None, language="en", now=T0
        )
        later = await uow.conversations.current(bob.id, now=T0 + timedelta(days=40),
                                                idle_after_s=60)  # fmt: skip
        await uow.decisions.add(conversation_id=later.id, text="far later", language="en",
                                action="answer", intent=None, article=None, score=0.1,
                                now=T0 + timedelta(days=40))  # fmt: skip
    history = await read_history(db, start=T0 - timedelta(days=1), end=T0 + timedelta(days=1))
    assert [d.id for d in history.decisions] == [inside.id]  # not the one 40 days later
    assert [t.handoff_cause for t in history.tickets] == ["asked"]
    assert [s.csat for s in history.surveys] == [4]
    assert [c.id for c in history.conversations] == [talk.id]
    assert [c.name for c in history.customers] == ["Ann"]
