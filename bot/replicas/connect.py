"""Connecting to Redis and building the shared state from it."""

from __future__ import annotations

import os
import socket
import uuid

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.core import AlbumBuffer, FloodCounter, SharedState
from bot.replicas.albums import RedisAlbumBuffer
from bot.replicas.content import RedisContentSignal
from bot.replicas.flood import RedisFloodCounter
from bot.replicas.leader import RedisLeader
from bot.replicas.order import RedisKeyedOrder

__all__ = ["RedisUnreachable", "connect_shared_state", "ping_redis"]


class RedisUnreachable(Exception):
    """Redis did not answer; the message names the URL and what to check."""


def replica_name() -> str:
    """Unique per process, readable in logs: host, pid and a random tail."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def ping_redis(url: str) -> None:
    """Raise :class:`RedisUnreachable` unless Redis at ``url`` answers a PING."""
    redis = Redis.from_url(url, socket_connect_timeout=5)
    try:
        await redis.ping()
    except (RedisError, OSError) as exc:
        raise RedisUnreachable(
            f"Redis at {url} did not answer ({type(exc).__name__}: {exc}): start it, or fix "
            "[redis] url in the config (empty for one process)"
        ) from exc
    finally:
        await redis.aclose()


async def connect_shared_state(
    url: str,
    prefix: str = "supportbot:",
    *,
    replica: str | None = None,
    lease_s: float = 30.0,
) -> SharedState:
    """The core's shared state on the Redis at ``url``; every key starts with ``prefix``.
    Checks the connection first (:class:`RedisUnreachable` with what to fix). ``lease_s``: how
    long a dead replica's place in a chat's line holds the chat up."""
    await ping_redis(url)
    redis = Redis.from_url(url, socket_connect_timeout=5)
    me = replica or replica_name()

    def flood(per_minute: int) -> FloodCounter:
        return RedisFloodCounter(redis, prefix + "flood:", per_minute)

    def albums(wait: float) -> AlbumBuffer:
        return RedisAlbumBuffer(redis, prefix + "album:", wait)

    async def close() -> None:
        await redis.aclose()

    return SharedState(
        chat_order=RedisKeyedOrder(redis, prefix + "chat:", lease_s=lease_s),
        ticket_order=RedisKeyedOrder(redis, prefix + "ticket:", lease_s=lease_s),
        flood=flood,
        albums=albums,
        content=RedisContentSignal(redis, prefix + "reload", me),
        leader=RedisLeader(redis, prefix + "housekeeper", me),
        close=close,
    )
