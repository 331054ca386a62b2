"""``supportbot doctor``: is this deployment wired right? Database, Redis, the webhook.

Each check prints ``ok`` or ``PROBLEM`` with what to do; the exit code is 1 when anything is
wrong, so a deployment script (or a replica's start-up unit) can refuse to go on.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.commands import Context

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["Finding", "diagnose", "register"]


@dataclass(frozen=True)
class Finding:
    ok: bool
    part: str  # database | redis | telegram | webhook
    says: str  # what was found and, for a problem, what to do

    def line(self) -> str:
        return f"{'ok     ' if self.ok else 'PROBLEM'} {self.part}: {self.says}"


def register(commands: argparse._SubParsersAction[Any]) -> None:
    doctor = commands.add_parser(
        "doctor",
        help="check a deployment's wiring (database, Redis, webhook) and say what is wrong",
    )
    doctor.add_argument(
        "--offline", action="store_true", help="skip the checks that ask Telegram (no token needed)"
    )
    doctor.set_defaults(handler=_doctor)


def _doctor(args: argparse.Namespace, context: Context) -> int:
    findings = asyncio.run(diagnose(context.settings, ask_telegram=not args.offline))
    for finding in findings:
        print(finding.line())
    return 0 if all(finding.ok for finding in findings) else 1


async def diagnose(settings: Settings, *, ask_telegram: bool = True) -> list[Finding]:
    """Every check, in the order a replica needs them at start-up."""
    findings = [await _database(settings), *await _redis(settings)]
    if ask_telegram:
        findings.extend(await _telegram(settings))
    return findings


async def _database(settings: Settings) -> Finding:
    from storage import Database, StorageError  # imported here: `supportbot --help` stays fast

    db = Database.connect(settings.database.url)
    try:
        current, head = await db.current_revision(), db.head_revision()
    except (StorageError, OSError) as exc:
        return Finding(
            False, "database", f"{db.url} cannot be reached ({exc}): check [database] url"
        )
    finally:
        await db.dispose()
    if current != head:
        return Finding(
            False,
            "database",
            f"{db.url} is at {current or 'an empty schema'}, the code needs {head}: run "
            "`supportbot db upgrade` once (a replica also migrates at start-up)",
        )
    return Finding(True, "database", f"{db.url} reached, schema at {head}")


async def _redis(settings: Settings) -> list[Finding]:
    url = settings.redis.url
    if not url:
        return [
            Finding(
                True,
                "redis",
                "not configured: run exactly one bot process (several replicas need "
                "[redis] url and PostgreSQL)",
            )
        ]
    from bot.replicas import RedisUnreachable, ping_redis

    found: list[Finding] = []
    if settings.database.url.startswith("sqlite"):
        found.append(
            Finding(
                False,
                "database",
                "several replicas ([redis] url is set) cannot share a SQLite file: set "
                "[database] url to PostgreSQL (postgresql+asyncpg://...)",
            )
        )
    try:
        await ping_redis(url)
    except RedisUnreachable as exc:
        return [*found, Finding(False, "redis", str(exc))]
    return [*found, Finding(True, "redis", f"{url} answers (prefix {settings.redis.key_prefix!r})")]


async def _telegram(settings: Settings) -> list[Finding]:
    from bot.config import ConfigError
    from bot.runtime import WEBHOOK_PATH
    from bot.runtime.aiogram import ProbeFailed, webhook_status

    telegram = settings.telegram
    try:
        token = telegram.token().get_secret_value()
    except ConfigError as exc:
        return [Finding(False, "telegram", str(exc))]
    try:
        status = await webhook_status(token, telegram.api_url)
    except ProbeFailed as exc:
        return [
            Finding(
                False,
                "telegram",
                f"{telegram.api_url} refused or did not answer ({exc}): check the token in "
                f"${telegram.token_env} and [telegram] api_url",
            )
        ]
    found = [Finding(True, "telegram", f"the token is @{status.username}'s")]
    expected = telegram.webhook_url.rstrip("/") + WEBHOOK_PATH
    if telegram.mode == "polling":
        if status.url:
            found.append(
                Finding(
                    False,
                    "webhook",
                    f"mode is polling but a webhook is set ({status.url}): polling would fail "
                    "with a conflict; start `supportbot run` (it removes it) or set mode = webhook",
                )
            )
        else:
            found.append(Finding(True, "webhook", "none set (polling mode)"))
        return found
    if status.url != expected:
        found.append(
            Finding(
                False,
                "webhook",
                f"Telegram posts to {status.url or 'nowhere'}, the config says {expected}: "
                "start a replica (it registers the webhook) or fix [telegram] webhook_url",
            )
        )
    elif status.last_error:
        found.append(
            Finding(
                False,
                "webhook",
                f"registered at {status.url}, but Telegram's last delivery failed: "
                f"{status.last_error} ({status.pending_updates} update(s) waiting): check that "
                "the load balancer forwards to running replicas",
            )
        )
    else:
        found.append(
            Finding(
                True,
                "webhook",
                f"registered at {status.url}, {status.pending_updates} update(s) waiting",
            )
        )
    return found
