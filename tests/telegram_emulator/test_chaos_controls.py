"""The control the chaos benchmark uses: sends held in flight (``faults.send_delay``)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiogram import Bot

from telegram_emulator import TelegramEmulator


async def test_a_held_send_lands_even_when_the_bot_gives_up_waiting(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    tg.faults.send_delay = 0.4
    started = time.monotonic()
    sending = asyncio.create_task(aiogram_bot.send_message(alice.chat_id, "in flight"))
    await asyncio.sleep(0.1)
    sending.cancel()  # the bot's side is gone (as after kill -9) while the call is held
    with pytest.raises(asyncio.CancelledError):
        await sending
    assert tg.bot_messages(alice.chat_id) == []
    [landed] = await tg.wait_for_bot_messages(alice.chat_id, timeout=2.0)
    assert landed.content == "in flight"
    assert time.monotonic() - started >= 0.4


async def test_reads_and_polls_are_not_held(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    tg.faults.send_delay = 5.0
    async with asyncio.timeout(2.0):
        await aiogram_bot.get_me()
        await aiogram_bot.get_updates(timeout=0)
    assert tg.faults.hold("sendMessage") == 5.0
    assert tg.faults.hold("createForumTopic") == 5.0
    assert tg.faults.hold("answerCallbackQuery") == 0.0


async def test_send_delay_over_the_http_control_api(tg: TelegramEmulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.url}/_control/send_delay", json={"seconds": 0.25}) as response:
            assert response.status == 200
        async with http.post(f"{tg.url}/_control/send_delay", json={"seconds": -1}) as response:
            assert response.status == 400
    assert tg.faults.send_delay == 0.25
