"""``supportbot metrics`` end to end over a real SQLite database: summary, tables, CSV."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.commands import Context
from bot.commands import metrics as command
from handoff import survey, tickets
from handoff.model import Decision, NewTicket, Priority
from handoff.ports import UnitOfWork
from storage import Database


async def _fill(uow: UnitOfWork, now: datetime) -> None:
    """One ticket answered after 4 minutes and closed after 30, rated 5 and solved;
    one bot answer that helped in another conversation; one hand-off question."""
    customer = await uow.customers.upsert(
        telegram_id=1, chat_id=1, name="Ann", username=None, language="en", now=now
    )
    talk = await uow.conversations.current(customer.id, now=now, idle_after_s=60)
    request = NewTicket(
        customer_id=customer.id,
        conversation_id=talk.id,
        priority=Priority.NORMAL,
        line=1,
        language="en",
        subject="refund",
        intent=None,
        confidence=None,
        created_at=now,
    )
    opened = await tickets.open_ticket(uow, request, reopen_window=timedelta(minutes=30))
    ticket_id = opened.ticket.id
    await tickets.take(uow, ticket_id, operator_id=9, operator_name="Op", now=now)
    await tickets.record_operator_reply(uow, ticket_id, now=now + timedelta(minutes=4))
    await tickets.close(uow, ticket_id, now=now + timedelta(minutes=30))
    state = await survey.answer_csat(uow, survey.start(ticket_id), 5, now=now + timedelta(hours=1))
    await survey.answer_solved(uow, state, True, now=now + timedelta(hours=1))
    await _decide(uow, talk.id, "Refund  please", "unknown", now)
    other = await uow.customers.upsert(
        telegram_id=2, chat_id=2, name="Bob", username=None, language="en", now=now
    )
    chat = await uow.conversations.current(other.id, now=now, idle_after_s=60)
    answered = await _decide(uow, chat.id, "opening hours", "answer", now, "opening_hours")
    await uow.decisions.set_feedback(answered.id, True)


async def _decide(
    uow: UnitOfWork,
    conversation_id: int,
    text: str,
    action: str,
    now: datetime,
    intent: str | None = None,
) -> Decision:
    return await uow.decisions.add(
        conversation_id=conversation_id,
        text=text,
        language="en",
        action=action,
        intent=intent,
        article=None,
        score=0.5,
        now=now,
    )


def _check(data: dict[str, object]) -> None:
    assert data["tickets_created"] == data["tickets_resolved"] == 1
    assert data["first_response_median"] == 240.0
    assert data["resolution_median"] == 1800.0
    assert (data["csat_mean"], data["fcr_share"]) == (5.0, 1.0)
    assert data["bot_resolved_share"] == 0.5
    assert data["unanswered"] == [{"text": "refund please", "count": 1}]


def _run(argv: list[str], config: Path) -> int:
    parser = argparse.ArgumentParser(prog="supportbot")
    command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args, Context(config_path=config))
    return code


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


async def test_command_reads_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    db = Database.connect(url)
    await db.create_schema()
    async with db.unit_of_work() as uow:
        await _fill(uow, datetime.now(UTC) - timedelta(hours=3))
    await db.dispose()
    config = _config(tmp_path, url)
    # the handler calls asyncio.run, so it runs in a thread without an event loop
    assert await asyncio.to_thread(_run, ["metrics", "--json", "--days", "1"], config) == 0
    _check(json.loads(capsys.readouterr().out))
    assert await asyncio.to_thread(_run, ["metrics"], config) == 0
    out = capsys.readouterr().out
    assert "Resolved by the bot       50.0% (1 of 2 conversations)" in out
    assert "Contact reasons" in out
    assert "Per operator" in out
    assert await asyncio.to_thread(_run, ["metrics", "--table", "operators"], config) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0].startswith("operator,tickets taken,resolved,first response median (min)")
    assert rows[1] == "Op,1,1,4.0,30.0,5.0,1"
    csv_dir = tmp_path / "tables"
    assert await asyncio.to_thread(_run, ["metrics", "--csv", str(csv_dir)], config) == 0
    assert sorted(p.stem for p in csv_dir.glob("*.csv")) == sorted(command.TABLE_NAMES)


def test_command_without_a_database_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'missing.sqlite3'}")
    assert _run(["metrics"], config) == 1
    assert "no database at" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite3").exists()


def test_days_must_be_positive(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        _run(["metrics", "--days", "0"], tmp_path / "unused.toml")
    assert "at least 1" in capsys.readouterr().err
