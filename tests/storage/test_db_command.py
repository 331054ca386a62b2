"""``supportbot db upgrade`` / ``db current`` against a SQLite file named in a config file."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest

from bot.commands import Context
from bot.commands.database import register
from storage import Database


def _run(argv: list[str], config: Path) -> int:
    parser = argparse.ArgumentParser(prog="supportbot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args, Context(config_path=config))
    return code


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[database]\nurl = "sqlite+aiosqlite:///data/bot.sqlite3"\n', encoding="utf-8")
    (tmp_path / "data").mkdir()
    return path


async def _revision(path: Path) -> str | None:
    db = Database.connect(f"sqlite+aiosqlite:///{path}")
    try:
        return await db.current_revision()
    finally:
        await db.dispose()


def test_upgrade_builds_the_schema_then_reports_it_is_current(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = Database.head_revision()
    assert _run(["db", "current"], config) == 0
    assert "empty database" in capsys.readouterr().out

    assert _run(["db", "upgrade"], config) == 0
    assert f"-> {head}" in capsys.readouterr().out

    assert _run(["db", "upgrade"], config) == 0
    assert f"already at {head}" in capsys.readouterr().out

    assert _run(["db", "current"], config) == 0
    out = capsys.readouterr().out
    assert f"at {head}" in out
    assert "up to date" in out


def test_upgrade_writes_the_file_next_to_the_config(config: Path) -> None:
    # a relative SQLite path in the config is anchored at the config file's directory
    assert _run(["db", "upgrade"], config) == 0
    assert (
        asyncio.run(_revision(config.parent / "data" / "bot.sqlite3")) == Database.head_revision()
    )


def test_an_unusable_database_is_one_line_and_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[database]\nurl = "sqlite+aiosqlite:///missing/dir/bot.sqlite3"\n', encoding="utf-8"
    )
    assert _run(["db", "upgrade"], config) == 1
    err = capsys.readouterr().err
    assert err.startswith("supportbot db: cannot reach the database")
    assert "[database] url" in err
    assert "Traceback" not in err


def test_db_needs_an_action(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        _run(["db"], tmp_path / "config.toml")
    assert "ACTION" in capsys.readouterr().err
