"""The Redis server the tests use: reach it, or skip with the reason (fail under CI=true)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NoReturn

import pytest
from redis.asyncio import Redis

from bot.replicas import RedisUnreachable, ping_redis

REDIS_URL = os.environ.get("SUPPORTBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_unreachable: list[str] = []  # the reason, once the server was found unreachable


def unavailable(reason: str) -> NoReturn:
    message = f"{reason}; or set SUPPORTBOT_TEST_REDIS_URL"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: Redis tests must run)", pytrace=False)
    pytest.skip(message)


@asynccontextmanager
async def redis_prefix() -> AsyncIterator[str]:
    """A random key prefix on the test server; its keys are deleted afterwards."""
    if _unreachable:
        unavailable(_unreachable[0])
    try:
        await ping_redis(REDIS_URL)
    except RedisUnreachable as exc:
        _unreachable.append(str(exc))
        unavailable(str(exc))
    prefix = f"test-{secrets.token_hex(6)}:"
    try:
        yield prefix
    finally:
        redis = Redis.from_url(REDIS_URL)
        try:
            keys = [key async for key in redis.scan_iter(match=prefix + "*", count=1000)]
            if keys:
                await redis.delete(*keys)
        finally:
            await redis.aclose()
