"""One replica of the bot in a process of its own, so a test can kill it with SIGKILL: no
``finally`` runs, no transaction is rolled back, its connections just drop (a crash, a host gone).

Started with ``multiprocessing`` (spawn) by tests/e2e/test_replicas.py; it serves the webhook as
``supportbot run`` does in webhook mode, on a clock that stays at ``now`` like the test's.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.app import build_app
from bot.config import Settings
from bot.demo.stack import TOKEN
from bot.runtime.aiogram import AiogramOutbox, make_bot, run_webhook
from handoff import ManualClock

__all__ = ["serve_replica"]


def serve_replica(settings: Settings, listen: str, url: str, secret: str, now: datetime) -> None:
    """The process's target: serve until killed."""
    logging.basicConfig(level=logging.WARNING, format=f"[replica {listen}] %(message)s")
    asyncio.run(_serve(settings, listen, url, secret, now))


async def _serve(settings: Settings, listen: str, url: str, secret: str, now: datetime) -> None:
    bot = make_bot(TOKEN, settings.telegram.api_url)
    async with build_app(settings, AiogramOutbox(bot), clock=ManualClock(now)) as app:
        await run_webhook(bot, app.core, url=url, listen=listen, secret=secret)
