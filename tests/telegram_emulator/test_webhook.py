"""Webhook mode: delivery with the secret header, retries, and method calls in the reply."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiogram import Bot, Dispatcher
from aiogram.methods import SendMessage
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from telegram_emulator import TelegramEmulator

Serve = Callable[[web.Application], Awaitable[str]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app)
        await runner.setup()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        await web.SockSite(runner, sock).start()
        runners.append(runner)
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_aiogram_webhook_with_secret_and_reply_method(
    tg: TelegramEmulator, aiogram_bot: Bot, serve: Serve
) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> SendMessage:
        return message.answer(f"webhook echo: {message.text}")  # answered in the webhook body

    app = web.Application()
    SimpleRequestHandler(
        dp, aiogram_bot, handle_in_background=False, secret_token="s3cret"
    ).register(app, path="/hook")
    base = await serve(app)
    await aiogram_bot.set_webhook(f"{base}/hook", secret_token="s3cret")
    alice = tg.add_user("Alice")
    await alice.send("ping")
    [reply] = await tg.wait_for_bot_messages(alice.chat_id)
    assert reply.text == "webhook echo: ping"
    [call] = tg.calls_to("sendMessage")
    assert call.via_webhook_reply
    info = await aiogram_bot.get_webhook_info()
    assert info.url == f"{base}/hook"
    assert info.pending_update_count == 0


async def test_wrong_secret_and_errors_keep_update_pending(
    tg: TelegramEmulator, aiogram_bot: Bot, serve: Serve
) -> None:
    tg.engine.webhook_retry_delay = 0.05
    seen: list[tuple[str | None, int]] = []
    answers = iter([500, 403, 200])
    delivered = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        seen.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update["update_id"]))
        status = next(answers)
        if status == 200:
            delivered.set()
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", hook)
    base = await serve(app)
    await aiogram_bot.set_webhook(f"{base}/hook", secret_token="abc")
    await tg.add_user("Alice").send("hello")
    await asyncio.wait_for(delivered.wait(), 5)
    await tg.wait_until_delivered()
    assert [secret for secret, _ in seen] == ["abc"] * 3
    assert len({update_id for _, update_id in seen}) == 1  # the same update, retried
    info = await aiogram_bot.get_webhook_info()
    assert info.last_error_message is not None
    assert "403" in info.last_error_message
    assert await aiogram_bot.delete_webhook()
    assert (await aiogram_bot.get_webhook_info()).url == ""


async def test_chats_delivered_in_parallel_a_chat_one_at_a_time(
    tg: TelegramEmulator, aiogram_bot: Bot, serve: Serve
) -> None:
    """As Telegram: up to max_connections updates in flight, but a chat's next update only once
    its previous one was answered."""
    release = asyncio.Event()
    in_flight: list[int] = []
    most = 0
    order: list[tuple[int, str]] = []

    async def hook(request: web.Request) -> web.Response:
        nonlocal most
        message = (await request.json())["message"]
        chat = message["chat"]["id"]
        assert chat not in in_flight, "two updates of one chat in flight at once"
        in_flight.append(chat)
        most = max(most, len(in_flight))
        tg.engine.changed()
        await release.wait()
        order.append((chat, message["text"]))
        in_flight.remove(chat)
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    base = await serve(app)
    await aiogram_bot.set_webhook(f"{base}/hook", max_connections=3)
    users = [tg.add_user(f"User {i}") for i in range(5)]
    for user in users:
        for n in range(3):
            await user.send(f"{user.name} {n}")
    try:
        await tg.engine.wait_until(lambda: len(in_flight) == 3, 5, lambda: "3 in flight")
        await asyncio.sleep(0.2)  # time for a fourth, if the limit did not hold
    finally:
        release.set()
    await tg.wait_until_delivered()
    assert most == 3  # max_connections, though five chats had updates waiting
    for user in users:  # each chat's updates in order
        assert [text for chat, text in order if chat == user.chat_id] == [
            f"{user.name} {n}" for n in range(3)
        ]


async def test_connection_failure_redelivered_after_a_pause(
    tg: TelegramEmulator, aiogram_bot: Bot, serve: Serve
) -> None:
    tg.engine.webhook_retry_delay = 0.05
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nobody listens there yet: the connection is refused
    await aiogram_bot.set_webhook(f"http://127.0.0.1:{port}/hook")
    alice = tg.add_user("Alice")
    await alice.send("are you there")
    await tg.engine.wait_until(
        lambda: tg.engine.webhook is not None and tg.engine.webhook.last_error_date is not None,
        5,
        lambda: "a failed delivery",
    )
    assert "Connection failed" in ((await aiogram_bot.get_webhook_info()).last_error_message or "")
    seen: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        seen.append((await request.json())["update_id"])
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await tg.wait_until_delivered()
    finally:
        await runner.cleanup()
    assert len(seen) == 1  # the update was kept and delivered once the bot listened
