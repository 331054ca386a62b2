"""``/reload`` on one replica reloads them all: a Redis pub/sub channel carries the news."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

__all__ = ["RedisContentSignal"]

log = logging.getLogger(__name__)


class RedisContentSignal:
    """:class:`bot.core.shared.ContentSignal` on Redis; ``replica`` names this process so it
    does not reload twice on its own announcement."""

    def __init__(self, redis: Redis, channel: str, replica: str) -> None:
        self._redis = redis
        self._channel = channel
        self._replica = replica

    async def announce(self) -> None:
        await self._redis.publish(self._channel, self._replica)

    async def listen(self, on_reload: Callable[[], Awaitable[None]]) -> None:
        while True:  # a lost connection is logged and the subscription made again
            try:
                await self._listen(on_reload)
            except (RedisError, OSError) as exc:
                log.warning("listening for /reload news failed (%s); again in %.0f s", exc, 1.0)
                await asyncio.sleep(1.0)

    async def _listen(self, on_reload: Callable[[], Awaitable[None]]) -> None:
        async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(self._channel)
            async for message in pubsub.listen():
                sender = message["data"]
                if isinstance(sender, bytes):
                    sender = sender.decode()
                if sender == self._replica:
                    continue
                log.info("replica %s reloaded the content: reloading here too", sender)
                try:
                    await on_reload()
                except Exception:  # keep listening: the next reload may succeed
                    log.exception("reloading the content after replica %s's /reload failed", sender)
