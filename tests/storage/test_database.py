"""What only the SQL backends have: pragmas, migrations, error translation, raw storage format."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from handoff.dialog import DialogState, SurveyState, SurveyStep
from handoff.model import NewTicket, Priority
from storage import Database, StorageError, StorageUnavailableError
from storage.inline_sqlite import InlineConnection
from storage.tables import CustomerRow
from tests.pg import POSTGRES_URL
from tests.storage.helpers import T0, add_customer

ROOT = Path(__file__).resolve().parents[2]
TABLES = {
    "conversations",
    "customers",
    "dead_letters",
    "decisions",
    "messages",
    "outbox",
    "outbox_steps",
    "processed_updates",
    "relay_links",
    "survey_answers",
    "tickets",
}


async def _tables(db: Database) -> set[str]:
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if db.dialect == "sqlite"
        else "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = current_schema()"
    )
    async with db.engine.connect() as connection:
        return set((await connection.execute(text(query))).scalars())


async def test_migrations_build_exactly_the_models(db: Database) -> None:
    assert await db.current_revision() == Database.head_revision()
    assert await _tables(db) == TABLES | {"alembic_version"}
    assert await db.schema_differences() == []


async def test_downgrade_to_base_and_upgrade_again(db: Database) -> None:
    await db.downgrade("base")
    assert await db.current_revision() is None
    assert await _tables(db) <= {"alembic_version"}
    await db.create_schema()
    assert await db.current_revision() == Database.head_revision()
    async with db.unit_of_work() as uow:
        await add_customer(uow, telegram_id=1)


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    sqlite_db: Database,
) -> None:
    async with sqlite_db.engine.connect() as connection:
        pragma = {
            name: (await connection.execute(text(f"PRAGMA {name}"))).scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000}


async def test_a_new_sqlite_file_another_connection_is_writing_still_gets_wal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # switching a file to WAL needs it to itself, and SQLite reports a writer's lock at once
    # instead of waiting its busy timeout: replicas starting together on a new file failed
    path = tmp_path / "new.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("CREATE TABLE elsewhere (id INTEGER)")
    pauses: list[float] = []

    def pause(seconds: float) -> None:  # the writer finishes while the new connection waits
        pauses.append(seconds)
        if writer.in_transaction:
            writer.execute("COMMIT")

    monkeypatch.setattr(time, "sleep", pause)
    database = Database.connect(f"sqlite+aiosqlite:///{path}")
    try:
        async with database.engine.connect() as connection:
            mode = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
        assert mode == "wal"
        assert pauses, "the first switch should have met the writer's lock"
    finally:
        writer.close()
        await database.dispose()


async def test_sqlite_calls_run_in_place_without_a_driver_thread(sqlite_db: Database) -> None:
    threads_before = threading.active_count()
    async with sqlite_db.unit_of_work() as uow:
        await add_customer(uow, telegram_id=7)
        async with sqlite_db.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            assert isinstance(raw.driver_connection, InlineConnection)
            # a statement completes before the call returns: no await hands it to a thread
            cursor = await raw.driver_connection.execute("SELECT 41 + 1")
            assert await cursor.fetchone() == (42,)
    assert threading.active_count() == threads_before


async def test_a_failing_sqlite_statement_raises_at_its_caller(sqlite_db: Database) -> None:
    async with sqlite_db.engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            await raw.execute("SELECT * FROM no_such_table")
        cursor = await raw.execute("SELECT 1")  # the connection is still usable
        assert await cursor.fetchone() == (1,)


async def test_sqlite_stores_utc_wall_time(sqlite_db: Database) -> None:
    async with sqlite_db.unit_of_work() as uow:
        await add_customer(uow, telegram_id=1)
    async with sqlite_db.engine.connect() as connection:
        raw = (await connection.execute(text("SELECT created_at FROM customers"))).scalar()
    assert raw == "2025-03-03 09:00:00.000000"


async def test_foreign_keys_are_enforced_and_reported_as_storage_errors(db: Database) -> None:
    async def orphan_ticket() -> None:
        async with db.unit_of_work() as uow:
            await uow.tickets.create(
                NewTicket(
                    customer_id=999,
                    conversation_id=999,
                    priority=Priority.NORMAL,
                    line=1,
                    language="en",
                    subject="orphan",
                    intent=None,
                    confidence=None,
                    created_at=T0,
                )
            )

    with pytest.raises(StorageError, match="rejected a change"):
        await orphan_ticket()


@pytest.mark.postgres
async def test_concurrent_first_time_on_postgres_reports_one_first(pg_db: Database) -> None:
    async def deliver() -> bool:
        async with pg_db.unit_of_work() as uow:
            first = await uow.updates.first_time(77, now=T0)
            await asyncio.sleep(0.02)
            return first

    assert sorted(await asyncio.gather(deliver(), deliver(), deliver())) == [False, False, True]


async def test_concurrent_first_time_on_sqlite_reports_one_first(sqlite_db: Database) -> None:
    """The writer gate runs these units of work one after the other: no race on SQLite, this checks
    the serialised outcome; the race is the PostgreSQL test above."""

    async def deliver() -> bool:
        async with sqlite_db.unit_of_work() as uow:
            first = await uow.updates.first_time(77, now=T0)
            await asyncio.sleep(0.02)
            return first

    assert sorted(await asyncio.gather(deliver(), deliver(), deliver())) == [False, False, True]


async def test_a_database_without_schema_says_to_upgrade(tmp_path: Path) -> None:
    db = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        with pytest.raises(StorageError, match="supportbot db upgrade"):
            async with db.unit_of_work() as uow:
                await uow.tickets.get(1)
    finally:
        await db.dispose()


async def test_an_unreachable_server_is_storage_unavailable() -> None:
    db = Database.connect("postgresql+asyncpg://bot:secret@127.0.0.1:1/nowhere")
    try:
        with pytest.raises(StorageUnavailableError, match=r"\[database\] url") as caught:
            async with db.unit_of_work():
                pass
    finally:
        await db.dispose()
    assert "secret" not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value)


async def test_an_unwritable_sqlite_path_is_storage_unavailable(tmp_path: Path) -> None:
    db = Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'no' / 'such' / 'dir.sqlite3'}")
    try:
        with pytest.raises(StorageUnavailableError, match="directory exists"):
            await db.create_schema()
    finally:
        await db.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql+aiomysql://localhost/bot", "unsupported database URL"),
        ("sqlite:///sync.sqlite3", "unsupported database URL"),
        ("not a url", "cannot parse"),
    ],
)
def test_unsupported_urls_are_refused_up_front(url: str, message: str) -> None:
    with pytest.raises(StorageError, match=message):
        Database.connect(url)


def test_a_schema_is_for_postgresql_only() -> None:
    with pytest.raises(StorageError, match="only be set for PostgreSQL"):
        Database.connect("sqlite+aiosqlite:///x.sqlite3", schema="other")


@pytest.mark.postgres
async def test_postgres_tables_live_in_the_configured_schema(
    pg_db: Database, pg_schema: str
) -> None:
    async with pg_db.engine.connect() as connection:
        schema = (await connection.execute(text("SELECT current_schema()"))).scalar()
    assert schema == pg_schema
    assert "tickets" in await _tables(pg_db)


def test_the_alembic_command_line_builds_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "cli.sqlite3"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            str(ROOT / "storage" / "alembic.ini"),
            "-x",
            f"url=sqlite+aiosqlite:///{target}",
            "upgrade",
            "head",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr

    async def revision() -> str | None:
        db = Database.connect(f"sqlite+aiosqlite:///{target}")
        try:
            return await db.current_revision()
        finally:
            await db.dispose()

    assert asyncio.run(revision()) == Database.head_revision()


def test_postgres_url_for_tests_is_asyncpg() -> None:
    assert POSTGRES_URL.startswith("postgresql+asyncpg://")


async def test_sqlite_serves_many_concurrent_units_of_work_without_locking_errors(
    sqlite_db: Database,
) -> None:
    # Each unit of work writes, then awaits something else before committing (as the bot does
    # while it matches a message): 50 × 0.12 s of write transactions outlast SQLite's 5 s busy
    # timeout, so without the writer gate the last ones fail with "database is locked".
    async def update(update_id: int) -> bool:
        async with sqlite_db.unit_of_work() as uow:
            first = await uow.updates.first_time(update_id, now=T0)
            await asyncio.sleep(0.12)
            await add_customer(uow, telegram_id=10_000 + update_id)
            return first

    results = await asyncio.gather(*(update(n) for n in range(50)))
    assert all(results)


async def test_a_nested_unit_of_work_on_sqlite_is_refused_not_a_hang(sqlite_db: Database) -> None:
    async with sqlite_db.unit_of_work():
        with pytest.raises(StorageError, match="inside another one"):
            async with sqlite_db.unit_of_work():
                pass
    async with sqlite_db.unit_of_work() as uow:  # the gate was released
        assert await uow.updates.first_time(1, now=T0)


async def test_dialog_state_is_stored_as_the_json_it_always_was(db: Database) -> None:
    async with db.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=1)
        state = DialogState(misses=2, survey=SurveyState(9, SurveyStep.COMMENT))
        await uow.customers.save_state(customer.id, state)
    async with db.engine.connect() as connection:
        raw = (await connection.execute(select(CustomerRow.state))).scalar_one()
    assert raw == {"misses": 2, "survey": {"ticket_id": 9, "step": "comment"}}
    # a row written before the state was typed (a reset counter, a damaged survey) still reads
    async with db.engine.begin() as connection:
        old = {"misses": 0, "survey": {"ticket_id": "9", "step": "csat"}}
        await connection.execute(update(CustomerRow).values(state=old))
    async with db.unit_of_work() as uow:
        loaded = await uow.customers.get(customer.id)
    assert loaded is not None
    assert loaded.state == DialogState()
