"""getUpdates: offsets, limits, long polling, conflicts and shutdown, with both clients."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
import telegram
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramConflictError, TelegramNotFound
from aiogram.methods import GetMe
from aiogram.types import Message

from telegram_emulator import TelegramEmulator

from .conftest import TOKEN


async def test_get_me_from_both_clients(
    tg: TelegramEmulator, aiogram_bot: Bot, ptb_bot: telegram.Bot
) -> None:
    me = await aiogram_bot.get_me()
    assert me.is_bot
    assert me.id == 123456
    assert me.username == "support_bot"
    assert ptb_bot.bot.id == 123456  # PTB calls getMe in initialize()
    assert [c.method for c in tg.calls] == ["getMe", "getMe"]


async def test_offsets_confirm_and_limit(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice = tg.add_user("Alice", language_code="en")
    for text in ("one", "two", "three"):
        await alice.send(text)
    first = await aiogram_bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    assert first[1].update_id == first[0].update_id + 1
    again = await aiogram_bot.get_updates()
    assert len(again) == 3  # nothing confirmed yet
    rest = await aiogram_bot.get_updates(offset=first[1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await aiogram_bot.get_updates(offset=rest[0].update_id + 1) == []


async def test_long_poll_wakes_on_update(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice = tg.add_user("Alice")
    poll = asyncio.create_task(aiogram_bot.get_updates(timeout=30))
    await tg.wait_for_poll()
    started = time.monotonic()
    await alice.send("hello")
    updates = await poll
    assert time.monotonic() - started < 2
    assert updates[0].message is not None
    assert updates[0].message.text == "hello"


async def test_long_poll_times_out_empty(tg: TelegramEmulator, ptb_bot: telegram.Bot) -> None:
    started = time.monotonic()
    assert await ptb_bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_second_poll_terminates_the_first_with_409(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    first = asyncio.create_task(aiogram_bot.get_updates(timeout=30))
    await tg.wait_for_poll()
    second = asyncio.create_task(aiogram_bot.get_updates(timeout=30))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
        await first
    await tg.add_user("Bob").send("hi")
    assert len(await second) == 1
    assert not next(c for c in tg.calls if not c.ok).unread  # aiogram read that 409


async def test_a_poll_the_bot_gave_up_on_is_terminated_unread(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    """A bot stopping cancels its long poll and confirms with one more getUpdates: the 409 that
    terminates the abandoned poll reaches nobody, and the record says so."""
    first = asyncio.create_task(aiogram_bot.get_updates(timeout=30))
    await tg.wait_for_poll()
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.sleep(0.05)  # the closed connection reaches the server
    assert await aiogram_bot.get_updates(timeout=0) == []
    for _ in range(100):
        if len(tg.calls) == 2:
            break
        await asyncio.sleep(0.01)
    abandoned = next(c for c in tg.calls if not c.ok)
    assert abandoned.error_code == 409
    assert abandoned.unread
    assert all(c.ok and not c.unread for c in tg.calls if c is not abandoned)


async def test_get_updates_while_webhook_set_is_409(
    tg: TelegramEmulator, ptb_bot: telegram.Bot
) -> None:
    await ptb_bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(telegram.error.Conflict, match="webhook is active"):
        await ptb_bot.get_updates()
    await ptb_bot.delete_webhook()
    assert await ptb_bot.get_updates() == ()


async def test_allowed_updates_are_remembered(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice = tg.add_user("Alice")
    await aiogram_bot.get_updates(allowed_updates=["callback_query"])
    await alice.send("ignored")
    assert await aiogram_bot.get_updates() == []  # the filter stays without repeating it
    await aiogram_bot.get_updates(allowed_updates=[])  # back to the default set
    await alice.send("seen")
    updates = await aiogram_bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["seen"]


async def test_stop_while_poll_held_is_fast() -> None:
    tg = TelegramEmulator(token=TOKEN)
    await tg.start()
    async with aiohttp.ClientSession() as http:
        poll = asyncio.create_task(http.get(f"{tg.url}/bot{TOKEN}/getUpdates?timeout=50"))
        await tg.wait_for_poll()
        started = time.monotonic()
        await tg.stop()
        response = await poll
        assert (await response.json()) == {"ok": True, "result": []}
    assert time.monotonic() - started < 1.5


async def test_aiogram_polling_answers_and_stops_cleanly(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}")

    alice = tg.add_user("Alice")
    polling = asyncio.create_task(
        dp.start_polling(
            aiogram_bot, polling_timeout=30, handle_signals=False, close_bot_session=False
        )
    )
    await alice.send("ping")
    [reply] = await tg.wait_for_bot_messages(alice.chat_id, timeout=5)
    assert reply.text == "echo: ping"
    assert reply.from_bot
    started = time.monotonic()
    await dp.stop_polling()
    await polling
    assert time.monotonic() - started < 2


async def test_unknown_method_and_bad_token(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.url}/bot{TOKEN}/noSuchMethod") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        async with http.get(f"{tg.url}/bot1:WRONG/getMe") as response:
            assert response.status == 401
        async with http.get(f"{tg.url}/bot{TOKEN}/GETME") as response:
            assert (await response.json())["result"]["is_bot"] is True

    class Unknown(GetMe):
        __api_method__ = "getNothing"

    with pytest.raises(TelegramNotFound):
        await aiogram_bot.session(aiogram_bot, Unknown())


async def test_ptb_application_polling_answers_and_stops_cleanly(tg: TelegramEmulator) -> None:
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"ptb: {update.effective_message.text}")

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(tg.url + "/bot")
        .base_file_url(tg.url + "/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    alice = tg.add_user("Alice")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=30)
        await alice.send("ping")
        [reply] = await tg.wait_for_bot_messages(alice.chat_id)
        assert reply.text == "ptb: ping"
        await tg.wait_for_poll()
        started = time.monotonic()
        await app.updater.stop()
        await app.stop()
    assert time.monotonic() - started < 3


async def test_a_raw_update_is_delivered_as_given() -> None:
    # not the `tg` fixture: it checks every queued update against aiogram's models afterwards
    async with TelegramEmulator(token=TOKEN) as tg:
        alice = tg.add_user("Alice", language_code="en")
        await alice.send("before")
        queued = tg.inject_update({"message": {"message_id": "not a number"}})
        assert queued["update_id"] == tg.updates[0]["update_id"] + 1
        assert queued["message"] == {"message_id": "not a number"}
        async with aiohttp.ClientSession(base_url=tg.url) as http:
            offset = {"offset": queued["update_id"]}
            async with http.post(f"/bot{TOKEN}/getUpdates", json=offset) as r:
                assert (await r.json())["result"] == [queued]
            poll = {"update": {"poll": {"id": "1"}}}
            async with http.post("/_control/raw_update", json=poll) as r:
                assert (await r.json())["poll"] == {"id": "1"}
            bad = {"update": {"update_id": 5, "message": {}}}
            async with http.post("/_control/raw_update", json=bad) as r:
                assert r.status == 400
                assert "leave update_id out" in (await r.json())["error"]
