"""Customers and their conversations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.model import Conversation, Customer
from storage.repositories._common import FRESH, add_row, changed_rows, dialect_insert, require
from storage.tables import ConversationRow, CustomerRow

__all__ = ["SqlConversationRepository", "SqlCustomerRepository"]


def _customer(row: CustomerRow) -> Customer:
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
        state=dict(row.state),
    )


def _conversation(row: ConversationRow) -> Conversation:
    return Conversation(
        id=row.id,
        customer_id=row.customer_id,
        started_at=row.started_at,
        last_message_at=row.last_message_at,
        resolved_by_bot=row.resolved_by_bot,
    )


class SqlCustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, customer_id: int) -> Customer | None:
        row = await self._session.get(CustomerRow, customer_id, populate_existing=True)
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
        # One statement, so two first messages of a new customer cannot both insert.
        insert = dialect_insert(self._session, CustomerRow).values(
            telegram_id=telegram_id,
            chat_id=chat_id,
            name=name,
            username=username,
            language=language,
            language_chosen=False,
            blocked=False,
            created_at=now,
            state={},
        )
        statement = insert.on_conflict_do_update(
            index_elements=[CustomerRow.telegram_id],
            set_={
                "chat_id": insert.excluded.chat_id,
                "name": insert.excluded.name,
                "username": insert.excluded.username,
                "language": case(
                    (CustomerRow.language_chosen, CustomerRow.language),
                    else_=insert.excluded.language,
                ),
            },
        ).returning(CustomerRow)
        row = (await self._session.scalars(statement, execution_options=FRESH)).one()
        return _customer(row)

    async def set_language(self, customer_id: int, language: str) -> None:
        await self._change(customer_id, language=language, language_chosen=True)

    async def set_blocked(self, customer_id: int, blocked: bool) -> None:
        await self._change(customer_id, blocked=blocked)

    async def save_state(self, customer_id: int, state: dict[str, object]) -> None:
        await self._change(customer_id, state=dict(state))

    async def _change(self, customer_id: int, **values: object) -> None:
        statement = update(CustomerRow).where(CustomerRow.id == customer_id).values(**values)
        if await changed_rows(self._session, statement) == 0:
            require(None, "customer", customer_id)


class SqlConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, conversation_id: int) -> Conversation | None:
        row = await self._session.get(ConversationRow, conversation_id, populate_existing=True)
        return None if row is None else _conversation(row)

    async def current(self, customer_id: int, *, now: datetime, idle_after_s: int) -> Conversation:
        latest = await self._session.scalar(
            select(ConversationRow)
            .where(ConversationRow.customer_id == customer_id)
            .order_by(ConversationRow.last_message_at.desc(), ConversationRow.id.desc())
            .limit(1),
            execution_options=FRESH,
        )
        if latest is not None and (now - latest.last_message_at).total_seconds() <= idle_after_s:
            return _conversation(latest)
        row = await add_row(
            self._session,
            ConversationRow,
            customer_id=customer_id,
            started_at=now,
            last_message_at=now,
            resolved_by_bot=False,
        )
        return _conversation(row)

    async def mark_resolved_by_bot(self, conversation_id: int) -> None:
        statement = (
            update(ConversationRow)
            .where(ConversationRow.id == conversation_id)
            .values(resolved_by_bot=True)
        )
        if await changed_rows(self._session, statement) == 0:
            require(None, "conversation", conversation_id)
