"""A database already at the newest migration starts without Alembic; any other is migrated."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from storage import Database
from storage.revisions import script_head

ROOT = Path(__file__).resolve().parents[2]


def test_the_files_head_is_alembics_head() -> None:
    assert script_head() is not None
    assert script_head() == Database.head_revision()


def test_unclear_heads_give_none(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('revision = "a"\ndown_revision = None\n', encoding="utf-8")
    (tmp_path / "b.py").write_text('revision = "b"\ndown_revision = "a"\n', encoding="utf-8")
    assert script_head(tmp_path) == "b"
    (tmp_path / "c.py").write_text('revision = "c"\ndown_revision = "a"\n', encoding="utf-8")
    assert script_head(tmp_path) is None  # two heads: Alembic decides
    (tmp_path / "c.py").write_text("revision = make()\n", encoding="utf-8")
    assert script_head(tmp_path) is None


async def test_an_older_database_is_still_upgraded(tmp_path: Path) -> None:
    async with Database.connect(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}") as db:
        await db.create_schema()
        await db.downgrade("0001")
        await db.create_schema()
        assert await db.current_revision() == Database.head_revision()


async def _create(url: str) -> None:
    async with Database.connect(url) as db:
        await db.create_schema()


def test_a_database_at_the_head_starts_without_importing_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    asyncio.run(_create(url))
    code = (
        "import asyncio, json, sys\n"
        "from storage import Database\n"
        "async def main():\n"
        f"    async with Database.connect({url!r}) as db:\n"
        "        await db.create_schema()\n"
        "asyncio.run(main())\n"
        "print(json.dumps('alembic' in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) is False
