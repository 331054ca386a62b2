"""aiosqlite without its worker thread: each SQLite call runs at once, on the event loop.

aiosqlite hands every call (cursor, execute, fetch, close, commit) to a thread of its own and
wakes the event loop when it is done. For the statements this bot runs, a few microseconds each in
SQLite, that hand-over is the cost: ``benchmarks/message_cost.py`` times one small INSERT through
SQLAlchemy Core both ways (about four times the CPU through the thread), and a customer's message
runs about ten statements.

Running in place blocks the loop for as long as SQLite works. That is fine here because:

- within the process, writers already take turns (``WriterGate``), so SQLite's busy timeout never
  waits on a writer of this process, and with WAL readers never wait at all;
- every query of the bot's hot path touches a handful of rows through an index;
- with ``synchronous=NORMAL`` a commit writes the WAL without fsync. Only a checkpoint syncs
  (SQLite runs one inside a commit once the WAL passes 1000 pages, about 4 MB of writes): that
  commit holds the loop for the fsync.

Another process writing to the same file (a second bot on one file is not supported) could make
a statement wait up to the busy timeout with the loop blocked. PostgreSQL is unaffected: asyncpg
is asynchronous all the way down.

**Without the greenlet round trips.** SQLAlchemy's asyncio layer runs each statement as sync code
in a greenlet of its own (``greenlet_spawn``) that hands every driver call back to the event loop
(``await_``) and waits to be switched back: two or three greenlet switches per statement, and a
greenlet per call, for calls that here complete before they return. :func:`in_place` runs the
sync side of a connection or session directly on the loop instead: while it is active, the
``await_`` of SQLAlchemy's aiosqlite adapter drives the driver's coroutine to its end at once
(:func:`sync_of` says whether a connection is one of these). Measured on one small INSERT: about
0.12 ms of CPU through ``AsyncConnection.execute``, 0.07 ms in place. A coroutine that would
really wait (stock aiosqlite's thread, a pool with no free connection) is refused with an error,
never half run; outside :func:`in_place` everything goes through SQLAlchemy as usual.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Generator, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import ModuleType
from typing import Any, TypeVar

import aiosqlite
import sqlalchemy.connectors.asyncio as _adapter_base
import sqlalchemy.dialects.sqlite.aiosqlite as _adapter
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["InlineConnection", "connect", "in_place", "in_place_ready", "sync_of"]

T = TypeVar("T")

_Job = tuple[asyncio.Future[Any] | None, Callable[[], Any]]


class _RunNow:
    """Stands in for aiosqlite's queue to its thread: a queued call runs as it is queued."""

    def put_nowait(self, job: _Job) -> None:
        future, function = job
        try:
            result = function()
        except BaseException as error:  # handed to the awaiting caller, as aiosqlite does
            if future is not None and not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An :class:`aiosqlite.Connection` whose calls complete before they return.

    Everything aiosqlite routes through its queue (including SQLAlchemy's own use of it to set
    the isolation level) runs in place; the thread is never started.
    """

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, aiosqlite.Connection]:
        return self._connect().__await__()  # no thread to start

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)


def connect(database: str, *, iter_chunk_size: int = 64, **kwargs: Any) -> InlineConnection:
    """Like :func:`aiosqlite.connect`; the arguments go to :func:`sqlite3.connect`."""

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return connection

    return InlineConnection(connector, iter_chunk_size)


# ---------------------------------------------------------------- calls without the greenlets
_in_place: ContextVar[bool] = ContextVar("sqlite_in_place", default=False)


def _run_now(awaitable: Awaitable[T]) -> T:
    """The result of ``awaitable``, which must complete without waiting (an inline call)."""
    steps = awaitable.__await__()
    try:
        steps.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    steps.close()
    raise RuntimeError(
        "a SQLite call run in place had to wait: only connections opened by "
        "storage.inline_sqlite.connect complete at once; run it through SQLAlchemy's asyncio API"
    )


def _dispatching(original: Callable[[Awaitable[Any]], Any]) -> Callable[[Awaitable[Any]], Any]:
    def await_(awaitable: Awaitable[Any]) -> Any:
        if _in_place.get():
            return _run_now(awaitable)
        return original(awaitable)

    await_.in_place = True  # type: ignore[attr-defined]
    return await_


def _install(module: ModuleType) -> bool:
    """Route ``module``'s ``await_`` through the in-place switch; False if it has none (another
    SQLAlchemy version: then nothing runs in place)."""
    original = getattr(module, "await_", None)
    if original is None:
        return False
    if not getattr(original, "in_place", False):
        module.await_ = _dispatching(original)  # type: ignore[attr-defined]
    return True


_READY = _install(_adapter_base) and _install(_adapter)


def in_place_ready() -> bool:
    """Whether this SQLAlchemy lets SQLite calls run in place (its adapter calls a module-level
    ``await_``, as 2.1 does); if not, everything goes through the asyncio API."""
    return _READY


def sync_of(connection: AsyncConnection) -> Connection | None:
    """The sync side of ``connection`` when its SQLite calls complete in place, else None."""
    if not _READY or connection.dialect.name != "sqlite":
        return None
    sync = connection.sync_connection
    if sync is None or not isinstance(sync.connection.driver_connection, InlineConnection):
        return None
    return sync


@contextmanager
def in_place() -> Iterator[None]:
    """Inside, the sync side of an inline SQLite connection (or of a session bound to one) may be
    called directly on the event loop: its driver calls complete at once."""
    token = _in_place.set(True)
    try:
        yield
    finally:
        _in_place.reset(token)
