"""aiogram calls without a file go as one JSON body with the values a form would carry; a call
with a file goes as aiogram sends it (multipart)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.runtime.aiogram.json_session import JsonSession

SENT = {"message_id": 7, "date": 0, "chat": {"id": 42, "type": "private"}, "text": "hi"}


@pytest.fixture
async def api() -> AsyncIterator[tuple[TestServer, list[tuple[str, str, Any]]]]:
    seen: list[tuple[str, str, Any]] = []

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"]
        if request.content_type == "application/json":
            body: Any = await request.json()
        elif request.content_type.startswith("multipart/"):
            body = sorted((await request.post()).keys())
        else:
            body = dict(await request.post())
        seen.append((name, request.content_type, body))
        return web.json_response({"ok": True, "result": SENT})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", method)
    server = TestServer(app)
    await server.start_server()
    yield server, seen
    await server.close()


async def test_a_call_without_a_file_is_one_json_body_of_the_form_values(
    api: tuple[TestServer, list[tuple[str, str, Any]]],
) -> None:
    server, seen = api
    session = JsonSession(api=TelegramAPIServer.from_base(str(server.make_url("")).rstrip("/")))
    bot = Bot("123:ABC", session=session)
    try:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Yes", callback_data="y")]]
        )
        sent = await bot.send_message(42, "hi", reply_markup=keyboard, message_thread_id=None)
    finally:
        await session.close()
    assert sent.message_id == 7
    [(name, content_type, body)] = seen
    assert (name, content_type) == ("sendMessage", "application/json")
    assert body["chat_id"] == "42"
    assert body["text"] == "hi"
    assert "message_thread_id" not in body  # left out, as a form leaves it out
    markup = json.loads(body["reply_markup"])  # nested objects as JSON text, as in a form
    assert markup["inline_keyboard"][0][0]["callback_data"] == "y"


async def test_a_call_with_a_file_goes_multipart(
    api: tuple[TestServer, list[tuple[str, str, Any]]],
) -> None:
    server, seen = api
    session = JsonSession(api=TelegramAPIServer.from_base(str(server.make_url("")).rstrip("/")))
    bot = Bot("123:ABC", session=session)
    try:
        await bot.send_document(42, BufferedInputFile(b"data", filename="a.txt"))
    finally:
        await session.close()
    [(name, content_type, fields)] = seen
    assert (name, content_type) == ("sendDocument", "multipart/form-data")
    assert "chat_id" in fields
    assert len(fields) == 3  # chat_id, document (attach://...), and the file itself
