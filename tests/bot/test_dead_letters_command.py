"""``supportbot dead-letters``: the list, one in full, a retry requested, a drop, clear errors."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import bot.cli
from bot.commands.dead_letters import excerpt
from storage import Database

WHEN = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
MESSAGE = {
    "update_id": 70,
    "message": {"chat": {"id": 5, "type": "private"}, "text": "где мой заказ"},
}
BROKEN = {"update_id": 71, "callback_query": {"id": "q", "data": "take:" + "9" * 80}}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    url = f"sqlite+aiosqlite:///{tmp_path / 'letters.sqlite3'}"

    async def seed() -> None:
        database = Database.connect(url)
        try:
            await database.create_schema()
            async with database.unit_of_work() as uow:
                for raw, error, tries in (
                    (MESSAGE, "StorageUnavailableError: the database is unreachable\nmore", 4),
                    (BROKEN, "ValidationError: 1 validation error for Update", 0),
                ):
                    kind = next(key for key in raw if key != "update_id")
                    await uow.dead_letters.park(
                        update_id=int(raw["update_id"]),  # type: ignore[call-overload]
                        kind=kind,
                        chat_id=5 if kind == "message" else None,
                        private=kind == "message",
                        error=error,
                        raw=json.dumps(raw, ensure_ascii=False),
                        attempts=tries,
                        now=WHEN,
                    )
        finally:
            await database.dispose()

    asyncio.run(seed())
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def run(config: Path, *args: str) -> int:
    return bot.cli.main(["--config", str(config), "dead-letters", *args])


def test_the_list_shows_each_parked_update_in_a_line(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config) == 0
    header, first, second, summary = capsys.readouterr().out.splitlines()
    assert header.split() == ["ID", "PARKED", "(UTC)", "KIND", "CHAT", "TRIES", "ERROR", "EXCERPT"]
    assert first.split()[:6] == ["1", "2026-11-23", "09:30:00", "message", "5", "4"]
    assert "StorageUnavailableError: the database is unreachable" in first
    assert "more" not in first  # the error's first line only
    assert first.endswith("где мой заказ")
    assert second.split()[:5] == ["2", "2026-11-23", "09:30:00", "callback_query", "0"]
    assert second.endswith("…")  # the long button data, cut
    assert summary.startswith("2 dead letter(s).")


def test_show_prints_the_error_and_the_update(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, "--show", "1") == 0
    out = capsys.readouterr().out
    assert "update 70 (message), chat 5" in out
    assert "after 4 tries" in out
    assert '"text": "где мой заказ"' in out


def test_retry_marks_it_for_the_running_bot_and_drop_forgets(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(config, "--retry", "1") == 0
    assert "handled again by the running bot" in capsys.readouterr().out
    assert run(config) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("1*")
    assert "a retry is waiting for the running bot (1)" in lines[-1]
    assert run(config, "--drop", "2") == 0
    assert capsys.readouterr().out.strip() == "Dead letter 2 is forgotten."
    assert run(config) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("1 dead letter(s)")


@pytest.mark.parametrize("action", ["--show", "--retry", "--drop"])
def test_an_unknown_id_is_refused_with_what_to_do(
    config: Path, capsys: pytest.CaptureFixture[str], action: str
) -> None:
    assert run(config, action, "99") == 1
    assert capsys.readouterr().err.strip() == (
        "supportbot dead-letters: there is no dead letter 99; "
        "`supportbot dead-letters` lists the ones there are"
    )


def test_no_letters_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "empty.sqlite3"}"\n', encoding="utf-8"
    )
    assert run(path) == 0
    assert capsys.readouterr().out.strip() == "No dead letters: every update was handled."


def test_the_excerpt_is_one_short_line() -> None:
    assert excerpt(json.dumps({"update_id": 1, "message": {"caption": "a\nb"}})) == "a b"
    assert excerpt("not json at all") == "not json at all"
    assert excerpt(json.dumps({"update_id": 1, "poll": {"id": "x"}})) == '{"id": "x"}'
