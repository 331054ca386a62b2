"""The store and its unit of work: one transaction over the in-memory tables."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from handoff.arrivals import arrive_step_by_step
from handoff.memory._base import Tables, Tx
from handoff.memory.customers import MemoryConversationRepository, MemoryCustomerRepository
from handoff.memory.dead_letters import MemoryDeadLetterRepository
from handoff.memory.feedback import (
    MemoryDecisionRepository,
    MemorySurveyRepository,
    MemoryUpdateLog,
)
from handoff.memory.messages import MemoryMessageRepository, MemoryRelayRepository
from handoff.memory.outbox import MemoryOutboxRepository
from handoff.memory.tickets import MemoryTicketRepository
from handoff.model import Arrival, Arriving
from handoff.ports import (
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
)

__all__ = ["InMemoryStore", "MemoryUnitOfWork", "NestedUnitOfWork"]


class NestedUnitOfWork(RuntimeError):
    """A unit of work was opened inside another one in the same task (SQLite refuses that too)."""

    def __init__(self) -> None:
        super().__init__(
            "a unit of work was opened inside another one in the same task; with SQLite "
            "that would wait for itself. Finish the first unit of work before the next."
        )


@dataclass
class InMemoryStore(Tables):
    """Committed and in-flight data of every unit of work; each unit of work is one transaction."""

    def unit_of_work(self) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self)


class MemoryUnitOfWork:
    """``async with`` keeps the writes on a clean exit and undoes them on an exception."""

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

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._tx: Tx | None = None
        self._task: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> Self:
        if self._tx is not None:
            raise RuntimeError("a unit of work is used once; ask the store for a new one")
        task = asyncio.current_task()
        if task is not None:
            if task in self._store._busy:
                raise NestedUnitOfWork
            self._store._busy.add(task)
            self._task = task
        tx = self._tx = Tx(self._store)
        self.customers = MemoryCustomerRepository(tx)
        self.conversations = MemoryConversationRepository(tx)
        self.messages = MemoryMessageRepository(tx)
        self.tickets = MemoryTicketRepository(tx)
        self.surveys = MemorySurveyRepository(tx)
        self.decisions = MemoryDecisionRepository(tx)
        self.relays = MemoryRelayRepository(tx)
        self.updates = MemoryUpdateLog(tx)
        self.dead_letters = MemoryDeadLetterRepository(tx)
        self.outbox = MemoryOutboxRepository(tx)
        return self

    async def arrive(self, arriving: Arriving) -> Arrival | None:
        return await arrive_step_by_step(self, arriving)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tx is None:
            return
        if self._task is not None:
            self._store._busy.discard(self._task)
            self._task = None
        if exc is None:
            self._tx.commit()
        else:
            self._tx.rollback()


def _conforms(store: InMemoryStore) -> UnitOfWork:
    return store.unit_of_work()  # mypy checks the twin against the ports here
