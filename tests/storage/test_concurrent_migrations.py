"""Several replicas starting at once on an empty database: every one migrates without an error.

Each contender is a process of its own (Alembic's ``context`` is per process: threads cannot
migrate side by side), released together by a barrier once connected so their first statements
race. Without the lock
PostgreSQL fails the losers (``duplicate key value violates unique constraint
"pg_type_typname_nsp_index"`` or ``relation "alembic_version" already exists``) and SQLite's
(``table alembic_version already exists``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import Database
from tests.pg import POSTGRES_URL, admin_connection

CONTENDERS = 3
ROUNDS = 2  # a race that is lost once in a while would slip through a single round


def _migrate(url: str, schema: str | None, barrier: Barrier, errors: Queue[str]) -> None:
    """One replica's start-up: connect, wait for the others, migrate; errors go to ``errors``."""

    async def migrate() -> None:
        database = Database.connect(url, schema=schema)
        try:
            barrier.wait(timeout=60)
            await database.create_schema()
        finally:
            await database.dispose()

    try:
        asyncio.run(migrate())
    except BaseException as exc:
        errors.put(f"{type(exc).__name__}: {exc}")


def _migrate_all_at_once(url: str, schema: str | None = None) -> list[str]:
    """Runs ``create_schema`` in CONTENDERS processes at the same moment; their errors."""
    spawn = multiprocessing.get_context("spawn")  # a clean interpreter, like a new replica
    barrier = spawn.Barrier(CONTENDERS)
    errors: Queue[str] = spawn.Queue()
    processes = [
        spawn.Process(target=_migrate, args=(url, schema, barrier, errors))
        for _ in range(CONTENDERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert [p.exitcode for p in processes] == [0] * CONTENDERS, found
    return found


async def _check_schema(database: Database) -> None:
    try:
        assert await database.current_revision() == Database.head_revision()
        assert await database.schema_differences() == []
        async with database.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT count(*) FROM alembic_version"))).scalar()
        assert rows == 1
    finally:
        await database.dispose()


async def _empty(schema: str) -> None:
    """Drops everything of ``schema``: the next round starts from nothing again."""
    admin = await admin_connection()
    try:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await admin.close()


@pytest.mark.postgres
async def test_replicas_migrating_an_empty_postgres_schema_at_once_all_succeed(
    pg_schema: str,
) -> None:
    for _ in range(ROUNDS):
        await _empty(pg_schema)
        assert await asyncio.to_thread(_migrate_all_at_once, POSTGRES_URL, pg_schema) == []
        await _check_schema(Database.connect(POSTGRES_URL, schema=pg_schema))


async def test_replicas_migrating_a_new_sqlite_file_at_once_all_succeed(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        url = f"sqlite+aiosqlite:///{tmp_path / f'race{round_}.sqlite3'}"
        assert await asyncio.to_thread(_migrate_all_at_once, url) == []
        await _check_schema(Database.connect(url))
