"""The PostgreSQL server the tests use: reach it, or skip with the reason (fail under CI=true)."""

from __future__ import annotations

import os
from typing import NoReturn

import asyncpg
import pytest

POSTGRES_URL = os.environ.get(
    "SUPPORTBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
_unreachable: list[str] = []  # the reason, once the server was found unreachable


async def admin_connection() -> asyncpg.Connection:
    """A plain asyncpg connection to the test server; skips (or fails under CI) when down."""
    if _unreachable:
        unavailable(_unreachable[0])
    dsn = POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        return await asyncpg.connect(dsn, timeout=5)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        _unreachable.append(f"{type(exc).__name__}: {exc}")
        unavailable(_unreachable[0])


def unavailable(reason: str) -> NoReturn:
    message = (
        f"PostgreSQL at {POSTGRES_URL} is unreachable ({reason}); start it or set "
        "SUPPORTBOT_TEST_POSTGRES_URL"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: PostgreSQL tests must run)", pytrace=False)
    pytest.skip(message)
