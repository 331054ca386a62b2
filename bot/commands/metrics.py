"""``supportbot metrics``: the support figures of the last days, read from the database.

The summary and the tables (per day, intent, operator, line, language, customer category) as text;
``--json`` for the summary as JSON, ``--csv DIR`` writes every table as a CSV file and
``--table NAME`` prints one table as CSV. Definitions: docs/metrics.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands import Context

if TYPE_CHECKING:
    from handoff import History, WorkingHours

__all__ = [
    "TABLE_NAMES",
    "Period",
    "add_period_arguments",
    "load_period",
    "moment",
    "positive",
    "register",
]

_SQLITE = "sqlite+aiosqlite:///"
TABLE_NAMES = (
    "per_day",
    "per_week",
    "first_response",
    "causes",
    "intents",
    "operators",
    "lines",
    "languages",
    "categories",
)


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser(
        "metrics",
        help="support metrics: the bot's share, response and resolution times, FCR, CSAT, tables",
        description="Figures for the last N days, from the database in [database] url. "
        "Every definition is in docs/metrics.md.",
    )
    add_period_arguments(parser)
    parser.add_argument(
        "--top", type=positive, default=10, metavar="N", help="unanswered questions to list"
    )
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the summary as JSON")
    out.add_argument("--csv", type=Path, metavar="DIR", help="write every table as DIR/<table>.csv")
    out.add_argument(
        "--table", choices=TABLE_NAMES, metavar="NAME", help="print one table as CSV: "
        + ", ".join(TABLE_NAMES),
    )  # fmt: skip
    parser.set_defaults(handler=_metrics)


def add_period_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--days", type=positive, default=7, metavar="N", help="period length (default: 7)"
    )
    parser.add_argument(
        "--until",
        type=moment,
        metavar="WHEN",
        help="end of the period: an ISO date or date and time, UTC unless a zone is given "
        "(default: now)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="read this SQLite file instead of [database] url (e.g. one `demo --history` wrote)",
    )
    parser.add_argument(
        "--working-hours",
        action="store_true",
        help="count response and resolution times in working hours only ([hours])",
    )


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return number


def moment(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected an ISO date such as 2026-11-30 or 2026-11-30T09:00, got {value!r}"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


class Period:
    """A period read from the database: its history and the working hours, if asked for."""

    def __init__(
        self, history: History, start: datetime, end: datetime, hours: WorkingHours | None
    ) -> None:
        self.history = history
        self.start = start
        self.end = end
        self.hours = hours


def load_period(args: argparse.Namespace, context: Context, name: str) -> Period | None:
    """The last ``--days`` from the configured database; None (after a message) on failure."""
    from handoff import SystemClock, WorkingHours
    from storage import StorageError

    settings = context.settings
    url = settings.database.url if args.db is None else f"{_SQLITE}{args.db}"
    missing = _missing_sqlite_file(url)
    if missing is not None:
        print(
            f"supportbot {name}: no database at {missing}: check [database] url "
            "(the bot creates the file when it first runs; `supportbot demo --history 30` "
            "fills one with a month of conversations)",
            file=sys.stderr,
        )
        return None
    end = args.until or SystemClock().now()
    start = end - timedelta(days=args.days)
    try:
        history = asyncio.run(collect(url, start=start, end=end))
    except StorageError as exc:
        print(f"supportbot {name}: {exc}", file=sys.stderr)
        return None
    hours = WorkingHours.from_settings(settings.hours) if args.working_hours else None
    return Period(history, start, end, hours)


def _metrics(args: argparse.Namespace, context: Context) -> int:
    from handoff import all_tables, compute_metrics, format_metrics

    period = load_period(args, context, "metrics")
    if period is None:
        return 1
    history, start, end, hours = period.history, period.start, period.end, period.hours
    metrics = compute_metrics(history, start=start, end=end, hours=hours, top=args.top)
    tables = all_tables(history, start, end, hours)
    if args.json:
        print(metrics.to_json())
    elif args.csv is not None:
        try:
            args.csv.mkdir(parents=True, exist_ok=True)
            for table in tables:
                (args.csv / f"{table.key}.csv").write_text(table.to_csv(), encoding="utf-8")
        except OSError as exc:
            print(f"supportbot metrics: cannot write {args.csv}: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {len(tables)} tables to {args.csv}: " + ", ".join(t.key for t in tables))
    elif args.table:
        print(next(t for t in tables if t.key == args.table).to_csv(), end="")
    else:
        print(format_metrics(metrics))
        for table in tables:
            print()
            print(table.text())
    return 0


async def collect(url: str, *, start: datetime, end: datetime) -> History:
    """Read-only: the history around ``[start, end)``; no migration is run."""
    from storage import Database, read_history

    db = Database.connect(url)
    try:
        return await read_history(db, start=start, end=end)
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
