"""What the bot learns about itself: decisions, survey answers, and processed update ids."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Insert, Row, bindparam, delete, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handoff import REDELIVERY_WINDOW, Decision, SurveyAnswer
from storage.repositories._common import (
    FRESH,
    add_row,
    changed_rows,
    dialect_insert,
    insert_for,
    table_of,
)
from storage.tables import DecisionRow, ProcessedUpdateRow, SurveyAnswerRow

if TYPE_CHECKING:  # imported by a PostgreSQL engine only
    from sqlalchemy.dialects import postgresql

__all__ = ["SqlDecisionRepository", "SqlSurveyRepository", "SqlUpdateLog"]


def _answer(row: SurveyAnswerRow) -> SurveyAnswer:
    return SurveyAnswer(
        ticket_id=row.ticket_id,
        csat=row.csat,
        solved=row.solved,
        comment=row.comment,
        created_at=row.created_at,
    )


def _decision(row: DecisionRow | Row[Any]) -> Decision:
    return Decision(
        id=row.id,
        conversation_id=row.conversation_id,
        text=row.text,
        language=row.language,
        action=row.action,
        intent=row.intent,
        article=row.article,
        score=row.score,
        created_at=row.created_at,
        helped=row.helped,
    )


class SqlSurveyRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def get(self, ticket_id: int) -> SurveyAnswer | None:
        row = await self._session.get(SurveyAnswerRow, ticket_id, populate_existing=True)
        return None if row is None else _answer(row)

    async def save(
        self,
        ticket_id: int,
        *,
        now: datetime,
        csat: int | None = None,
        solved: bool | None = None,
        comment: str | None = None,
    ) -> SurveyAnswer:
        given = {
            name: value
            for name, value in (("csat", csat), ("solved", solved), ("comment", comment))
            if value is not None
        }
        # Create the row if missing (keeping the first answer's time), then fill in what was given.
        await self._session.execute(
            dialect_insert(self._session, SurveyAnswerRow)
            .values(ticket_id=ticket_id, created_at=now)
            .on_conflict_do_nothing(index_elements=[SurveyAnswerRow.ticket_id])
        )
        if given:
            await changed_rows(
                self._connection,
                update(SurveyAnswerRow)
                .where(SurveyAnswerRow.ticket_id == ticket_id)
                .values(**given),
            )
        answer = await self.get(ticket_id)
        assert answer is not None  # inserted above in this transaction
        return answer

    async def between(self, start: datetime, end: datetime) -> Sequence[SurveyAnswer]:
        rows = await self._session.scalars(
            select(SurveyAnswerRow)
            .where(SurveyAnswerRow.created_at >= start, SurveyAnswerRow.created_at < end)
            .order_by(SurveyAnswerRow.created_at, SurveyAnswerRow.ticket_id),
            execution_options=FRESH,
        )
        return [_answer(row) for row in rows]


class SqlDecisionRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def add(
        self,
        *,
        conversation_id: int,
        text: str,
        language: str,
        action: str,
        intent: str | None,
        article: str | None,
        score: float,
        now: datetime,
    ) -> Decision:
        row = await add_row(
            self._connection,
            DecisionRow,
            conversation_id=conversation_id,
            text=text,
            language=language,
            action=action,
            intent=intent,
            article=article,
            score=score,
            created_at=now,
        )
        return _decision(row)

    async def get(self, decision_id: int) -> Decision | None:
        row = await self._session.get(DecisionRow, decision_id, populate_existing=True)
        return None if row is None else _decision(row)

    async def set_feedback(self, decision_id: int, helped: bool) -> Decision | None:
        statement = update(DecisionRow).where(DecisionRow.id == decision_id).values(helped=helped)
        if await changed_rows(self._connection, statement) == 0:
            return None
        row = await self._session.get(DecisionRow, decision_id, populate_existing=True)
        return None if row is None else _decision(row)

    async def between(self, start: datetime, end: datetime) -> Sequence[Decision]:
        rows = await self._session.scalars(
            select(DecisionRow)
            .where(DecisionRow.created_at >= start, DecisionRow.created_at < end)
            .order_by(DecisionRow.created_at, DecisionRow.id),
            execution_options=FRESH,
        )
        return [_decision(row) for row in rows]


@cache
def _record_update(dialect: str) -> Insert:
    """Records an update id; an id seen before the cutoff is taken over (counts as new)."""
    return recording(insert_for(dialect, table_of(ProcessedUpdateRow)))


def recording(insert: sqlite.Insert | postgresql.Insert) -> Insert:
    """``insert`` (an update id) made to take over an id recorded before ``cutoff`` and to
    leave a newer one alone (no row inserted: a redelivery)."""
    table = table_of(ProcessedUpdateRow)
    return insert.on_conflict_do_update(
        index_elements=[table.c.update_id],
        set_={"processed_at": insert.excluded.processed_at},
        where=table.c.processed_at < bindparam("cutoff"),
    )


class SqlUpdateLog:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def first_time(self, update_id: int, *, now: datetime) -> bool:
        # ON CONFLICT DO NOTHING reports a duplicate as "no row inserted" instead of an error, so
        # the transaction stays usable. The id is forgotten again if the unit of work rolls back:
        # a failed update is processed anew when Telegram redelivers it.
        # An id seen longer ago than the redelivery window counts as new: Telegram picks update
        # ids at random after a week without updates, so an old id may come back legitimately.
        statement = _record_update(self._connection.dialect.name)
        params = {"update_id": update_id, "processed_at": now, "cutoff": now - REDELIVERY_WINDOW}
        return await changed_rows(self._connection, statement, params) == 1

    async def forget_before(self, cutoff: datetime) -> int:
        statement = delete(ProcessedUpdateRow).where(ProcessedUpdateRow.processed_at < cutoff)
        return await changed_rows(self._connection, statement)
