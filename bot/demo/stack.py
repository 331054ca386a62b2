"""Everything on one machine: the Telegram emulator, the bot on aiogram polling it, SQLite.

Used by ``supportbot demo`` and by the end-to-end tests, so both exercise the real runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from bot.app import App, build_app
from bot.config import Settings
from bot.core import Brain
from bot.runtime import RetryPolicy
from bot.runtime.aiogram import AiogramOutbox, make_bot, run_polling
from handoff import Clock
from telegram_emulator import Group, TelegramEmulator, User

__all__ = ["LocalStack", "local_settings", "running_bot", "running_ptb_bot"]

TOKEN = "123456:LOCAL-DEMO-TOKEN"


def local_settings(
    base: Settings, *, database_url: str, api_url: str, group_id: int, always_open: bool = True
) -> Settings:
    """``base`` pointed at the emulator and a local database; operators on duty around the clock
    unless ``always_open`` is False."""
    update: dict[str, object] = {
        "telegram": base.telegram.model_copy(update={"api_url": api_url}),
        "database": base.database.model_copy(update={"url": database_url}),
        "operators": base.operators.model_copy(update={"group_id": group_id}),
    }
    if always_open:
        update["hours"] = base.hours.model_copy(
            update={
                "days": [1, 2, 3, 4, 5, 6, 7],
                "start": time(0, 0),
                "end": time(23, 59, 59),
                "holidays": [],
            }
        )
    return base.model_copy(update=update)


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings,
    *,
    token: str = TOKEN,
    clock: Clock | None = None,
    brain: Brain | None = None,
    polling_timeout: int = 1,
    retry: RetryPolicy | None = None,
) -> AsyncIterator[App]:
    """The bot polling ``settings.telegram.api_url`` until the block ends (a clean stop: the poll
    is released, the updates in hand finished and confirmed, buffered albums are delivered, the
    database is disposed)."""
    bot = make_bot(token, settings.telegram.api_url)
    try:
        async with build_app(settings, AiogramOutbox(bot), clock=clock, brain=brain) as app:
            await app.core.resume()  # what a crash left pending goes out before new updates
            stop = asyncio.Event()
            polling = asyncio.create_task(
                run_polling(bot, app.core, polling_timeout=polling_timeout, stop=stop, retry=retry)
            )
            try:
                yield app
            finally:
                if polling.done():
                    polling.result()  # surfaces a crash of the polling loop
                else:
                    stop.set()
                    await asyncio.wait_for(polling, timeout=40)  # it finishes what it handles
    finally:
        await bot.session.close()


@dataclass
class LocalStack:
    tg: TelegramEmulator
    app: App
    group: Group
    operator: User
    settings: Settings
    colleagues: tuple[User, ...] = ()

    @classmethod
    @contextlib.asynccontextmanager
    async def start(
        cls,
        base: Settings,
        database: Path | str,
        *,
        always_open: bool = True,
        clock: Clock | None = None,
        brain: Brain | None = None,
        forum: bool = True,
        colleagues: tuple[str, ...] = (),
    ) -> AsyncIterator[LocalStack]:
        """The emulator with an operator group (Olga, its admin, plus ``colleagues`` as members)
        and the bot running on it."""
        url = database if isinstance(database, str) else f"sqlite+aiosqlite:///{database}"
        async with TelegramEmulator(token=TOKEN) as tg:
            operator = tg.add_user("Olga", language_code="en", username="olga_support")
            others = tuple(tg.add_user(name, language_code="en") for name in colleagues)
            group = tg.add_supergroup(
                "Support desk", forum=forum, admins=[operator], members=list(others)
            )
            settings = local_settings(
                base, database_url=url, api_url=tg.url, group_id=group.id, always_open=always_open
            )
            async with running_bot(settings, clock=clock, brain=brain) as app:
                await tg.wait_for_poll()
                yield cls(
                    tg=tg,
                    app=app,
                    group=group,
                    operator=operator,
                    settings=settings,
                    colleagues=others,
                )


@contextlib.asynccontextmanager
async def running_ptb_bot(
    settings: Settings,
    *,
    token: str = TOKEN,
    clock: Clock | None = None,
    brain: Brain | None = None,
    polling_timeout: int = 1,
    retry: RetryPolicy | None = None,
) -> AsyncIterator[App]:
    """``running_bot`` on python-telegram-bot: the same core, the other runtime."""
    # imported here, so the aiogram demo never loads python-telegram-bot
    from bot.runtime.ptb import PtbOutbox, make_application
    from bot.runtime.ptb import run_polling as run_ptb_polling

    application = make_application(token, settings.telegram.api_url)
    async with build_app(settings, PtbOutbox(application.bot), clock=clock, brain=brain) as app:
        await application.bot.initialize()  # idempotent: the runner initializes it again
        await app.core.resume()  # what a crash left pending goes out before new updates
        stop = asyncio.Event()
        polling = asyncio.create_task(
            run_ptb_polling(
                application,
                app.core,
                polling_timeout=polling_timeout,
                stop=stop,
                retry=retry,
            )
        )
        try:
            yield app
        finally:
            stop.set()
            await asyncio.wait_for(polling, timeout=30)  # also surfaces a crash of the loop
