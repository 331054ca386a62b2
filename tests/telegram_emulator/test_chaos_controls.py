"""The controls the chaos benchmark and the fuzzer use: sends held in flight, raw updates."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from telegram_emulator import TelegramEmulator

TOKEN = "123456:TEST-TOKEN"


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


async def test_a_raw_update_is_queued_as_it_is_under_the_next_id() -> None:
    # not the ``tg`` fixture: it checks every queued update against aiogram's models
    async with TelegramEmulator(token=TOKEN) as tg:
        alice = tg.add_user("Alice")
        await alice.send("hi")
        junk = tg.inject_update({"update_id": "forged", "message": {"chat": "not an object"}})
        strange = tg.inject_update({"business_unknown_kind": {"x": 1}})
        assert junk == {"update_id": 2, "message": {"chat": "not an object"}}
        assert strange["update_id"] == 3
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{tg.url}/_control/updates", json={"update": {"poll": {"id": "1"}}}
            ) as response:
                assert (await response.json())["update_id"] == 4
            async with http.post(
                f"{tg.url}/_control/send_delay", json={"seconds": 0.25}
            ) as response:
                assert response.status == 200
            url = f"{tg.url}/bot{TOKEN}/getUpdates"
            async with http.post(url, json={"timeout": 0}) as response:
                raw = (await response.json())["result"]
        await bot.session.close()
        assert [u["update_id"] for u in raw] == [1, 2, 3, 4]
        assert raw[1]["message"] == {"chat": "not an object"}
        assert tg.faults.send_delay == 0.25
