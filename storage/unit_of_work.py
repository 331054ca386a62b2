"""The SQL unit of work: one session, one transaction, every repository bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, SQLAlchemyError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.ports import (
    ConversationRepository,
    CustomerRepository,
    DecisionRepository,
    MessageRepository,
    RelayRepository,
    SurveyRepository,
    TicketRepository,
    UnitOfWork,
    UpdateLog,
)
from storage.errors import StorageError
from storage.failures import translate
from storage.repositories import (
    SqlConversationRepository,
    SqlCustomerRepository,
    SqlDecisionRepository,
    SqlMessageRepository,
    SqlRelayRepository,
    SqlSurveyRepository,
    SqlTicketRepository,
    SqlUpdateLog,
)

__all__ = ["SqlUnitOfWork"]


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

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, url: str) -> None:
        self._sessions = sessions
        self._url = url
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise StorageError("a unit of work is used once; ask the database for a new one")
        session = self._session = self._sessions()
        try:
            await session.connection()  # connect now, so an unreachable database fails here
        except (SQLAlchemyError, OSError) as exc:
            await session.close()
            raise translate(exc, self._url) from exc
        self.customers = SqlCustomerRepository(session)
        self.conversations = SqlConversationRepository(session)
        self.messages = SqlMessageRepository(session)
        self.tickets = SqlTicketRepository(session)
        self.surveys = SqlSurveyRepository(session)
        self.decisions = SqlDecisionRepository(session)
        self.relays = SqlRelayRepository(session)
        self.updates = SqlUpdateLog(session)
        return self

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
            if exc is None:
                await session.commit()
            else:
                await session.rollback()
        except (SQLAlchemyError, OSError) as failure:
            raise translate(failure, self._url) from (exc or failure)
        finally:
            await session.close()
        if _is_bad_argument(exc):
            # A naive datetime or a value the column cannot take: the caller's bug, not storage's.
            raise exc.orig from exc  # type: ignore[union-attr]
        if isinstance(exc, SQLAlchemyError):
            raise translate(exc, self._url) from exc


def _is_bad_argument(exc: BaseException | None) -> bool:
    return (
        isinstance(exc, StatementError)
        and not isinstance(exc, DBAPIError)
        and isinstance(exc.orig, ValueError | TypeError)
    )


def _conforms(uow: SqlUnitOfWork) -> UnitOfWork:
    return uow  # mypy checks the SQL unit of work against the ports here
