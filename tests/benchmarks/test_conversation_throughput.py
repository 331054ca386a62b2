"""The throughput benchmark on PostgreSQL runs in a database of its own: each run's customers are
new users of a new emulator whose ids restart, so in a database kept from an earlier run they
met that run's customers, open tickets included, and the relay set-up waited for ever on
tickets that were never opened again."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.benchmarks.running import run_benchmark
from tests.pg import POSTGRES_URL, admin_connection


async def customers_in(conn: asyncpg.Connection) -> int:
    if await conn.fetchval("SELECT to_regclass('customers')") is None:
        return 0
    return int(await conn.fetchval("SELECT count(*) FROM customers"))


@pytest.mark.postgres
@pytest.mark.timeout(300)
async def test_a_run_on_postgresql_gets_a_fresh_database_and_drops_it() -> None:
    admin = await admin_connection()  # skips (or fails under CI=true) when it is down
    try:
        customers_before = await customers_in(admin)
        benches = "SELECT count(*) FROM pg_database WHERE datname LIKE 'bench\\_%'"
        databases_before = await admin.fetchval(benches)
        figures = await asyncio.to_thread(
            run_benchmark,
            "conversation_throughput.py",
            *("--db", POSTGRES_URL, "--path", "relay", "--customers", "2", "--messages", "1"),
            *("--min-seconds", "0.1"),
        )
        assert figures["database"] == "PostgreSQL (fresh database)"
        support = figures["support"]  # rounds of 2 fresh customers until 0.1 s was timed
        assert support["messages"] >= 2
        assert support["replies"] == support["messages"]
        assert support["missing"] == 0
        assert await customers_in(admin) == customers_before  # nothing written where it pointed
        assert await admin.fetchval(benches) == databases_before  # its own one dropped
    finally:
        await admin.close()
