"""Parked updates (dead letters): what the bot could not handle, kept for a person to look at."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handoff import DeadLetter
from storage.repositories._common import add_row, changed_rows, execute, first_row, table_of
from storage.tables import DeadLetterRow

__all__ = ["SqlDeadLetterRepository"]


def _letter(row: Row[Any]) -> DeadLetter:
    return DeadLetter(
        id=row.id,
        update_id=row.update_id,
        kind=row.kind,
        chat_id=row.chat_id,
        private=row.private,
        error=row.error,
        raw=row.raw,
        attempts=row.attempts,
        parked_at=row.parked_at,
        retry_requested=row.retry_requested,
    )


_ORDER = (DeadLetterRow.parked_at, DeadLetterRow.id)
_COLUMNS = table_of(DeadLetterRow).c


class SqlDeadLetterRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def park(
        self,
        *,
        update_id: int,
        kind: str,
        chat_id: int | None,
        private: bool,
        error: str,
        raw: str,
        attempts: int,
        now: datetime,
    ) -> DeadLetter:
        row = await add_row(
            self._connection,
            DeadLetterRow,
            update_id=update_id,
            kind=kind,
            chat_id=chat_id,
            private=private,
            error=error,
            raw=raw,
            attempts=attempts,
            parked_at=now,
            retry_requested=False,
        )
        return _letter(row)

    async def get(self, letter_id: int) -> DeadLetter | None:
        statement = select(*_COLUMNS).where(DeadLetterRow.id == letter_id)
        row = await first_row(self._connection, statement)
        return None if row is None else _letter(row)

    async def oldest(self, *, limit: int = 100) -> Sequence[DeadLetter]:
        statement = select(*_COLUMNS).order_by(*_ORDER).limit(limit)
        result = await execute(self._connection, statement)
        return [_letter(row) for row in result]

    async def request_retry(self, letter_id: int) -> bool:
        statement = (
            update(DeadLetterRow).where(DeadLetterRow.id == letter_id).values(retry_requested=True)
        )
        return await changed_rows(self._connection, statement) == 1

    async def claim_retry(self, letter_id: int) -> bool:
        statement = (
            update(DeadLetterRow)
            .where(DeadLetterRow.id == letter_id, DeadLetterRow.retry_requested.is_(True))
            .values(retry_requested=False)
        )
        return await changed_rows(self._connection, statement) == 1

    async def retry_requested(self) -> Sequence[DeadLetter]:
        statement = (
            select(*_COLUMNS)
            .where(DeadLetterRow.retry_requested.is_(True))
            .order_by(DeadLetterRow.id)
        )
        result = await execute(self._connection, statement)
        return [_letter(row) for row in result]

    async def failed_again(self, letter_id: int, *, error: str, now: datetime) -> None:
        statement = (
            update(DeadLetterRow)
            .where(DeadLetterRow.id == letter_id)
            .values(error=error, attempts=DeadLetterRow.attempts + 1, parked_at=now)
        )
        await changed_rows(self._connection, statement)

    async def drop(self, letter_id: int) -> bool:
        statement = delete(DeadLetterRow).where(DeadLetterRow.id == letter_id)
        return await changed_rows(self._connection, statement) == 1
