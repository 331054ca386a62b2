"""What only several processes have: a replica dying mid-turn, /reload news, leadership moving."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from redis.asyncio import Redis

from bot.replicas import RedisContentSignal, RedisKeyedOrder, RedisLeader
from tests.redis_server import REDIS_URL, redis_prefix

pytestmark = pytest.mark.redis


@pytest.fixture
async def redis() -> AsyncIterator[tuple[Redis, str]]:
    async with redis_prefix() as prefix:
        client = Redis.from_url(REDIS_URL)
        try:
            yield client, prefix
        finally:
            await client.aclose()


async def test_a_holder_whose_replica_died_is_skipped_after_its_lease(
    redis: tuple[Redis, str],
) -> None:
    client, prefix = redis
    order = RedisKeyedOrder(client, prefix, lease_s=0.5, poll_s=0.1)
    # a replica drew number 1 and was killed: it neither releases nor renews its lease
    keys = order._keys("chat")
    drawn = await order._draw(keys=[keys["tail"], keys["head"], keys["lease:"]], args=[500, 60_000])
    assert int(drawn) == 1
    started = time.monotonic()
    async with asyncio.timeout(5):
        async with order.hold("chat"):
            waited = time.monotonic() - started
    assert 0.2 < waited < 3  # not at once (it was held), not forever (the lease ran out)


async def test_a_reload_announced_by_one_replica_reaches_the_others_only(
    redis: tuple[Redis, str],
) -> None:
    client, prefix = redis
    channel = prefix + "reload"
    heard: dict[str, int] = {"a": 0, "b": 0, "c": 0}
    signals = {name: RedisContentSignal(client, channel, name) for name in heard}
    both = asyncio.Event()

    def reloader(name: str) -> Callable[[], Awaitable[None]]:
        async def reload() -> None:
            heard[name] += 1
            if heard["b"] and heard["c"]:
                both.set()

        return reload

    listeners = [
        asyncio.create_task(signal.listen(reloader(name))) for name, signal in signals.items()
    ]
    async with asyncio.timeout(5):
        while True:  # until the three listeners are subscribed
            if int((await client.pubsub_numsub(channel))[0][1]) >= 3:
                break
            await asyncio.sleep(0.01)
        await signals["a"].announce()
        await both.wait()
    await asyncio.sleep(0.1)
    assert heard == {"a": 0, "b": 1, "c": 1}
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)


async def test_leadership_moves_when_the_leader_stops_renewing(redis: tuple[Redis, str]) -> None:
    client, prefix = redis
    a = RedisLeader(client, prefix + "lead", "a", ttl_s=0.3)
    b = RedisLeader(client, prefix + "lead", "b", ttl_s=0.3)
    assert [await a.lead(), await b.lead(), await a.lead()] == [True, False, True]
    await asyncio.sleep(0.4)  # a died: no renewal
    assert [await b.lead(), await a.lead()] == [True, False]
