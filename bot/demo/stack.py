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
from bot.emulator import Group, TelegramEmulator, User
from bot.runtime.aiogram.outbox import AiogramOutbox
from bot.runtime.aiogram.runner import make_bot, make_dispatcher, run_polling
from handoff.clock import Clock

__all__ = ["LocalStack", "local_settings"]

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


@dataclass
class LocalStack:
    tg: TelegramEmulator
    app: App
    group: Group
    operator: User

    @classmethod
    @contextlib.asynccontextmanager
    async def start(
        cls,
        base: Settings,
        database: Path | str,
        *,
        always_open: bool = True,
        clock: Clock | None = None,
        forum: bool = True,
        polling_timeout: int = 1,
    ) -> AsyncIterator[LocalStack]:
        url = database if isinstance(database, str) else f"sqlite+aiosqlite:///{database}"
        async with TelegramEmulator(token=TOKEN) as tg:
            operator = tg.add_user("Olga", language_code="en", username="olga_support")
            group = tg.add_supergroup("Support desk", forum=forum, admins=[operator])
            settings = local_settings(
                base, database_url=url, api_url=tg.url, group_id=group.id, always_open=always_open
            )
            bot = make_bot(TOKEN, tg.url)
            try:
                async with build_app(settings, AiogramOutbox(bot), clock=clock) as app:
                    dispatcher = make_dispatcher(app.core)
                    polling = asyncio.create_task(
                        run_polling(
                            bot, app.core, polling_timeout=polling_timeout, dispatcher=dispatcher
                        )
                    )
                    try:
                        await tg.wait_for_poll()
                        yield cls(tg=tg, app=app, group=group, operator=operator)
                    finally:
                        await app.core.desk.drain()
                        if polling.done():
                            polling.result()  # surfaces a crash of the polling loop
                        else:
                            with contextlib.suppress(RuntimeError):
                                await dispatcher.stop_polling()
                            await asyncio.wait_for(polling, timeout=10)
            finally:
                await bot.session.close()
