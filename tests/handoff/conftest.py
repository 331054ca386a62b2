from __future__ import annotations

import pytest

from handoff.clock import ManualClock
from handoff.memory import InMemoryStore
from tests.handoff.factories import T0, World


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
async def world(clock: ManualClock) -> World:
    store = InMemoryStore()
    async with store.unit_of_work() as uow:
        customer = await uow.customers.upsert(
            telegram_id=555,
            chat_id=555,
            name="Ann",
            username="ann",
            language="en",
            now=clock.now(),
        )
        conversation = await uow.conversations.current(
            customer.id, now=clock.now(), idle_after_s=3600
        )
    return World(store, clock, customer, conversation.id)
