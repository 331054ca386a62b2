"""The entry point of the storage layer: one :class:`Database` per process, built at start-up."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from storage.engine import connects_inline, create_engine, describe_url
from storage.failures import translate
from storage.revisions import script_head
from storage.unit_of_work import SqlUnitOfWork, WriterGate

__all__ = ["Database"]


class Database:
    """An engine, its session factory and the schema migrations.

    >>> db = Database.connect("sqlite+aiosqlite:///supportbot.sqlite3")
    >>> await db.create_schema()                 # alembic upgrade head
    >>> async with db.unit_of_work() as uow:     # one transaction
    ...     ticket = await uow.tickets.get(1)
    >>> await db.dispose()
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._url = engine.url.render_as_string(hide_password=False)
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
        self._gate = WriterGate() if engine.dialect.name == "sqlite" else None
        self._inline = connects_inline(engine)

    @classmethod
    def connect(cls, url: str, *, schema: str | None = None, echo: bool = False) -> Database:
        """Prepares the engine; no connection is made until first use.

        ``schema`` (PostgreSQL only) keeps every table in that schema via the search path.
        """
        return cls(create_engine(url, schema=schema, echo=echo))

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def url(self) -> str:
        """The URL with the password hidden."""
        return describe_url(self._engine.url)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def unit_of_work(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, url=self._url, gate=self._gate, inline=self._inline)

    async def create_schema(self, revision: str = "head") -> None:
        """Brings the schema to ``revision`` by running the Alembic migrations (a database at the
        newest one already is left alone without importing Alembic: see :mod:`storage.revisions`).
        """
        try:
            if revision == "head" and await self._at_head():
                return
            from storage import migrate

            await migrate.upgrade(self._engine, revision)
        except (SQLAlchemyError, OSError) as exc:
            raise translate(exc, self._url) from exc

    async def _at_head(self) -> bool:
        head = script_head()
        if head is None:
            return False
        async with self._engine.connect() as connection:
            try:
                result = await connection.execute(text("SELECT version_num FROM alembic_version"))
            except SQLAlchemyError:  # no such table yet: a new database
                return False
            return list(result.scalars()) == [head]

    async def downgrade(self, revision: str) -> None:
        from storage import migrate

        try:
            await migrate.downgrade(self._engine, revision)
        except (SQLAlchemyError, OSError) as exc:
            raise translate(exc, self._url) from exc

    async def current_revision(self) -> str | None:
        """The migration the database is at; None for an empty database."""
        from storage import migrate

        try:
            return await migrate.current_revision(self._engine)
        except (SQLAlchemyError, OSError) as exc:
            raise translate(exc, self._url) from exc

    @staticmethod
    def head_revision() -> str | None:
        """The newest migration shipped with this code."""
        from storage import migrate

        return migrate.head_revision()

    async def schema_differences(self) -> list[str]:
        """What the migrations miss compared with the models; empty when they agree."""
        from storage import migrate

        try:
            return await migrate.schema_differences(self._engine)
        except (SQLAlchemyError, OSError) as exc:
            raise translate(exc, self._url) from exc

    async def dispose(self) -> None:
        await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.dispose()
