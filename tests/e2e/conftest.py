"""End-to-end: the real aiogram client polling the project's Telegram emulator over HTTP, with
SQLite (or PostgreSQL) underneath. Nothing of Telegram's client library is mocked."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings, load_settings
from bot.demo.stack import LocalStack
from intents import ContentHolder, Thresholds
from tests.pg import POSTGRES_URL, admin_connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return load_settings(ROOT / "config.example.toml")


@pytest.fixture(scope="session")
def brain(base_settings: Settings) -> ContentHolder:
    """The shipped content, trained once for the whole session."""
    holder = ContentHolder(
        base_settings.content.intents_dir,
        base_settings.content.kb_dir,
        Thresholds.from_settings(base_settings.matching),
    )
    holder.load()
    return holder


StackFactory = Callable[..., AbstractAsyncContextManager[LocalStack]]


@pytest.fixture
def make_stack(base_settings: Settings, brain: ContentHolder, tmp_path: Path) -> StackFactory:
    """``async with make_stack(**section_overrides) as stack`` — e.g. ``limits={...}``."""

    def factory(
        *, database: str | Path | None = None, brain_: Any = brain, **kwargs: Any
    ) -> AbstractAsyncContextManager[LocalStack]:
        settings = base_settings
        sections = {k: v for k, v in kwargs.items() if k in Settings.model_fields}
        options = {k: v for k, v in kwargs.items() if k not in Settings.model_fields}
        for name, values in sections.items():
            section = getattr(settings, name).model_copy(update=values)
            settings = settings.model_copy(update={name: section})
        return LocalStack.start(
            settings, database or tmp_path / "e2e.sqlite3", brain=brain_, **options
        )

    return factory


@pytest.fixture
async def stack(make_stack: StackFactory) -> AsyncIterator[LocalStack]:
    async with make_stack() as running:
        yield running
    assert running.tg.internal_errors == []


@pytest.fixture
async def postgres_database() -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    admin = await admin_connection()
    name = f"e2e_{secrets.token_hex(6)}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
