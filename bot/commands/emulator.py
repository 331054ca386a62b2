"""``supportbot emulator``: run the local Telegram Bot API emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.commands import Context

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser(
        "emulator",
        help="run a local Telegram Bot API emulator (for the demo and for trying content)",
        description="Serve the Bot API on HOST:PORT until Ctrl-C. Point any bot at the printed "
        "URL with the printed token; drive customers and operators through /_control/.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8081, help="port (0 picks a free one)")
    parser.add_argument(
        "--token", default="123456:EMULATOR-TOKEN", help="the bot token the emulator accepts"
    )
    parser.set_defaults(handler=handle)


async def _serve(args: argparse.Namespace) -> None:
    from telegram_emulator import TelegramEmulator  # aiohttp: imported here, --help stays fast

    async with TelegramEmulator(token=args.token, host=args.host, port=args.port) as tg:
        print(f"Telegram Bot API emulator listening on {tg.url}")
        print(f"  token:       {tg.token}")
        print(f"  bot API:     {tg.url}/bot{tg.token}/getMe")
        print(f"  control API: {tg.url}/_control/state")
        print("Press Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()


def handle(args: argparse.Namespace, context: Context) -> int:
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        print("emulator stopped")
    return 0
