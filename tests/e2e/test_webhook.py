"""Webhook mode: the emulator POSTs updates to the bot's aiohttp server with the secret header."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from bot.app import build_app
from bot.config import Settings
from bot.demo.stack import TOKEN, local_settings
from bot.runtime.aiogram.outbox import AiogramOutbox
from bot.runtime.aiogram.runner import make_bot, run_webhook
from bot.runtime.shared import WEBHOOK_PATH
from intents import ContentHolder
from telegram_emulator import TelegramEmulator
from tests.e2e.helpers import WAIT, assert_forged_webhook_refused, free_port

SECRET = "s3cret-token_for-tests"


async def test_webhook_delivery_with_the_secret_and_a_forged_request_refused(
    base_settings: Settings, brain: ContentHolder, tmp_path: Path
) -> None:
    port = free_port()
    async with TelegramEmulator(token=TOKEN) as tg:
        group = tg.add_supergroup("Support desk", forum=True)
        settings = local_settings(
            base_settings,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'hook.sqlite3'}",
            api_url=tg.url,
            group_id=group.id,
        )
        bot = make_bot(TOKEN, tg.url)
        async with build_app(settings, AiogramOutbox(bot), brain=brain) as app:
            server = asyncio.create_task(
                run_webhook(
                    bot,
                    app.core,
                    url=f"http://127.0.0.1:{port}",
                    listen=f"127.0.0.1:{port}",
                    secret=SECRET,
                )
            )
            try:
                [hook] = await tg.wait_for_calls("setWebhook", 1, timeout=WAIT)
                assert hook.params["secret_token"] == SECRET
                alice = tg.add_user("Alice", language_code="en")
                await alice.send("where is my order")
                [answer] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
                assert "👍 Helped" in answer.button_texts

                await assert_forged_webhook_refused(port, WEBHOOK_PATH)
                await app.core.wait_idle()
                assert tg.bot_messages(5) == []
            finally:
                server.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await server
                await app.core.wait_idle()
        await bot.session.close()
