"""Alembic, driven from code: upgrade, current revision, and drift between models and migrations.

The migration environment (``storage/migrations/env.py``) uses a connection handed over in
``config.attributes["connection"]`` when there is one, so these functions run the migrations on the
application's own engine (its pragmas, its PostgreSQL schema).

Replicas starting together on an empty database would each try to create the same tables (the
losers fail with ``duplicate key value violates unique constraint "pg_type_typname_nsp_index"``
or ``table alembic_version already exists``), so upgrades and downgrades run one at a time:

- PostgreSQL: a transaction-level advisory lock, taken in the migration's own transaction and
  keyed by the search path (two schemas of one server migrate side by side). The next replica
  waits for the commit, then finds the schema at head and does nothing.
- SQLite: an exclusive ``flock`` on ``<database file>-migration-lock`` beside the database (left
  in place: removing a lock file races with the next process opening it). A file that cannot be
  created skips the lock; SQLite then reports the real problem (a missing or read-only directory).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import Base

__all__ = ["alembic_config", "current_revision", "head_revision", "schema_differences", "upgrade"]

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
LOCK_SUFFIX = "-migration-lock"  # like SQLite's own -wal and -shm
# held until the transaction ends; keyed by the search path so each schema has its own lock
_PG_LOCK = text(
    "SELECT pg_advisory_xact_lock(hashtextextended("
    "'supportbot migrations ' || current_setting('search_path'), 0))"
)


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration, built in code (``storage/alembic.ini`` is for the alembic CLI)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrates to ``revision``; safe to call from several processes at once (one waits)."""
    await _migrate(engine, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _migrate(engine, "downgrade", revision)


async def _migrate(engine: AsyncEngine, action: str, revision: str) -> None:
    async with _sqlite_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(_PG_LOCK)
        await connection.run_sync(_run, action, revision)


def _sqlite_lock_path(engine: AsyncEngine) -> Path | None:
    """The lock file of a SQLite database file; None for PostgreSQL and in-memory SQLite."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    if engine.url.query.get("uri") or database.startswith("file:"):
        return None  # URI filenames name no plain path to lock beside
    return Path(database + LOCK_SUFFIX)


@contextlib.asynccontextmanager
async def _sqlite_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Holds the exclusive lock of a SQLite file's migrations for the block (nothing elsewhere)."""
    path = _sqlite_lock_path(engine)
    try:
        import fcntl
    except ImportError:  # not a POSIX system: no file locks, one process migrates
        path = None
    if path is None:
        yield
        return
    try:
        handle = path.open("ab")
    except OSError as exc:
        log.debug("no migration lock at %s (%s): SQLite will report the problem", path, exc)
        yield
        return
    with handle:  # closing the file releases the lock
        await asyncio.to_thread(fcntl.flock, handle.fileno(), fcntl.LOCK_EX)
        yield


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def schema_differences(engine: AsyncEngine) -> list[str]:
    """What autogenerate would change to match the models; empty when migrations are complete."""
    async with engine.connect() as connection:
        diffs = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    return [repr(diff) for diff in diffs]


def _run(connection: Connection, action: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    if action == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)
