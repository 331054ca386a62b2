"""The HTTP control API (for the demo) and the ``supportbot emulator`` command."""

from __future__ import annotations

import argparse
import base64
from typing import Any

import aiohttp
from aiogram import Bot

from bot.commands import emulator as emulator_command
from telegram_emulator import TelegramEmulator


async def test_http_control_round_trip(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    async with aiohttp.ClientSession(base_url=tg.url) as http:

        async def post(path: str, body: dict[str, Any]) -> Any:
            async with http.post(f"/_control/{path}", json=body) as response:
                assert response.status == 200, await response.text()
                return await response.json()

        alice = await post("users", {"first_name": "Alice", "language_code": "en"})
        op = await post("users", {"first_name": "Olga"})
        group = await post("supergroups", {"title": "Support", "admins": [op["id"]]})
        topic = await post("topics", {"chat_id": group["id"], "name": "Ticket #1"})
        sent = await post("send", {"user_id": alice["id"], "text": "where is my order"})
        assert sent["text"] == "where is my order"
        assert sent["from_bot"] is False
        photo = base64.b64encode(b"\xff\xd8jpeg").decode()
        await post("send_file", {"user_id": alice["id"], "data_base64": photo, "caption": "pic"})
        await aiogram_bot.send_message(
            group["id"], "card", message_thread_id=topic["message_thread_id"]
        )
        waited = await post("wait", {"chat_id": group["id"], "count": 1, "timeout": 2})
        assert waited[0]["text"] == "card"
        await post(
            "send",
            {
                "user_id": op["id"],
                "chat_id": group["id"],
                "thread_id": topic["message_thread_id"],
                "text": "hello",
            },
        )
        fault = await post("faults", {"method": "sendMessage", "error": 429, "retry_after": 2})
        assert fault["error"] == 429
        async with http.get("/_control/messages", params={"chat_id": alice["id"]}) as response:
            shown = await response.json()
        assert [m["kind"] for m in shown] == ["text", "photo"]
        async with http.get("/_control/calls", params={"method": "sendMessage"}) as response:
            assert len(await response.json()) == 1
        async with http.get("/_control/state") as response:
            state = await response.json()
        assert state["groups"][0]["topics"][0]["name"] == "Ticket #1"
        assert state["pending_updates"] == 3
        async with http.post("/_control/send", json={"user_id": 1, "text": "x"}) as response:
            assert response.status == 400
            assert "no user" in (await response.json())["error"]
        async with http.post("/_control/wait", json={"chat_id": 5, "timeout": 0.1}) as response:
            assert response.status == 408


def test_cli_registers_the_emulator_command() -> None:
    parser = argparse.ArgumentParser(prog="supportbot")
    emulator_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["emulator", "--port", "0", "--token", "1:X"])
    assert args.handler is emulator_command.handle
    assert (args.host, args.port, args.token) == ("127.0.0.1", 0, "1:X")


def test_emulator_does_not_import_the_client_libraries() -> None:
    import ast
    import pathlib

    import telegram_emulator

    root = pathlib.Path(telegram_emulator.__file__).parent
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("aiogram", "telegram"), (path.name, name)
