"""Building the async engine: SQLite pragmas on every connection, the PostgreSQL search path."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from storage import inline_sqlite
from storage.errors import StorageError

__all__ = ["BUSY_TIMEOUT_MS", "connects_inline", "create_engine", "describe_url"]

BUSY_TIMEOUT_MS = 5000
SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


def describe_url(url: str | URL) -> str:
    """The URL with its password hidden, for error messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


# PostgreSQL connections kept open, and the most there are (no overflow: a unit of work waits
# for a free one). SQLAlchemy's default closes a connection past the 5th when it is returned,
# and a new one pays the connection's set-up and prepares every statement again (asyncpg's
# prepared statements are per connection): the chats a busy bot handles at once opened and
# closed connections all the time. (The default's limit was 5 + 10 overflow = 15.)
POSTGRES_POOL = 20


def create_engine(url: str | URL, *, schema: str | None = None, echo: bool = False) -> AsyncEngine:
    """An async engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://``.

    SQLite connections get WAL journal mode, foreign keys and a busy timeout; ``schema`` (PostgreSQL
    only) puts every table of this database in that schema through the connection's search path.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(f"cannot parse database URL {url!r}: {exc}") from exc
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise StorageError(
            f"unsupported database URL {describe_url(parsed)}: expected one starting with "
            "sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    connect_args: dict[str, Any] = {}
    options: dict[str, Any] = {}
    if parsed.drivername == "postgresql+asyncpg":
        if schema is not None:
            connect_args["server_settings"] = {"search_path": schema}
        options = {"pool_size": POSTGRES_POOL, "max_overflow": 0}
    elif schema is not None:
        raise StorageError("a schema can only be set for PostgreSQL; SQLite has one per file")
    engine = create_async_engine(parsed, echo=echo, connect_args=connect_args, **options)
    if parsed.drivername == "sqlite+aiosqlite":
        event.listen(engine.sync_engine, "do_connect", _sqlite_connect_inline)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def connects_inline(engine: AsyncEngine) -> bool:
    """Whether ``engine`` opens SQLite connections whose calls complete at once (made by
    :func:`create_engine`), so that they may be run in place (:mod:`storage.inline_sqlite`)."""
    return (
        engine.dialect.name == "sqlite"
        and inline_sqlite.in_place_ready()
        and event.contains(engine.sync_engine, "do_connect", _sqlite_connect_inline)
    )


def _sqlite_connect_inline(
    dialect: Any, _record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
) -> Any:
    """Opens the connection SQLAlchemy asked for, without aiosqlite's thread (see
    :mod:`storage.inline_sqlite`); fails first if the file's directory is missing (SQLite
    would create the file but not its directory)."""
    database = str(cargs[0]) if cargs else ""
    if database and database != ":memory:" and not cparams.get("uri"):
        directory = Path(database).absolute().parent
        if not directory.is_dir():
            raise FileNotFoundError(f"directory {directory} does not exist")
    return dialect.dbapi.connect(*cargs, async_creator_fn=inline_sqlite.connect, **cparams)


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _enter_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL, far fewer fsyncs
    finally:
        cursor.close()


def _enter_wal(cursor: Any) -> None:
    """Puts the file in WAL journal mode (kept in the file: a no-op once done).

    Switching a new file needs it to itself, and SQLite reports another connection's write lock
    at once, without waiting its busy timeout: replicas opening a new file together would fail
    their start-up with "database is locked". The switch is tried again until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.002
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)  # only a new file's first connections ever get here
        pause = min(pause * 2, 0.1)
