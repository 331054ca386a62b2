"""The transactional outbox: work left after a commit, and the Telegram calls made for it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Delete,
    Insert,
    any_,
    bindparam,
    delete,
    exists,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from handoff import PendingWork
from storage.repositories._common import execute, insert_for, table_of
from storage.tables import OutboxRow, OutboxStepRow

__all__ = ["SqlOutboxRepository"]


@cache
def _add_work() -> ReturningInsert[Any]:
    """INSERT ... RETURNING the id alone (not the payload back)."""
    table = table_of(OutboxRow)
    return insert(table).returning(table.c.id)


@cache
def _delete_steps() -> Delete:
    table = table_of(OutboxStepRow)
    return delete(table).where(table.c.work_id == bindparam("work_id"))


@cache
def _delete_work() -> Delete:
    table = table_of(OutboxRow)
    return delete(table).where(table.c.id == bindparam("work_id"))


@cache
def _delete_steps_of_all(dialect: str) -> Delete:
    table = table_of(OutboxStepRow)
    return delete(table).where(_among(table.c.work_id, dialect))


@cache
def _delete_all_work(dialect: str) -> Delete:
    table = table_of(OutboxRow)
    return delete(table).where(_among(table.c.id, dialect))


def _among(column: Column[int], dialect: str) -> ColumnElement[bool]:
    """``column`` is one of the ``work_ids`` given. On PostgreSQL an array parameter
    (``= ANY``): one statement text whatever their number, so asyncpg prepares it once instead
    of once per length, as an expanded ``IN (...)`` would need."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY  # imported by the engine already

        return column == any_(bindparam("work_ids", type_=ARRAY(BigInteger)))
    return column.in_(bindparam("work_ids", expanding=True))


@cache
def _record_step(dialect: str) -> Insert:
    # INSERT ... SELECT WHERE EXISTS: a step of work finished meanwhile is not recorded
    steps = table_of(OutboxStepRow)
    work = bindparam("work_id", type_=steps.c.work_id.type)
    key = bindparam("key", type_=steps.c.key.type)
    result = bindparam("result", type_=steps.c.result.type)
    source = select(work, key, result).where(exists().where(table_of(OutboxRow).c.id == work))
    return (
        insert_for(dialect, table_of(OutboxStepRow))
        .from_select(["work_id", "key", "result"], source)
        .on_conflict_do_nothing()
    )


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def add(
        self, kind: str, payload: str, *, chat_id: int, thread_id: int | None, now: datetime
    ) -> int:
        values = {
            "kind": kind,
            "payload": payload,
            "chat_id": chat_id,
            "thread_id": thread_id,
            "created_at": now,
        }
        result = await execute(self._connection, _add_work(), values)
        return int(result.scalar_one())

    async def pending(
        self, *, created_before: datetime | None = None, limit: int = 100
    ) -> Sequence[PendingWork]:
        query = select(OutboxRow.__table__).order_by(OutboxRow.id).limit(limit)
        if created_before is not None:
            query = query.where(OutboxRow.created_at < created_before)
        rows = (await execute(self._connection, query)).all()
        if not rows:
            return []
        ids = [row.id for row in rows]
        steps: dict[int, dict[str, str]] = {work_id: {} for work_id in ids}
        found = await execute(
            self._connection, select(OutboxStepRow.__table__).where(OutboxStepRow.work_id.in_(ids))
        )
        for step in found:
            steps[step.work_id][step.key] = step.result
        return [
            PendingWork(
                id=row.id,
                kind=row.kind,
                payload=row.payload,
                chat_id=row.chat_id,
                thread_id=row.thread_id,
                created_at=row.created_at,
                steps=steps[row.id],
            )
            for row in rows
        ]

    async def record_step(self, work_id: int, key: str, result: str) -> None:
        statement = _record_step(self._connection.dialect.name)
        await execute(
            self._connection, statement, {"work_id": work_id, "key": key, "result": result}
        )

    async def finish(self, work_id: int, *, steps: bool = True) -> None:
        # the steps first: SQLite enforces ON DELETE CASCADE only with foreign keys switched on
        if steps:
            await execute(self._connection, _delete_steps(), {"work_id": work_id})
        await execute(self._connection, _delete_work(), {"work_id": work_id})

    async def finish_all(self, work_ids: Sequence[int], *, with_steps: Sequence[int] = ()) -> None:
        if with_steps:  # the steps first, as in finish()
            statement = _delete_steps_of_all(self._connection.dialect.name)
            await execute(self._connection, statement, {"work_ids": list(with_steps)})
        if work_ids:
            statement = _delete_all_work(self._connection.dialect.name)
            await execute(self._connection, statement, {"work_ids": list(work_ids)})
