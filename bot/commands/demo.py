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
    demo.add_argument(
        "--history",
        type=_days,
        metavar="DAYS",
        help="instead of the live walk-through: fill --db (default: demo-history.sqlite3) with "
        "DAYS of realistic conversations, run through the real core on a simulated clock, "
        "ending now; then try `supportbot report --db FILE --html report.html`",
    )
    demo.add_argument(
        "--seed", type=int, default=15, help="with --history: the same seed, the same month"
    )
    demo.set_defaults(handler=_demo)


def _days(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 366:
        raise argparse.ArgumentTypeError(f"expected a number of days from 1 to 366, got {value!r}")
    return number


def _demo(args: argparse.Namespace, context: Context) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = context.settings
    if args.history is not None:
        return _history(args, settings)
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


def _history(args: argparse.Namespace, settings: Any) -> int:
    import sys

    from tqdm import tqdm

    from bot.demo import HistoryPlan, fill_history
    from handoff import SystemClock

    path: Path = args.db or Path("demo-history.sqlite3")
    if path.exists():
        print(
            f"supportbot demo: {path} exists: remove it or choose another --db "
            "(the history is only written to a new file)",
            file=sys.stderr,
        )
        return 1
    plan = HistoryPlan(days=args.history, end=SystemClock().now(), seed=args.seed)
    with tqdm(total=plan.days, unit="day", desc="simulating", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.update(done - bar.n)

        totals = asyncio.run(fill_history(settings, path, plan, progress))
    stories = ", ".join(f"{name} {count}" for name, count in sorted(totals.by_story.items()))
    print(
        f"Wrote {path}: {totals.conversations} conversations ({stories}), "
        f"{totals.tickets} tickets, {totals.events} events through the core, "
        f"{plan.start:%Y-%m-%d} — {plan.end:%Y-%m-%d} UTC."
    )
    print(f"Next: supportbot report --db {path} --days {plan.days} --html report.html")
    return 0
