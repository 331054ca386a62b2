"""``supportbot demo``: the whole product on this machine, no token and no network needed."""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from bot.commands import Context

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    demo = commands.add_parser(
        "demo",
        help="run the bot on the built-in Telegram emulator with SQLite and a scripted customer",
        description="Starts the Telegram emulator, the bot on aiogram and a SQLite database, then "
        "walks a customer and an operator through an answer, a clarifying question, an answer "
        "that did not help, a hand-off, the operator's reply and the survey, printing each chat.",
    )
    demo.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite file to keep (default: a temporary file, removed at the end)",
    )
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace, context: Context) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = context.settings
    if args.db is not None:
        return asyncio.run(_run(settings, args.db))
    with tempfile.TemporaryDirectory(prefix="supportbot-demo-") as folder:
        return asyncio.run(_run(settings, Path(folder) / "demo.sqlite3"))


async def _run(settings: Any, database: Path) -> int:
    from bot.demo import DemoScript, LocalStack

    print("Starting the Telegram emulator, the bot (aiogram, polling) and SQLite…")
    async with LocalStack.start(settings, database) as stack:
        print(f"Emulator at {stack.tg.url}; bot database {database}")
        await DemoScript(stack).run()
        async with stack.app.database.unit_of_work() as uow:
            tickets = await uow.tickets.open_tickets()
        print(
            f"Done. {len(stack.tg.calls)} Bot API calls were made; open tickets left: "
            f"{len(tickets)}."
        )
    return 0
