"""Small helpers shared by the repositories.

Writes and the hot lookups run as SQLAlchemy Core statements on the unit of work's connection:
the rows are turned into the ports' frozen dataclasses at once, so the ORM's identity map and
flush machinery (which cost several times the statement itself) are never needed for them.
Statements that do not depend on the values are built once (:func:`functools.cache`) and run
with bound parameters, so SQLAlchemy finds their compiled form in its cache without rebuilding
a cache key from a fresh statement each time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, Final, TypeVar, cast

from sqlalchemy import CursorResult, Executable, Insert, Result, Row, Table, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.errors import RecordNotFoundError
from storage.inline_sqlite import in_place, sync_of

if TYPE_CHECKING:  # imported by a PostgreSQL engine only: SQLite spares its 2 MB
    from sqlalchemy.dialects import postgresql

__all__ = [
    "FRESH",
    "add_row",
    "changed_rows",
    "dialect_insert",
    "execute",
    "first_row",
    "insert_for",
    "require",
    "table_of",
]

T = TypeVar("T")

# ORM reads always refresh rows already in the session: a conditional UPDATE or another
# transaction may have changed them since they were loaded.
FRESH: Final = {"populate_existing": True}


def dialect_insert(session: AsyncSession, entity: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that knows ``ON CONFLICT`` for the session's backend."""
    return insert_for(session.get_bind().dialect.name, entity)


def insert_for(dialect: str, entity: Any) -> sqlite.Insert | postgresql.Insert:
    """An INSERT that knows ``ON CONFLICT`` for the backend named ``dialect``."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert(entity)
    return sqlite.insert(entity)


def table_of(entity: type[Any]) -> Table:
    """The Core table behind a mapped class."""
    return cast(Table, entity.__table__)


Params = Mapping[str, object] | Sequence[Mapping[str, object]] | None


async def execute(
    connection: AsyncConnection, statement: Executable, params: Params = None
) -> Result[Any]:
    """``connection.execute``, run in place on an inline SQLite connection (no greenlet round
    trips, :mod:`storage.inline_sqlite`); a list of parameter sets runs as one executemany."""
    sync = sync_of(connection)
    if sync is not None:
        with in_place():
            return sync.execute(statement, params)
    return await connection.execute(statement, params)


@cache
def _insert_returning(table: Table) -> Insert:
    return insert(table).returning(*table.c)


async def add_row(connection: AsyncConnection, entity: type[Any], **values: object) -> Row[Any]:
    """INSERT ... RETURNING: the new row as the database holds it (ids, UTC timestamps).

    The row is a Core row: its attributes are the table's columns (as on the mapped class).
    """
    # Core applies the columns' Python-side defaults to what is not given
    result = await execute(connection, _insert_returning(table_of(entity)), values)
    return result.one()


async def first_row(
    connection: AsyncConnection, statement: Executable, params: Mapping[str, object] | None = None
) -> Row[Any] | None:
    """The first row of a Core SELECT (or None)."""
    result = await execute(connection, statement, dict(params or {}))
    return result.first()


async def changed_rows(
    connection: AsyncConnection, statement: Executable, params: Mapping[str, object] | None = None
) -> int:
    """Runs an UPDATE/DELETE/INSERT (no ORM synchronisation); how many rows it matched."""
    result = await execute(connection, statement, dict(params or {}))
    return cast(CursorResult[Any], result).rowcount


def require(value: T | None, what: str, key: object) -> T:
    if value is None:
        raise RecordNotFoundError(f"{what} {key} does not exist")
    return value
