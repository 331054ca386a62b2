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
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite

__all__ = ["InlineConnection", "connect"]

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
