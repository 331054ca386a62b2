"""Backends for the storage tests: the in-memory twin, SQLite in a temporary file, PostgreSQL.

PostgreSQL tests get a fresh schema each (``test_<random>``, dropped afterwards) on the server at
``$SUPPORTBOT_TEST_POSTGRES_URL`` (default below). An unreachable server skips them with the reason,
or fails them when ``CI=true``.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from handoff.memory import InMemoryStore
from handoff.ports import UnitOfWorkFactory
from storage import Database
from tests.pg import POSTGRES_URL, admin_connection
from tests.storage.helpers import T0, Seeded, add_customer


@pytest.fixture
async def pg_schema() -> AsyncIterator[str]:
    """A new, empty PostgreSQL schema, dropped with everything in it after the test."""
    admin = await admin_connection()
    schema = f"test_{secrets.token_hex(6)}"
    try:
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        yield schema
    finally:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}")
    try:
        await db.create_schema()
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def pg_db(pg_schema: str) -> AsyncIterator[Database]:
    db = Database.connect(POSTGRES_URL, schema=pg_schema)
    try:
        await db.create_schema()
        yield db
    finally:
        await db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """Each SQL backend, migrated to head."""
    name = "sqlite_db" if request.param == "sqlite" else "pg_db"
    database: Database = request.getfixturevalue(name)
    return database


@dataclass
class Backend:
    """What the contract tests see: a name and a way to open units of work."""

    name: str
    unit_of_work: UnitOfWorkFactory


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Backend:
    """The same contract, three implementations: the twin cannot drift from the database."""
    if request.param == "memory":
        return Backend("memory", InMemoryStore().unit_of_work)
    database: Database = request.getfixturevalue(
        "sqlite_db" if request.param == "sqlite" else "pg_db"
    )
    return Backend(request.param, database.unit_of_work)


@pytest.fixture
async def seeded(backend: Backend) -> Seeded:
    """One customer with one conversation, committed."""
    async with backend.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=1001)
        conversation = await uow.conversations.current(customer.id, now=T0, idle_after_s=600)
    return Seeded(customer, conversation.id)
