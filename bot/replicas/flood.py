"""The flood counter shared by every replica: a sorted set of the last minute's messages."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from redis.asyncio import Redis

__all__ = ["RedisFloodCounter"]

_WINDOW = timedelta(minutes=1)

# KEYS: the chat's window ; ARGV: now (s), window (s), a unique member → messages in the window
_COUNT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (tonumber(ARGV[1]) - tonumber(ARGV[2])))
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.floor(tonumber(ARGV[2]) * 2000))
return redis.call('ZCARD', KEYS[1])
"""


class RedisFloodCounter:
    """:class:`bot.core.shared.FloodCounter` on Redis, with :class:`FloodGate`'s behaviour."""

    def __init__(self, redis: Redis, prefix: str, per_minute: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._per_minute = per_minute
        self._count = redis.register_script(_COUNT)

    async def admit(self, chat_id: int, now: datetime) -> bool:
        seen = int(
            await self._count(
                keys=[f"{self._prefix}{chat_id}:window"],
                args=[now.timestamp(), _WINDOW.total_seconds(), secrets.token_hex(8)],
            )
        )
        if seen <= self._per_minute:
            await self._redis.delete(f"{self._prefix}{chat_id}:warned")
            return True
        return False

    async def warn_once(self, chat_id: int) -> bool:
        key = f"{self._prefix}{chat_id}:warned"
        first = await self._redis.set(key, "1", nx=True, px=int(_WINDOW.total_seconds() * 2000))
        return bool(first)
