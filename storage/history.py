"""Read-only: the records a report needs for a period, as :class:`handoff.metrics.History`.

A report looks a little outside its period: a repeated question, a follow-up ticket or a late
survey answer can fall after ``end``, so everything from ``start - margin`` to ``end + margin``
is read (plus the tickets resolved in the period, whenever they were created).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, union
from sqlalchemy.exc import SQLAlchemyError

from handoff import History
from storage.database import Database
from storage.failures import translate
from storage.repositories.customers import _conversation, _customer
from storage.repositories.feedback import _answer, _decision
from storage.repositories.tickets import _ticket
from storage.tables import (
    ConversationRow,
    CustomerRow,
    DecisionRow,
    SurveyAnswerRow,
    TicketRow,
)

__all__ = ["read_history"]


async def read_history(
    database: Database,
    *,
    start: datetime,
    end: datetime,
    margin: timedelta = timedelta(days=7),
) -> History:
    low, high = start - margin, end + margin
    decision_window = (DecisionRow.created_at >= low) & (DecisionRow.created_at < high)
    ticket_window = or_(
        (TicketRow.created_at >= low) & (TicketRow.created_at < high),
        (TicketRow.resolved_at >= start) & (TicketRow.resolved_at < end),
    )
    # sub-queries rather than lists of ids: a year of history stays one statement each
    conversation_ids = union(
        select(DecisionRow.conversation_id).where(decision_window),
        select(TicketRow.conversation_id).where(ticket_window),
    ).subquery()
    conversation_window = ConversationRow.id.in_(select(conversation_ids.c.conversation_id))
    try:
        async with database.engine.connect() as connection:
            decisions = (
                await connection.execute(
                    select(DecisionRow)
                    .where(decision_window)
                    .order_by(DecisionRow.created_at, DecisionRow.id)
                )
            ).all()
            tickets = (
                await connection.execute(
                    select(TicketRow).where(ticket_window).order_by(TicketRow.id)
                )
            ).all()
            surveys = (
                await connection.execute(
                    select(SurveyAnswerRow).where(
                        SurveyAnswerRow.created_at >= low, SurveyAnswerRow.created_at < high
                    )
                )
            ).all()
            conversations = (
                await connection.execute(select(ConversationRow).where(conversation_window))
            ).all()
            customers = (
                await connection.execute(
                    select(CustomerRow).where(
                        CustomerRow.id.in_(
                            select(ConversationRow.customer_id).where(conversation_window)
                        )
                    )
                )
            ).all()
    except SQLAlchemyError as exc:
        raise translate(exc, database.url) from exc
    return History(
        customers=tuple(_customer(row) for row in customers),
        conversations=tuple(_conversation(row) for row in conversations),
        decisions=tuple(_decision(row) for row in decisions),
        tickets=tuple(_ticket(row) for row in tickets),
        surveys=tuple(_answer(row) for row in surveys),  # type: ignore[arg-type]
    )
