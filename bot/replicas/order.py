"""Per-key order across replicas: a ticket counter and a turn, like a bakery's number machine.

aiogram's ``RedisEventIsolation`` serialises a chat with a Redis lock (``redis.asyncio.lock``,
polling ``SET NX``): one handler at a time, but a waiter that polls at the right moment overtakes
one that waited longer, so a customer's quick messages can be answered out of order. Here each
caller draws a number (``INCR``) when it arrives and proceeds when the turn reaches it:

- ``tail`` is the last number drawn, ``head`` the last number served; number *n* runs when
  ``head == n - 1``; on release ``head`` moves on and the next number's ``go`` list gets a push
  (its waiter sleeps in ``BLPOP`` on it, so nobody polls);
- every drawn number has a ``lease`` key with an expiry, renewed while its owner waits or runs;
  a waiter that finds the number before it without a lease (its replica died) skips it, so a
  killed replica delays its chats by at most the lease, never blocks them;
- a waiter that gives up (cancelled) marks its number ``done`` and the release skips it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable

from redis.asyncio import Redis

__all__ = ["RedisKeyedOrder"]

# KEYS: tail, head, lease prefix ; ARGV: lease ms, idle ms → the number drawn
_DRAW = """
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 0 then redis.call('SET', KEYS[2], n - 1, 'PX', ARGV[2]) end
redis.call('SET', KEYS[3] .. n, '1', 'PX', ARGV[1])
return n
"""

# KEYS: head, lease prefix, go prefix, done prefix ; ARGV: number, idle ms, mode
# mode 'release': number n finished; 'abandon': n gave up; 'skip': n's owner is gone.
# Moves head past n (when it is n's turn) and past the numbers marked done after it, then wakes
# the next number. Returns 1 when head moved.
_FINISH = """
local n = tonumber(ARGV[1])
local head = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[3] == 'skip' and redis.call('EXISTS', KEYS[2] .. n) == 1 then return 0 end
redis.call('DEL', KEYS[2] .. n)
if head ~= n - 1 then
  if ARGV[3] == 'abandon' then redis.call('SET', KEYS[4] .. n, '1', 'PX', ARGV[2]) end
  return 0
end
head = n
while redis.call('DEL', KEYS[4] .. (head + 1)) == 1 do head = head + 1 end
redis.call('SET', KEYS[1], head, 'PX', ARGV[2])
redis.call('RPUSH', KEYS[3] .. (head + 1), '1')
redis.call('PEXPIRE', KEYS[3] .. (head + 1), ARGV[2])
return 1
"""


class RedisKeyedOrder:
    """:class:`bot.core.shared.KeyedOrder` on Redis: one holder per key, in arrival order."""

    def __init__(
        self,
        redis: Redis,
        prefix: str,
        *,
        lease_s: float = 30.0,
        idle_s: float = 86_400.0,
        poll_s: float = 1.0,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._lease_ms = int(lease_s * 1000)
        self._idle_ms = int(idle_s * 1000)
        self._poll_s = poll_s
        self._draw = redis.register_script(_DRAW)
        self._finish = redis.register_script(_FINISH)

    def _keys(self, key: Hashable) -> dict[str, str]:
        name = ":".join(map(str, key)) if isinstance(key, tuple) else str(key)
        base = f"{self._prefix}{name}:"
        return {part: base + part for part in ("tail", "head", "lease:", "go:", "done:")}

    async def _arrive(self, key: Hashable) -> int:
        keys = self._keys(key)
        drawn = await self._draw(
            keys=[keys["tail"], keys["head"], keys["lease:"]], args=[self._lease_ms, self._idle_ms]
        )
        return int(drawn)

    @contextlib.asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        keys = self._keys(key)
        number = await self._arrive(key)
        served = False
        try:
            await self._wait_turn(keys, number)
            served = True
            async with self._renewing(keys["lease:"] + str(number)):
                yield
        finally:
            mode = "release" if served else "abandon"
            await asyncio.shield(self._end(keys, number, mode))

    async def _end(self, keys: dict[str, str], number: int, mode: str) -> None:
        await self._finish(
            keys=[keys["head"], keys["lease:"], keys["go:"], keys["done:"]],
            args=[number, self._idle_ms, mode],
        )

    async def _wait_turn(self, keys: dict[str, str], number: int) -> None:
        lease = keys["lease:"] + str(number)
        while True:
            head = int(await self._redis.get(keys["head"]) or 0)
            if head >= number - 1:
                return
            woken = await self._redis.blpop([keys["go:"] + str(number)], timeout=self._poll_s)
            if woken is not None:
                return
            await self._redis.pexpire(lease, self._lease_ms)  # still waiting: keep my number
            # the number being served may belong to a replica that died: skip it
            await self._end(keys, head + 1, "skip")

    @contextlib.asynccontextmanager
    async def _renewing(self, lease: str) -> AsyncIterator[None]:
        async def renew() -> None:
            while True:
                await asyncio.sleep(self._lease_ms / 3000)
                await self._redis.pexpire(lease, self._lease_ms)

        task = asyncio.create_task(renew())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
