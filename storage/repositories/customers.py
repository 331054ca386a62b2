"""Customers and their conversations."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select, Update, bindparam, case, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.dml import ReturningInsert, ReturningUpdate

from handoff import Conversation, Customer, DialogState
from storage.repositories._common import (
    FRESH,
    add_row,
    changed_rows,
    first_row,
    insert_for,
    require,
    table_of,
)
from storage.tables import ConversationRow, CustomerRow

if TYPE_CHECKING:  # imported by a PostgreSQL engine only
    from sqlalchemy.dialects import postgresql

__all__ = ["SqlConversationRepository", "SqlCustomerRepository"]


def _customer(row: CustomerRow | Row[Any]) -> Customer:
    return Customer(
        id=row.id,
        telegram_id=row.telegram_id,
        chat_id=row.chat_id,
        name=row.name,
        username=row.username,
        language=row.language,
        language_chosen=row.language_chosen,
        blocked=row.blocked,
        created_at=row.created_at,
        state=DialogState.from_json(row.state),
    )


def _conversation(row: ConversationRow | Row[Any]) -> Conversation:
    return Conversation(
        id=row.id,
        customer_id=row.customer_id,
        started_at=row.started_at,
        last_message_at=row.last_message_at,
        resolved_by_bot=row.resolved_by_bot,
    )


@cache
def _upsert(dialect: str) -> ReturningInsert[Any]:
    """One statement, so two first messages of a new customer cannot both insert."""
    return refreshing(insert_for(dialect, table_of(CustomerRow)))


def refreshing(insert: sqlite.Insert | postgresql.Insert) -> ReturningInsert[Any]:
    """``insert`` (a new customer's row) made an upsert: a known customer's chat, name and
    username are refreshed, and their language unless they chose one; the row is returned."""
    table = table_of(CustomerRow)
    return insert.on_conflict_do_update(
        index_elements=[table.c.telegram_id],
        set_={
            "chat_id": insert.excluded.chat_id,
            "name": insert.excluded.name,
            "username": insert.excluded.username,
            "language": case(
                (table.c.language_chosen, table.c.language),
                else_=insert.excluded.language,
            ),
        },
    ).returning(*table.c)


@cache
def _change_customer(columns: tuple[str, ...]) -> Update:
    """UPDATE of ``columns`` of one customer, their values bound at each call."""
    table = table_of(CustomerRow)
    return (
        update(table)
        .where(table.c.id == bindparam("customer_id"))
        .values({name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns})
    )


@cache
def _customer_by_id() -> Select[Any]:
    table = table_of(CustomerRow)
    return select(*table.c).where(table.c.id == bindparam("id"))


@cache
def _continue_conversation() -> ReturningUpdate[Any]:
    """The customer's latest conversation, if its last message is at or after ``cutoff``, with
    its ``last_message_at`` moved to ``now`` (never back): a read and a touch in one statement."""
    table = table_of(ConversationRow)
    latest = (
        select(table.c.id)
        .where(table.c.customer_id == bindparam("of_customer"))
        .order_by(table.c.last_message_at.desc(), table.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    at = table.c.last_message_at
    now = bindparam("now", type_=at.type)
    return (
        update(table)
        .where(table.c.id == latest, at >= bindparam("cutoff", type_=at.type))
        .values(last_message_at=case((at < now, now), else_=at))
        .returning(*table.c)
    )


async def start_conversation(
    connection: AsyncConnection, customer_id: int, now: datetime
) -> Conversation:
    """A new conversation of the customer, begun at ``now`` (none was current)."""
    row = await add_row(
        connection,
        ConversationRow,
        customer_id=customer_id,
        started_at=now,
        last_message_at=now,
        resolved_by_bot=False,
    )
    return _conversation(row)


class SqlCustomerRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def get(self, customer_id: int) -> Customer | None:
        row = await first_row(self._connection, _customer_by_id(), {"id": customer_id})
        return None if row is None else _customer(row)

    async def get_by_telegram_id(self, telegram_id: int) -> Customer | None:
        row = await self._session.scalar(
            select(CustomerRow).where(CustomerRow.telegram_id == telegram_id),
            execution_options=FRESH,
        )
        return None if row is None else _customer(row)

    async def upsert(
        self,
        *,
        telegram_id: int,
        chat_id: int,
        name: str,
        username: str | None,
        language: str,
        now: datetime,
    ) -> Customer:
        values = {
            "telegram_id": telegram_id,
            "chat_id": chat_id,
            "name": name,
            "username": username,
            "language": language,
            "language_chosen": False,
            "blocked": False,
            "created_at": now,
            "state": {},
        }
        row = await first_row(self._connection, _upsert(self._connection.dialect.name), values)
        assert row is not None  # an upsert always returns its row
        return _customer(row)

    async def set_language(self, customer_id: int, language: str) -> None:
        await self._change(customer_id, language=language, language_chosen=True)

    async def set_blocked(self, customer_id: int, blocked: bool) -> None:
        await self._change(customer_id, blocked=blocked)

    async def save_state(self, customer_id: int, state: DialogState) -> None:
        await self._change(customer_id, state=state.to_json())

    async def _change(self, customer_id: int, **values: object) -> None:
        statement = _change_customer(tuple(sorted(values)))
        params = {"customer_id": customer_id, **{f"new_{k}": v for k, v in values.items()}}
        if await changed_rows(self._connection, statement, params) == 0:
            require(None, "customer", customer_id)


class SqlConversationRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def get(self, conversation_id: int) -> Conversation | None:
        row = await self._session.get(ConversationRow, conversation_id, populate_existing=True)
        return None if row is None else _conversation(row)

    async def current(self, customer_id: int, *, now: datetime, idle_after_s: int) -> Conversation:
        params = {
            "of_customer": customer_id,
            "now": now,
            "cutoff": now - timedelta(seconds=idle_after_s),
        }
        latest = await first_row(self._connection, _continue_conversation(), params)
        if latest is not None:
            return _conversation(latest)
        return await start_conversation(self._connection, customer_id, now)

    async def mark_resolved_by_bot(self, conversation_id: int) -> None:
        statement = (
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id)
            .values(resolved_by_bot=True)
        )
        if await changed_rows(self._connection, statement) == 0:
            require(None, "conversation", conversation_id)
