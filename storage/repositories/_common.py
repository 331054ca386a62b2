"""Small helpers shared by the repositories."""

from __future__ import annotations

from typing import Any, Final, TypeVar, cast

from sqlalchemy import CursorResult, Executable, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import RecordNotFoundError

__all__ = ["FRESH", "add_row", "changed_rows", "dialect_insert", "require"]

T = TypeVar("T")
Row = TypeVar("Row")

# Reads always refresh rows already in the session: a conditional UPDATE or another transaction
# may have changed them since they were loaded.
FRESH: Final = {"populate_existing": True}


def dialect_insert(session: AsyncSession, entity: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that knows ``ON CONFLICT`` for the session's backend."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(entity)
    return sqlite.insert(entity)


async def add_row(session: AsyncSession, entity: type[Row], **values: object) -> Row:
    """INSERT ... RETURNING: the new row as the database holds it (ids, UTC timestamps)."""
    statement = insert(entity).values(**values).returning(entity)
    return (await session.scalars(statement, execution_options=FRESH)).one()


async def changed_rows(session: AsyncSession, statement: Executable) -> int:
    """Runs an UPDATE/DELETE (no ORM synchronisation) and returns how many rows it matched."""
    result = await session.execute(statement, execution_options={"synchronize_session": False})
    return cast(CursorResult[Any], result).rowcount


def require(value: T | None, what: str, key: object) -> T:
    if value is None:
        raise RecordNotFoundError(f"{what} {key} does not exist")
    return value
