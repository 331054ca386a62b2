"""What one customer message costs the bot's core, with no Telegram in the way.

    python benchmarks/message_cost.py [--customers 50] [--messages 20] [--seed 7] [--json]

Drives ``SupportCore`` directly (the same object the aiogram and PTB handlers feed) with plain
``MessageReceived`` events from ``--customers`` concurrent customers, each writing ``--messages``
questions drawn from the sample intents, on a fresh SQLite file, with an outbox that only
records. It prints the CPU time per message of

- the whole core (matching, the dialog, every read and write of the unit of work, the replies);
- the matcher alone on the same messages (``brain.decide``);
- and, to show the floor the storage stack sets, one ``INSERT`` through SQLAlchemy Core on the
  project's SQLite connection (run in place) and on a stock aiosqlite engine (through its
  thread), and one unit of work with nothing in it;

plus how many SQL statements and commits a message takes (counted with SQLAlchemy's events).
Compare with the per-update CPU of the aiogram echo bot that ``conversation_throughput.py``
prints: that is the whole budget of a bot "half as fast as an echo bot".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from conversation_throughput import LANGS, benchmark_settings, question_pool  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.core.actions import RecordingOutbox  # noqa: E402
from bot.core.events import MessageReceived, Person  # noqa: E402
from storage import Database  # noqa: E402
from storage.tables import ProcessedUpdateRow  # noqa: E402

WARMUP_CUSTOMERS = 10
WARMUP_MESSAGES = 3
FLOOR_ROUNDS = 2000


def per_ms(seconds: float, count: int) -> float:
    return seconds / count * 1000


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="message-cost-"))
    settings = benchmark_settings(
        database_url=f"sqlite+aiosqlite:///{scratch / 'bench.sqlite3'}",
        api_url="http://127.0.0.1:9",  # never called: the outbox only records
        group_id=0,
    )
    pool = question_pool()
    rng = random.Random(args.seed)
    outbox = RecordingOutbox()
    counts: Counter[str] = Counter()
    async with build_app(settings, outbox) as app:
        engine = app.database.engine.sync_engine

        @event.listens_for(engine, "before_cursor_execute")
        def _statement(*_: object) -> None:
            counts["statements"] += 1

        @event.listens_for(engine, "commit")
        def _commit(*_: object) -> None:
            counts["commits"] += 1

        update_ids = iter(range(1, 10**9))
        texts: list[str] = []

        async def customer(number: int, messages: int) -> None:
            lang = LANGS[number % len(LANGS)]
            person = Person(
                telegram_id=1_000_000 + number, name=f"Customer {number}", language_code=lang
            )
            for index in range(messages):
                text = rng.choice(pool[lang])
                texts.append(text)
                await app.core.handle(
                    MessageReceived(
                        update_id=next(update_ids),
                        chat_id=person.telegram_id,
                        private=True,
                        sender=person,
                        message_id=index + 1,
                        date=datetime.now(UTC),
                        text=text,
                    )
                )

        await asyncio.gather(*(customer(n, WARMUP_MESSAGES) for n in range(WARMUP_CUSTOMERS)))
        counts.clear()
        texts.clear()
        total = args.customers * args.messages
        started = time.process_time()
        await asyncio.gather(
            *(customer(WARMUP_CUSTOMERS + n, args.messages) for n in range(args.customers))
        )
        core_s = time.process_time() - started
        statements, commits = counts["statements"], counts["commits"]

        started = time.process_time()
        for text in texts:
            app.brain.decide(text)
        matcher_s = time.process_time() - started

        insert_s, commit_s = await storage_floor(app.database.engine, app.database)
        stock = create_async_engine(f"sqlite+aiosqlite:///{scratch / 'stock.sqlite3'}")
        try:
            async with stock.begin() as connection:
                await connection.run_sync(ProcessedUpdateRow.__table__.create)
            stock_insert_s, _ = await storage_floor(stock, None)
        finally:
            await stock.dispose()
    return {
        "messages": total,
        "core_cpu_ms": round(per_ms(core_s, total), 3),
        "matcher_cpu_ms": round(per_ms(matcher_s, total), 3),
        "statements_per_message": round(statements / total, 2),
        "commits_per_message": round(commits / total, 2),
        "core_insert_cpu_ms": round(per_ms(insert_s, FLOOR_ROUNDS), 3),
        "stock_aiosqlite_insert_cpu_ms": round(per_ms(stock_insert_s, FLOOR_ROUNDS), 3),
        "empty_unit_of_work_cpu_ms": round(per_ms(commit_s, FLOOR_ROUNDS), 3),
    }


async def storage_floor(engine: AsyncEngine, database: Database | None) -> tuple[float, float]:
    """CPU of one Core INSERT on ``engine``; and, given the database, of one unit of work with
    nothing in it (the session, the pool and the writer gate: SQLite sends no COMMIT then)."""
    statement = insert(ProcessedUpdateRow.__table__)
    now = datetime.now(UTC)
    async with engine.connect() as connection:
        started = time.process_time()
        for number in range(FLOOR_ROUNDS):
            await connection.execute(statement, {"update_id": -1 - number, "processed_at": now})
        insert_s = time.process_time() - started
        await connection.rollback()
    if database is None:
        return insert_s, 0.0
    started = time.process_time()
    for _ in range(FLOOR_ROUNDS):
        async with database.unit_of_work():
            pass
    return insert_s, time.process_time() - started


def report(figures: dict[str, Any]) -> list[str]:
    def line(label: str, value: str) -> str:
        return f"  {label:<46}{value}"

    return [
        f"Per customer message, {figures['messages']} messages, SQLite, no Telegram:",
        line(
            "whole core (match, dialog, storage, replies)", f"{figures['core_cpu_ms']:7.3f} ms CPU"
        ),
        line("matcher alone", f"{figures['matcher_cpu_ms']:7.3f} ms CPU"),
        line(
            "SQL statements / commits",
            f"{figures['statements_per_message']:5.2f} / {figures['commits_per_message']:.2f}",
        ),
        "Storage floor:",
        line(
            "one INSERT (an update id), SQLAlchemy Core",
            f"{figures['core_insert_cpu_ms']:7.3f} ms CPU",
        ),
        line(
            "the same through stock aiosqlite's thread",
            f"{figures['stock_aiosqlite_insert_cpu_ms']:7.3f} ms CPU",
        ),
        line(
            "one unit of work with nothing in it",
            f"{figures['empty_unit_of_work_cpu_ms']:7.3f} ms CPU",
        ),
    ]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=50, help="concurrent customers")
    parser.add_argument("--messages", type=int, default=20, help="questions per customer")
    parser.add_argument("--seed", type=int, default=7, help="seed for picking the questions")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print("training the matcher and migrating a fresh database…", file=sys.stderr)
    figures = asyncio.run(measure(args))
    print("\n".join(report(figures)))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
