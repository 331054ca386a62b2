"""Customers and their conversations, in memory."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from handoff.dialog import DialogState
from handoff.memory._base import Repo, missing, utc
from handoff.model import Conversation, Customer

__all__ = ["MemoryConversationRepository", "MemoryCustomerRepository"]


class MemoryCustomerRepository(Repo):
    async def get(self, customer_id: int) -> Customer | None:
        found = self._store.customers.get(customer_id)
        return found

    async def get_by_telegram_id(self, telegram_id: int) -> Customer | None:
        for customer in self._store.customers.values():
            if customer.telegram_id == telegram_id:
                return await self.get(customer.id)
        return None

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
        found = await self.get_by_telegram_id(telegram_id)
        if found is None:
            customer = Customer(
                id=self._store.next_id(),
                telegram_id=telegram_id,
                chat_id=chat_id,
                name=name,
                username=username,
                language=language,
                language_chosen=False,
                blocked=False,
                created_at=utc(now),
                state=DialogState(),
            )
        else:
            language = found.language if found.language_chosen else language
            customer = replace(
                found, chat_id=chat_id, name=name, username=username, language=language
            )
        self._tx.put(self._store.customers, customer.id, customer)
        return await self._get(customer.id)

    async def set_language(self, customer_id: int, language: str) -> None:
        await self._change(customer_id, language=language, language_chosen=True)

    async def set_blocked(self, customer_id: int, blocked: bool) -> None:
        await self._change(customer_id, blocked=blocked)

    async def save_state(self, customer_id: int, state: DialogState) -> None:
        stored = json.loads(json.dumps(state.to_json()))  # through JSON, as the database does
        await self._change(customer_id, state=DialogState.from_json(stored))

    async def _get(self, customer_id: int) -> Customer:
        found = await self.get(customer_id)
        if found is None:
            raise missing("customer", customer_id)
        return found

    async def _change(self, customer_id: int, **values: Any) -> None:
        updated = replace(await self._get(customer_id), **values)
        self._tx.put(self._store.customers, customer_id, updated)


class MemoryConversationRepository(Repo):
    async def get(self, conversation_id: int) -> Conversation | None:
        return self._store.conversations.get(conversation_id)

    async def current(self, customer_id: int, *, now: datetime, idle_after_s: int) -> Conversation:
        now = utc(now)
        mine = [c for c in self._store.conversations.values() if c.customer_id == customer_id]
        latest = max(mine, key=lambda c: (c.last_message_at, c.id), default=None)
        if latest is not None and (now - latest.last_message_at).total_seconds() <= idle_after_s:
            if latest.last_message_at >= now:
                return latest
            moved = replace(latest, last_message_at=now)
            return self._tx.put(self._store.conversations, moved.id, moved)
        created = Conversation(
            id=self._store.next_id(),
            customer_id=customer_id,
            started_at=now,
            last_message_at=now,
            resolved_by_bot=False,
        )
        return self._tx.put(self._store.conversations, created.id, created)

    async def mark_resolved_by_bot(self, conversation_id: int) -> None:
        found = self._store.conversations.get(conversation_id)
        if found is None:
            raise missing("conversation", conversation_id)
        self._tx.put(self._store.conversations, found.id, replace(found, resolved_by_bot=True))
