"""Every message in and out, and the links between relayed copies."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Row, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handoff import Direction, NewMessage, RelayLink, StoredMessage
from storage.repositories._common import FRESH, add_row, changed_rows, dialect_insert, table_of
from storage.tables import ConversationRow, MessageRow, RelayLinkRow

__all__ = ["SqlMessageRepository", "SqlRelayRepository"]


def _message(row: MessageRow | Row[Any]) -> StoredMessage:
    return StoredMessage(
        id=row.id,
        conversation_id=row.conversation_id,
        direction=Direction(row.direction),
        chat_id=row.chat_id,
        telegram_message_id=row.telegram_message_id,
        text=row.text,
        created_at=row.created_at,
        ticket_id=row.ticket_id,
        media_kind=row.media_kind,
        media_file_id=row.media_file_id,
        author_id=row.author_id,
        author_name=row.author_name,
    )


def _link(row: RelayLinkRow) -> RelayLink:
    return RelayLink(
        ticket_id=row.ticket_id,
        source_chat_id=row.source_chat_id,
        source_message_id=row.source_message_id,
        target_chat_id=row.target_chat_id,
        target_message_id=row.target_message_id,
    )


@cache
def _touch_conversation() -> Update:
    """Moves a conversation's ``last_message_at`` forward (never back)."""
    table = table_of(ConversationRow)
    return (
        update(table)
        .where(
            table.c.id == bindparam("conversation_id"),
            table.c.last_message_at < bindparam("at"),
        )
        .values(last_message_at=bindparam("at"))
    )


class SqlMessageRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def add(self, message: NewMessage) -> StoredMessage:
        """Stores the message and moves the conversation's ``last_message_at`` forward."""
        row = await add_row(
            self._connection,
            MessageRow,
            conversation_id=message.conversation_id,
            ticket_id=message.ticket_id,
            direction=message.direction.value,
            chat_id=message.chat_id,
            telegram_message_id=message.telegram_message_id,
            text=message.text,
            media_kind=message.media_kind,
            media_file_id=message.media_file_id,
            author_id=message.author_id,
            author_name=message.author_name,
            created_at=message.created_at,
        )
        await changed_rows(
            self._connection,
            _touch_conversation(),
            {"conversation_id": message.conversation_id, "at": message.created_at},
        )
        return _message(row)

    async def for_conversation(self, conversation_id: int) -> Sequence[StoredMessage]:
        return await self._many(MessageRow.conversation_id == conversation_id)

    async def for_ticket(self, ticket_id: int) -> Sequence[StoredMessage]:
        return await self._many(MessageRow.ticket_id == ticket_id)

    async def find(self, chat_id: int, telegram_message_id: int) -> StoredMessage | None:
        row = await self._session.scalar(
            select(MessageRow)
            .where(
                MessageRow.chat_id == chat_id,
                MessageRow.telegram_message_id == telegram_message_id,
            )
            .order_by(MessageRow.id.desc())
            .limit(1),
            execution_options=FRESH,
        )
        return None if row is None else _message(row)

    async def _many(self, condition: ColumnElement[bool]) -> Sequence[StoredMessage]:
        rows = await self._session.scalars(
            select(MessageRow).where(condition).order_by(MessageRow.created_at, MessageRow.id),
            execution_options=FRESH,
        )
        return [_message(row) for row in rows]


class SqlRelayRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def add(self, link: RelayLink) -> None:
        """Idempotent: a second link for the same target message is ignored."""
        statement = (
            dialect_insert(self._session, RelayLinkRow)
            .values(
                ticket_id=link.ticket_id,
                source_chat_id=link.source_chat_id,
                source_message_id=link.source_message_id,
                target_chat_id=link.target_chat_id,
                target_message_id=link.target_message_id,
            )
            .on_conflict_do_nothing(
                index_elements=[RelayLinkRow.target_chat_id, RelayLinkRow.target_message_id]
            )
        )
        await self._session.execute(statement)

    async def by_source(self, chat_id: int, message_id: int) -> Sequence[RelayLink]:
        rows = await self._session.scalars(
            select(RelayLinkRow)
            .where(
                RelayLinkRow.source_chat_id == chat_id,
                RelayLinkRow.source_message_id == message_id,
            )
            .order_by(RelayLinkRow.id),
            execution_options=FRESH,
        )
        return [_link(row) for row in rows]

    async def by_target(self, chat_id: int, message_id: int) -> RelayLink | None:
        row = await self._session.scalar(
            select(RelayLinkRow).where(
                RelayLinkRow.target_chat_id == chat_id,
                RelayLinkRow.target_message_id == message_id,
            ),
            execution_options=FRESH,
        )
        return None if row is None else _link(row)
