"""``supportbot doctor`` says what is wrong with a deployment's wiring, and only that."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.doctor import Finding, diagnose
from bot.config import Settings, load_settings
from bot.runtime.aiogram import make_bot
from storage import Database
from telegram_emulator import TelegramEmulator

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:doctor-test-token"
HOOK = "https://bot.example.org"


def _settings(tmp_path: Path, api_url: str, **sections: dict[str, object]) -> Settings:
    base = load_settings(ROOT / "config.example.toml")
    update: dict[str, object] = {
        "telegram": base.telegram.model_copy(
            update={"api_url": api_url, "mode": "webhook", "webhook_url": HOOK}
        ),
        "database": base.database.model_copy(
            update={"url": f"sqlite+aiosqlite:///{tmp_path / 'doctor.sqlite3'}"}
        ),
    }
    for name, values in sections.items():
        update[name] = getattr(base, name).model_copy(update=values)
    return base.model_copy(update=update)


def _problems(findings: list[Finding]) -> dict[str, str]:
    return {finding.part: finding.says for finding in findings if not finding.ok}


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORTBOT_TOKEN", TOKEN)


async def _migrate(settings: Settings) -> None:
    async with Database.connect(settings.database.url) as db:
        await db.create_schema()


async def _register(url: str, api_url: str) -> None:
    bot = make_bot(TOKEN, api_url)
    try:
        await bot.set_webhook(url)
    finally:
        await bot.session.close()


async def test_a_sound_single_process_deployment_has_no_problem(tmp_path: Path) -> None:
    async with TelegramEmulator(token=TOKEN) as tg:
        settings = _settings(tmp_path, tg.url)
        await _migrate(settings)
        await _register(HOOK + "/telegram/webhook", tg.url)
        findings = await diagnose(settings)
    assert _problems(findings) == {}
    assert [finding.part for finding in findings] == ["database", "redis", "telegram", "webhook"]
    assert "run exactly one bot process" in findings[1].says


async def test_each_miswiring_is_named_with_what_to_do(tmp_path: Path) -> None:
    async with TelegramEmulator(token=TOKEN) as tg:
        settings = _settings(tmp_path, tg.url, redis={"url": "redis://127.0.0.1:1/0"})
        await _register("https://old-host.example.org/telegram/webhook", tg.url)
        problems = _problems(await diagnose(settings))  # not migrated either
    assert set(problems) == {"database", "redis", "webhook"}
    assert "cannot share a SQLite file" in problems["database"]
    assert "redis://127.0.0.1:1/0 did not answer" in problems["redis"]
    assert "old-host.example.org" in problems["webhook"]
    assert "fix [telegram] webhook_url" in problems["webhook"]


async def test_a_wrong_token_is_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with TelegramEmulator(token=TOKEN) as tg:
        settings = _settings(tmp_path, tg.url)
        await _migrate(settings)
        monkeypatch.setenv("SUPPORTBOT_TOKEN", "999:not-this-bot")
        problems = _problems(await diagnose(settings))
    assert set(problems) == {"telegram"}
    assert "check the token in $SUPPORTBOT_TOKEN" in problems["telegram"]


async def test_offline_skips_telegram(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "http://127.0.0.1:9")
    await _migrate(settings)
    findings = await diagnose(settings, ask_telegram=False)
    assert [(f.part, f.ok) for f in findings] == [("database", True), ("redis", True)]
