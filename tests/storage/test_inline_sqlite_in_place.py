"""SQLite statements and commits of a unit of work run in place, without SQLAlchemy's greenlets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.ext.asyncio.engine as async_engine
import sqlalchemy.ext.asyncio.session as async_session
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from storage import Database
from storage.inline_sqlite import in_place, in_place_ready, sync_of
from tests.storage.helpers import add_customer


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the sync functions SQLAlchemy's asyncio layer ran in a greenlet."""
    names: list[str] = []
    for module in (async_engine, async_session):
        original: Callable[..., Any] = module.greenlet_spawn

        async def counting(
            fn: Callable[..., Any], *args: Any, _o: Any = original, **kw: Any
        ) -> Any:
            names.append(getattr(fn, "__name__", repr(fn)))
            return await _o(fn, *args, **kw)

        monkeypatch.setattr(module, "greenlet_spawn", counting)
    return names


def test_this_sqlalchemy_lets_sqlite_run_in_place() -> None:
    # if an upgrade changes how the aiosqlite adapter awaits, this says so (and the bot still
    # works, through the greenlets, only slower)
    assert in_place_ready()


async def test_a_unit_of_work_spawns_no_greenlet(sqlite_db: Database, spawned: list[str]) -> None:
    async with sqlite_db.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=7)
        await uow.customers.save_state(customer.id, customer.state)
        assert await uow.customers.get(customer.id) is not None
    # the connection taken and its transaction begun, the statements, the commit and the close
    # all run in place
    assert spawned == []
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.customers.get(customer.id) is not None


async def test_a_failed_unit_of_work_rolls_back_in_place(
    sqlite_db: Database, spawned: list[str]
) -> None:
    async def failing() -> None:
        async with sqlite_db.unit_of_work() as uow:
            await add_customer(uow, telegram_id=8)
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError, match="the handler failed"):
        await failing()
    assert spawned == []
    async with sqlite_db.unit_of_work() as uow:
        assert await uow.customers.get_by_telegram_id(8) is None


async def test_the_pools_first_connection_is_taken_the_usual_way(
    tmp_path: Path, spawned: list[str]
) -> None:
    # SQLAlchemy runs its first-connect hooks under an asyncio lock, which cannot be run in place
    url = f"sqlite+aiosqlite:///{tmp_path / 'first.sqlite3'}"
    db = Database.connect(url)
    try:
        await db.create_schema()
        spawned.clear()
        async with db.unit_of_work() as uow:
            customer = await add_customer(uow, telegram_id=9)
        assert spawned == []  # the pool has its connection: in place
    finally:
        await db.dispose()
    fresh = Database.connect(url)
    try:
        spawned.clear()
        async with fresh.unit_of_work() as uow:
            assert await uow.customers.get(customer.id) is not None
        # its pool's first: the attempt's session closed, the connection taken the usual way
        assert spawned == ["close", "connection"]
        async with fresh.unit_of_work() as uow:
            assert await uow.customers.get(customer.id) is not None
        assert spawned == ["close", "connection"]  # the next one in place
    finally:
        await fresh.dispose()


async def test_a_stock_aiosqlite_connection_is_not_run_in_place(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'stock.sqlite3'}")
    try:
        async with engine.connect() as connection:
            assert sync_of(connection) is None  # its calls go through aiosqlite's thread
            sync = connection.sync_connection
            assert sync is not None
            with in_place(), pytest.raises(DBAPIError, match="had to wait"):
                sync.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
