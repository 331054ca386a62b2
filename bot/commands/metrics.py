"""``supportbot metrics``: the support figures of the last days, read from the database."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands import Context
from handoff import Metrics, SystemClock, format_metrics, load_metrics
from storage import StorageError

if TYPE_CHECKING:
    pass

__all__ = ["register"]

_SQLITE = "sqlite+aiosqlite:///"


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser(
        "metrics",
        help="support metrics: tickets, response and resolution times, FCR, CSAT, the bot's share",
        description="Figures for the last N days, from the database in [database] url.",
    )
    parser.add_argument(
        "--days", type=_positive, default=7, metavar="N", help="period length (default: 7)"
    )
    parser.add_argument(
        "--top", type=_positive, default=10, metavar="N", help="unanswered questions to list"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(handler=_metrics)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def _metrics(args: argparse.Namespace, context: Context) -> int:
    url = context.settings.database.url
    missing = _missing_sqlite_file(url)
    if missing is not None:
        print(
            f"supportbot metrics: no database at {missing}: check [database] url "
            "(the bot creates the file when it first runs)",
            file=sys.stderr,
        )
        return 1
    end = SystemClock().now()
    try:
        metrics = asyncio.run(
            collect(url, start=end - timedelta(days=args.days), end=end, top=args.top)
        )
    except StorageError as exc:
        print(f"supportbot metrics: {exc}", file=sys.stderr)
        return 1
    print(metrics.to_json() if args.json else format_metrics(metrics))
    return 0


async def collect(url: str, *, start: datetime, end: datetime, top: int = 10) -> Metrics:
    """Read-only: one unit of work over the database at ``url``; no migration is run."""
    from storage import Database  # SQLAlchemy: imported here, `supportbot --help` stays fast

    db = Database.connect(url)
    try:
        async with db.unit_of_work() as uow:
            return await load_metrics(uow, start=start, end=end, top=top)
    finally:
        await db.dispose()


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file the URL names, if it does not exist (connecting would create it empty)."""
    if not url.startswith(_SQLITE):
        return None
    path = url.removeprefix(_SQLITE).split("?", 1)[0]
    if not path or path == ":memory:" or Path(path).exists():
        return None
    return Path(path)
