"""One source of truth for working hours, and every UI text in every language (issue 14)."""

from __future__ import annotations

import argparse
import shutil
import tomllib
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.commands import Context, content
from bot.core.hours_text import hours_phrase, with_hours
from bot.core.texts import Texts
from handoff import contradicting_hours
from handoff.hours import WorkingHours

ROOT = Path(__file__).resolve().parents[2]
TEXTS = Texts.load(ROOT / "bot" / "texts", ["ru", "en"], "en")
HOURS = WorkingHours(
    zone=ZoneInfo("Europe/Moscow"), days=frozenset({1, 2, 3, 4, 5}), start=time(9), end=time(21)
)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_every_key_exists_in_every_language() -> None:
    tables = {
        path.stem: tomllib.loads(path.read_text("utf-8"))
        for path in (ROOT / "bot" / "texts").glob("*.toml")
    }
    assert set(tables) >= {"ru", "en"}
    keys = {lang: set(table) for lang, table in tables.items()}
    every = set().union(*keys.values())
    for lang, have in keys.items():
        assert every - have == set(), f"{lang}.toml lacks {sorted(every - have)}"


def test_the_placeholder_gives_the_configured_hours_with_the_zone() -> None:
    assert hours_phrase(HOURS, TEXTS, "en", NOW) == "Mon–Fri 09:00–21:00 (UTC+3, Moscow)"
    assert hours_phrase(HOURS, TEXTS, "ru", NOW) == "пн–пт 09:00–21:00 (UTC+3, Moscow)"
    text = with_hours("Agents work <b>{hours}</b>.", HOURS, TEXTS, "en", NOW)
    assert text == "Agents work <b>Mon–Fri 09:00–21:00 (UTC+3, Moscow)</b>."


def test_stated_hours_that_contradict_the_config_are_found() -> None:
    """Regression: the shipped answer said Sat–Sun 10:00–18:00 while the config said Mon–Fri."""
    text = "We work <b>Mon–Fri 9:00–21:00</b> and <b>Sat–Sun 10:00–18:00</b>."
    assert [s.text for s in contradicting_hours(text, HOURS)] == ["Sat–Sun 10:00–18:00"]
    assert contradicting_hours("пн–пт с 9:00 до 21:00", HOURS) == []
    assert len(contradicting_hours("пн–пт с 10:00 до 19:00", HOURS)) == 1
    assert contradicting_hours("a courier slot between 9:00 and 22:00", HOURS) == []


def run_check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="supportbot")
    content.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["check", *argv])
    code: int = args.handler(args, Context(config_path=None))
    return code, capsys.readouterr().err


def test_check_warns_about_contradicting_hours_and_validates_templates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(ROOT / "intents" / "content", tmp_path / "intents")
    contact = tmp_path / "intents" / "contact.yaml"
    text = contact.read_text("utf-8").replace(
        "Support agents are available <b>{hours}</b>",
        "Support agents are available <b>Sat–Sun 10:00–18:00</b>",
    )
    contact.write_text(text, "utf-8")
    code, err = run_check(["--intents", str(tmp_path / "intents")], capsys)
    assert code == 0  # a warning, not an error
    assert f"{contact}:" in err
    assert "warning: states hours “Sat–Sun 10:00–18:00”" in err
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.en.md").write_text("---\ntitle: X\n---\nHi {nmae}\n", "utf-8")
    code, err = run_check(["--templates", str(tmp_path / "t")], capsys)
    assert code == 1
    assert "x.en.md:4: unknown placeholder {nmae}" in err


def test_the_shipped_content_states_no_contradicting_hours(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, err = run_check([], capsys)
    assert code == 0
    assert "warning" not in err


def test_slots_fill_their_placeholders_and_leave_hours_to_the_hours_filler() -> None:
    # regression: a line with {hours} was dropped as "a slot the customer did not give"
    from bot.core.replies import fill_slots

    text = "Order {order_id} is on its way.\nWe work {hours}.\nAsk about {order_id} any time."
    assert fill_slots(text, {"order_id": "458812"}) == (
        "Order 458812 is on its way.\nWe work {hours}.\nAsk about 458812 any time."
    )
    assert fill_slots(text, {}) == "We work {hours}.\n"
