"""The SQL unit of work: one session, one transaction, every repository bound to it."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, MissingGreenlet, SQLAlchemyError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from handoff import (
    Arrival,
    Arriving,
    ConversationRepository,
    CustomerRepository,
    DeadLetterRepository,
    DecisionRepository,
    MessageRepository,
    OutboxRepository,
    RelayRepository,
    SurveyRepository,
    TicketRepository,
    UnitOfWork,
    UpdateLog,
    arrive_step_by_step,
)
from storage.errors import StorageError
from storage.failures import translate
from storage.inline_sqlite import in_place, sync_of
from storage.repositories import (
    SqlConversationRepository,
    SqlCustomerRepository,
    SqlDeadLetterRepository,
    SqlDecisionRepository,
    SqlMessageRepository,
    SqlOutboxRepository,
    SqlRelayRepository,
    SqlSurveyRepository,
    SqlTicketRepository,
    SqlUpdateLog,
)
from storage.repositories.arrivals import arrive_in_two_statements

__all__ = ["SqlUnitOfWork", "WriterGate"]


class WriterGate:
    """One unit of work at a time, for SQLite: it has a single writer, and waiting in asyncio
    (first come, first served) beats SQLite's busy-timeout polling, which gives up under load
    with "database is locked". A unit of work opened inside another in the same task would wait
    for itself: that is refused with an error instead of hanging."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise StorageError(
                "a unit of work was opened inside another one in the same task; with SQLite "
                "that would wait for itself. Finish the first unit of work before the next."
            )
        await self._lock.acquire()
        self._owner = task

    def release(self) -> None:
        self._owner = None
        self._lock.release()


class SqlUnitOfWork:
    """``async with uow:`` commits on a clean exit and rolls back on an exception.

    SQLAlchemy and driver errors leave the block as :class:`StorageError`; other exceptions pass
    through unchanged (after the rollback). A unit of work is used once.
    """

    customers: CustomerRepository
    conversations: ConversationRepository
    messages: MessageRepository
    tickets: TicketRepository
    surveys: SurveyRepository
    decisions: DecisionRepository
    relays: RelayRepository
    updates: UpdateLog
    dead_letters: DeadLetterRepository
    outbox: OutboxRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        url: str,
        gate: WriterGate | None = None,
        inline: bool = False,
    ) -> None:
        self._sessions = sessions
        self._url = url
        self._gate = gate
        self._inline = inline  # the engine's SQLite connections complete their calls at once
        self._session: AsyncSession | None = None
        self._in_place = False  # an inline SQLite connection: the session ends in place
        self._statements: AsyncConnection | None = None  # the session's connection, once begun
        self._postgresql = False

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise StorageError("a unit of work is used once; ask the database for a new one")
        if self._gate is not None:
            await self._gate.acquire()
        self._session = self._sessions()
        try:
            connection = await self._connection()  # an unreachable database fails here
        except (SQLAlchemyError, OSError) as exc:
            await self._session.close()
            self._release()
            raise translate(exc, self._url) from exc
        session = self._session
        self._in_place = sync_of(connection) is not None
        self._statements = connection
        self._postgresql = connection.dialect.name == "postgresql"
        self.customers = SqlCustomerRepository(session, connection)
        self.conversations = SqlConversationRepository(session, connection)
        self.messages = SqlMessageRepository(session, connection)
        self.tickets = SqlTicketRepository(session, connection)
        self.surveys = SqlSurveyRepository(session, connection)
        self.decisions = SqlDecisionRepository(session, connection)
        self.relays = SqlRelayRepository(session, connection)
        self.updates = SqlUpdateLog(session, connection)
        self.dead_letters = SqlDeadLetterRepository(session, connection)
        self.outbox = SqlOutboxRepository(session, connection)
        return self

    async def arrive(self, arriving: Arriving) -> Arrival | None:
        if self._postgresql:  # two round trips instead of four (storage/repositories/arrivals.py)
            assert self._statements is not None  # set with _postgresql when the work began
            return await arrive_in_two_statements(self._statements, arriving)
        return await arrive_step_by_step(self, arriving)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._session
        if session is None:
            return
        try:
            if self._in_place:  # no greenlet round trips (storage/inline_sqlite.py)
                with in_place():
                    _end(session.sync_session, commit=exc is None)
            elif exc is None:
                await session.commit()
            else:
                await session.rollback()
        except (SQLAlchemyError, OSError) as failure:
            raise translate(failure, self._url) from (exc or failure)
        finally:
            if self._in_place:
                with in_place():
                    session.sync_session.close()
            else:
                await session.close()
            self._release()
        if _is_bad_argument(exc):
            # A naive datetime or a value the column cannot take: the caller's bug, not storage's.
            raise exc.orig from exc  # type: ignore[union-attr]
        if isinstance(exc, SQLAlchemyError):
            raise translate(exc, self._url) from exc

    async def _connection(self) -> AsyncConnection:
        """The session's connection, its transaction begun. On an inline SQLite engine it is
        taken in place (:mod:`storage.inline_sqlite`), without the greenlet that
        ``session.connection()`` spawns; the pool's very first connection cannot be (SQLAlchemy
        runs its first-connect hooks under an asyncio lock): that attempt stops before anything
        is done, and the connection is taken the usual way in a fresh session."""
        assert self._session is not None
        if self._inline:
            try:
                with in_place():
                    sync = self._session.sync_session.connection()
            except MissingGreenlet:
                await self._session.close()
                self._session = self._sessions()
            else:
                return AsyncConnection._retrieve_proxy_for_target(sync)
        return await self._session.connection()

    def _release(self) -> None:
        if self._gate is not None:
            self._gate.release()
            self._gate = None


def _end(session: Session, *, commit: bool) -> None:
    if commit:
        session.commit()
    else:
        session.rollback()


def _is_bad_argument(exc: BaseException | None) -> bool:
    return (
        isinstance(exc, StatementError)
        and not isinstance(exc, DBAPIError)
        and isinstance(exc.orig, ValueError | TypeError)
    )


def _conforms(uow: SqlUnitOfWork) -> UnitOfWork:
    return uow  # mypy checks the SQL unit of work against the ports here
