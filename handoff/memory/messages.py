"""Messages and the relay links between copies, in memory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from handoff.memory._base import Repo, utc
from handoff.model import NewMessage, RelayLink, StoredMessage

__all__ = ["MemoryMessageRepository", "MemoryRelayRepository"]


class MemoryMessageRepository(Repo):
    async def add(self, message: NewMessage, *, touch: bool = True) -> StoredMessage:
        created_at = utc(message.created_at)
        stored = StoredMessage(
            id=self._store.next_id(),
            conversation_id=message.conversation_id,
            direction=message.direction,
            chat_id=message.chat_id,
            telegram_message_id=message.telegram_message_id,
            text=message.text,
            created_at=created_at,
            ticket_id=message.ticket_id,
            media_kind=message.media_kind,
            media_file_id=message.media_file_id,
            author_id=message.author_id,
            author_name=message.author_name,
        )
        conversation = self._store.conversations.get(message.conversation_id)
        if touch and conversation is not None and conversation.last_message_at < created_at:
            moved = replace(conversation, last_message_at=created_at)
            self._tx.put(self._store.conversations, conversation.id, moved)
        return self._tx.put(self._store.messages, stored.id, stored)

    async def add_all(self, messages: Sequence[NewMessage]) -> None:
        for message in messages:
            await self.add(message)

    async def for_conversation(self, conversation_id: int) -> Sequence[StoredMessage]:
        return self._sorted(m for m in self._messages() if m.conversation_id == conversation_id)

    async def for_ticket(self, ticket_id: int) -> Sequence[StoredMessage]:
        return self._sorted(m for m in self._messages() if m.ticket_id == ticket_id)

    async def find(self, chat_id: int, telegram_message_id: int) -> StoredMessage | None:
        matches = [
            m
            for m in self._messages()
            if m.chat_id == chat_id and m.telegram_message_id == telegram_message_id
        ]
        return max(matches, key=lambda m: m.id, default=None)

    def _messages(self) -> Iterable[StoredMessage]:
        return self._store.messages.values()

    @staticmethod
    def _sorted(messages: Iterable[StoredMessage]) -> list[StoredMessage]:
        return sorted(messages, key=lambda m: (m.created_at, m.id))


class MemoryRelayRepository(Repo):
    async def add(self, link: RelayLink) -> None:
        key = (link.target_chat_id, link.target_message_id)
        if key not in self._store.relays:  # idempotent, like ON CONFLICT DO NOTHING
            self._tx.put(self._store.relays, key, link)

    async def add_all(self, links: Sequence[RelayLink]) -> None:
        for link in links:
            await self.add(link)

    async def by_source(self, chat_id: int, message_id: int) -> Sequence[RelayLink]:
        return [
            link
            for link in self._store.relays.values()
            if link.source_chat_id == chat_id and link.source_message_id == message_id
        ]

    async def by_target(self, chat_id: int, message_id: int) -> RelayLink | None:
        return self._store.relays.get((chat_id, message_id))
