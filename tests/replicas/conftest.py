"""Two replicas' view of the shared state: in memory (one process, so the same objects twice)
and on the real Redis (two connections with different replica names, a random key prefix)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from redis.asyncio import Redis

from bot.core import SharedState
from bot.core.customer.flood import FloodGate
from bot.core.desk.albums import Albums
from bot.core.locks import KeyedLocks
from bot.replicas import connect_shared_state
from tests.redis_server import REDIS_URL, redis_prefix


@dataclass(frozen=True)
class Replicas:
    name: str
    a: SharedState
    b: SharedState
    prefix: str = ""  # Redis: the keys' prefix, so a test can wait for a number to be drawn

    async def drawn(self, key: str, count: int) -> None:
        """Wait until ``count`` holders of the chat-order ``key`` have asked for their turn
        (what "arrived" means across replicas: the order numbers are drawn in)."""
        if self.name == "memory":
            await asyncio.sleep(0)  # asyncio.Lock queues a waiter when it first awaits
            return
        redis = Redis.from_url(REDIS_URL)
        try:
            async with asyncio.timeout(5):
                while True:  # polling Redis: there is no event to wait on
                    if int(await redis.get(f"{self.prefix}chat:{key}:tail") or 0) >= count:
                        break
                    await asyncio.sleep(0.001)
        finally:
            await redis.aclose()


def in_memory() -> SharedState:
    async def nothing() -> None:
        return None

    class Nobody:
        async def announce(self) -> None:
            return None

        async def listen(self, on_reload: object) -> None:
            return None

    class Sole:
        async def lead(self) -> bool:
            return True

    return SharedState(  # one process: both "replicas" get the same objects
        chat_order=KeyedLocks(),
        ticket_order=KeyedLocks(),
        flood=functools.cache(FloodGate),
        albums=functools.cache(Albums),
        content=Nobody(),
        leader=Sole(),
        close=nothing,
    )


@pytest.fixture
async def redis_replicas() -> AsyncIterator[Replicas]:
    async with redis_prefix() as prefix:
        a = await connect_shared_state(REDIS_URL, prefix, replica="a")
        b = await connect_shared_state(REDIS_URL, prefix, replica="b")
        try:
            yield Replicas("redis", a, b, prefix)
        finally:
            await a.close()
            await b.close()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def replicas(request: pytest.FixtureRequest) -> Replicas:
    """The same contract on both implementations."""
    if request.param == "memory":
        one = in_memory()
        return Replicas("memory", one, one)
    found: Replicas = request.getfixturevalue("redis_replicas")
    return found
