"""A few days of support generated through the real core (``demo --history``), shared by the
report tests: the same seed and end give the same history every run."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import ContentSettings, Settings
from bot.demo.history import HistoryPlan, Totals, fill_history

ROOT = Path(__file__).resolve().parents[2]
END = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday afternoon


@dataclass(frozen=True)
class Generated:
    database: Path
    plan: HistoryPlan
    totals: Totals
    config: Path


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    folder = tmp_path_factory.mktemp("history")
    database = folder / "history.sqlite3"
    content = ContentSettings(
        intents_dir=ROOT / "intents" / "content",
        kb_dir=ROOT / "kb" / "articles",
        texts_dir=ROOT / "bot" / "texts",
    )
    plan = HistoryPlan(days=4, end=END, weekday_conversations=45)
    totals = asyncio.run(fill_history(Settings(content=content), database, plan))
    config = folder / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{database}"\n\n[content]\n'
        f'intents_dir = "{content.intents_dir}"\nkb_dir = "{content.kb_dir}"\n'
        f'texts_dir = "{content.texts_dir}"\n',
        encoding="utf-8",
    )
    return Generated(database, plan, totals, config)
