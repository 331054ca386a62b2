"""Every message in and out, and the links between relayed copies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Row,
    Select,
    Update,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from handoff import Direction, NewMessage, RelayLink, StoredMessage
from storage.repositories._common import (
    FRESH,
    add_row,
    changed_rows,
    execute,
    first_row,
    insert_for,
    table_of,
)
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


def _link(row: RelayLinkRow | Row[Any]) -> RelayLink:
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


@cache
def _find_message() -> Select[Any]:
    table = table_of(MessageRow)
    return (
        select(*table.c)
        .where(
            table.c.chat_id == bindparam("chat"),
            table.c.telegram_message_id == bindparam("message"),
        )
        .order_by(table.c.id.desc())
        .limit(1)
    )


@cache
def _links_by(side: str) -> Select[Any]:
    """The links whose ``side`` ("source" or "target") is a chat's message, oldest first."""
    table = table_of(RelayLinkRow)
    return (
        select(*table.c)
        .where(
            table.c[f"{side}_chat_id"] == bindparam("chat"),
            table.c[f"{side}_message_id"] == bindparam("message"),
        )
        .order_by(table.c.id)
    )


@cache
def _insert_messages() -> Insert:
    return insert(table_of(MessageRow))


def _message_values(message: NewMessage) -> dict[str, object]:
    return {
        "conversation_id": message.conversation_id,
        "ticket_id": message.ticket_id,
        "direction": message.direction.value,
        "chat_id": message.chat_id,
        "telegram_message_id": message.telegram_message_id,
        "text": message.text,
        "media_kind": message.media_kind,
        "media_file_id": message.media_file_id,
        "author_id": message.author_id,
        "author_name": message.author_name,
        "created_at": message.created_at,
    }


def _link_values(link: RelayLink) -> dict[str, object]:
    return {
        "ticket_id": link.ticket_id,
        "source_chat_id": link.source_chat_id,
        "source_message_id": link.source_message_id,
        "target_chat_id": link.target_chat_id,
        "target_message_id": link.target_message_id,
    }


@cache
def _add_link(dialect: str) -> Insert:
    table = table_of(RelayLinkRow)
    return insert_for(dialect, table).on_conflict_do_nothing(
        index_elements=[table.c.target_chat_id, table.c.target_message_id]
    )


class SqlMessageRepository:
    def __init__(self, session: AsyncSession, connection: AsyncConnection) -> None:
        self._session = session
        self._connection = connection  # the session's own, for Core statements

    async def add(self, message: NewMessage, *, touch: bool = True) -> StoredMessage:
        """Stores the message and moves the conversation's ``last_message_at`` forward (unless
        ``touch`` is False: the conversation's ``current`` did)."""
        row = await add_row(self._connection, MessageRow, **_message_values(message))
        if touch:
            await changed_rows(
                self._connection,
                _touch_conversation(),
                {"conversation_id": message.conversation_id, "at": message.created_at},
            )
        return _message(row)

    async def add_all(self, messages: Sequence[NewMessage]) -> None:
        if not messages:
            return
        # one executemany each: the rows, then every conversation's newest time
        rows = [_message_values(message) for message in messages]
        await execute(self._connection, _insert_messages(), rows)
        newest: dict[int, datetime] = {}
        for message in messages:
            at = newest.get(message.conversation_id)
            if at is None or at < message.created_at:
                newest[message.conversation_id] = message.created_at
        touches = [{"conversation_id": cid, "at": at} for cid, at in newest.items()]
        await execute(self._connection, _touch_conversation(), touches)

    async def for_conversation(self, conversation_id: int) -> Sequence[StoredMessage]:
        return await self._many(MessageRow.conversation_id == conversation_id)

    async def for_ticket(self, ticket_id: int) -> Sequence[StoredMessage]:
        return await self._many(MessageRow.ticket_id == ticket_id)

    async def find(self, chat_id: int, telegram_message_id: int) -> StoredMessage | None:
        params = {"chat": chat_id, "message": telegram_message_id}
        row = await first_row(self._connection, _find_message(), params)
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
        await execute(
            self._connection, _add_link(self._connection.dialect.name), _link_values(link)
        )

    async def add_all(self, links: Sequence[RelayLink]) -> None:
        if links:
            statement = _add_link(self._connection.dialect.name)
            await execute(self._connection, statement, [_link_values(link) for link in links])

    async def by_source(self, chat_id: int, message_id: int) -> Sequence[RelayLink]:
        params = {"chat": chat_id, "message": message_id}
        rows = await execute(self._connection, _links_by("source"), params)
        return [_link(row) for row in rows]

    async def by_target(self, chat_id: int, message_id: int) -> RelayLink | None:
        params = {"chat": chat_id, "message": message_id}
        row = await first_row(self._connection, _links_by("target"), params)
        return None if row is None else _link(row)
