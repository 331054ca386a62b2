"""Albums collected in Redis: an album's parts may reach different replicas.

Each part is pushed onto the album's list; the replica that pushed the first one (it wins the
``SET NX`` of the album's owner key) waits the short album timer, then takes the list and relays
the album whole. A taker removes the list, the owner key and the album's entry in the chat's
pending set in one script, so an album is relayed once, by whoever takes it first: the owner's
timer or any replica flushing the chat because a later, ordinary message arrived.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from bot.core import Flush, MessageReceived, Person
from bot.core import Media as MediaPart

__all__ = ["RedisAlbumBuffer", "decode_part", "encode_part"]

log = logging.getLogger(__name__)

# KEYS: parts, owner, the chat's pending set ; ARGV: media group id → the parts, now removed
_TAKE = """
local parts = redis.call('LRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return parts
"""


def encode_part(ticket_id: int, event: MessageReceived) -> str:
    fields = asdict(event)
    fields["date"] = event.date.isoformat()
    return json.dumps({"ticket": ticket_id, "event": fields}, ensure_ascii=False)


def decode_part(raw: bytes | str) -> tuple[int, MessageReceived]:
    data: dict[str, Any] = json.loads(raw)
    fields = dict(data["event"])
    fields["date"] = datetime.fromisoformat(fields["date"])
    fields["sender"] = Person(**fields["sender"])
    if fields["media"] is not None:
        fields["media"] = MediaPart(**fields["media"])
    return int(data["ticket"]), MessageReceived(**fields)


class RedisAlbumBuffer:
    """:class:`bot.core.shared.AlbumBuffer` on Redis; ``wait`` is the album timer in seconds."""

    def __init__(self, redis: Redis, prefix: str, wait: float, *, keep_s: float = 3600.0) -> None:
        self._redis = redis
        self._prefix = prefix
        self._wait = wait
        self._keep_ms = int(keep_s * 1000)
        self._take = redis.register_script(_TAKE)
        self._timers: dict[tuple[int, str], tuple[asyncio.Task[None], Flush]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def _keys(self, chat_id: int, group: str) -> list[str]:
        base = f"{self._prefix}{chat_id}:"
        return [f"{base}{group}:parts", f"{base}{group}:owner", f"{base}pending"]

    async def add(self, ticket_id: int, event: MessageReceived, flush: Flush) -> None:
        group = event.media_group_id
        if group is None:
            raise ValueError(
                f"message {event.message_id} in chat {event.chat_id} is not part of an album "
                "(no media_group_id): relay it on its own instead of through add"
            )
        parts, owner, pending = self._keys(event.chat_id, group)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(parts, encode_part(ticket_id, event))
            pipe.pexpire(parts, self._keep_ms)
            pipe.sadd(pending, group)
            pipe.pexpire(pending, self._keep_ms)
            pipe.set(owner, "1", nx=True, px=self._keep_ms)
            *_, first = await pipe.execute()
        if first:
            key = (event.chat_id, group)
            self._timers[key] = (self._spawn(self._fire(key, flush)), flush)

    async def flush_chat(self, chat_id: int, flush: Flush) -> None:
        groups = await self._redis.smembers(f"{self._prefix}{chat_id}:pending")
        for raw in sorted(groups):
            group = raw.decode() if isinstance(raw, bytes) else str(raw)
            timer = self._timers.pop((chat_id, group), None)
            if timer is not None:
                timer[0].cancel()
            await self._hand_over(chat_id, group, flush)

    async def drain(self) -> None:
        for (chat_id, group), (timer, flush) in list(self._timers.items()):
            timer.cancel()
            self._timers.pop((chat_id, group), None)
            await self._hand_over(chat_id, group, flush)
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _fire(self, key: tuple[int, str], flush: Flush) -> None:
        await asyncio.sleep(self._wait)
        self._timers.pop(key, None)
        await self._hand_over(*key, flush)

    async def _hand_over(self, chat_id: int, group: str, flush: Flush) -> None:
        raw_parts = await self._take(keys=self._keys(chat_id, group), args=[group])
        if not raw_parts:
            return  # another replica relayed it already
        decoded = [decode_part(raw) for raw in raw_parts]
        ticket_id = decoded[0][0]
        parts = sorted((event for _, event in decoded), key=lambda part: part.message_id)
        try:
            await flush(ticket_id, parts)
        except Exception:  # a background task: log, never lose the loop
            log.exception("relaying an album of ticket #%s failed", ticket_id)

    def _spawn(self, coro: Awaitable[None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task
