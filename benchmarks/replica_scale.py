"""Scale: throughput and latency of 1, 2 and 3 replicas behind nginx, on this machine.

    python benchmarks/replica_scale.py [--replicas 1 2 3] [--customers 30] [--messages 6]
        [--min-seconds 15] [--postgres URL] [--redis URL]

Each setting starts the emulator (send-rate limits off) in this process, a fresh PostgreSQL
database and Redis key prefix, nginx round robin in front of N replica processes (each the
support bot in webhook mode, as ``supportbot run`` starts it, with ``[redis] url`` set), and
drives fresh customers who each write a question and wait for the answer before the next, as
``conversation_throughput.py`` does. A row "1, no Redis" is the single process as shipped.

Figures: updates handled per second, p50 / p99 latency from a customer's message to the bot's
answer, CPU per update summed over the replicas. The emulator, nginx, PostgreSQL, Redis and the
driver share the machine with the replicas, so on two cores the replicas cannot scale far: read
the figures as the cost of replication and what one replica adds here, not as a ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from telegram_emulator import TelegramEmulator

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from conversation_throughput import (  # noqa: E402 - after the path above
    MAX_ROUNDS,
    TOKEN,
    Plan,
    Tally,
    _serve_driver,
    _usage,
    ask,
    benchmark_settings,
    drive,
    fresh_database,
    percentile,
    question_pool,
)

POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class ReplicaOptions:
    api_url: str
    group_id: int
    database_url: str
    redis_url: str  # empty: one process as shipped
    prefix: str
    port: int
    balancer_url: str


def replica_process(options: ReplicaOptions, conn: Connection) -> None:
    logging.basicConfig(level=logging.WARNING, format=f"[replica {options.port}] %(message)s")
    asyncio.run(_run_replica(options, conn))


async def _run_replica(o: ReplicaOptions, conn: Connection) -> None:
    from bot.app import build_app
    from bot.runtime.aiogram import AiogramOutbox, make_bot, run_webhook

    settings = benchmark_settings(
        database_url=o.database_url, api_url=o.api_url, group_id=o.group_id
    )
    redis = settings.redis.model_copy(update={"url": o.redis_url, "key_prefix": o.prefix})
    settings = settings.model_copy(update={"redis": redis})
    bot = make_bot(TOKEN, o.api_url)
    async with build_app(settings, AiogramOutbox(bot)) as app:
        server = asyncio.create_task(
            run_webhook(
                bot, app.core, url=o.balancer_url, listen=f"127.0.0.1:{o.port}", secret=None
            )
        )
        conn.send(_usage())  # started
        await _serve_driver(conn, None)
        server.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await server
    await bot.session.close()
    conn.send(_usage())


@contextlib.asynccontextmanager
async def processes(options: list[ReplicaOptions]) -> AsyncIterator[list[Connection]]:
    """The replicas' processes, started once each: the first alone (it migrates the new
    database; several migrating an empty database at once would collide), then the others."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    started = []
    try:
        for index, option in enumerate(options):
            ours, theirs = context.Pipe()
            process = context.Process(target=replica_process, args=(option, theirs))
            process.start()
            started.append((process, ours))
            if index == 0:
                await asyncio.to_thread(ours.recv)
        for _, conn in started[1:]:
            await asyncio.to_thread(conn.recv)
        yield [conn for _, conn in started]
    finally:
        for process, _ in started:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
                process.join()


async def timed_rounds(tg: TelegramEmulator, plan: Plan, kind: str, *, show: bool) -> Tally:
    """Rounds of fresh customers (each asks, waits for the answer, asks again) until
    ``plan.min_seconds`` of timed conversation."""
    tally = Tally()
    while tally.rounds < MAX_ROUNDS and (tally.rounds == 0 or tally.wall_s < plan.min_seconds):
        desc = f"{kind} bot, round {tally.rounds + 1}"
        await drive(tg, plan.round(tally.rounds, kind), tally, desc=desc, show=show)
    return tally


@dataclass
class Row:
    setting: str
    messages: int
    missing: int
    updates_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_update: float


async def measure(replicas: int, use_redis: bool, args: argparse.Namespace, plan: Plan) -> Row:
    from telegram_emulator import TelegramEmulator
    from tests.e2e.balancer import load_balancer
    from tests.e2e.helpers import free_port

    setting = f"{replicas}" + ("" if use_redis else ", no Redis")
    async with (
        fresh_database(args.postgres) as database_url,
        TelegramEmulator(token=TOKEN) as tg,
    ):
        tg.limits.rates = False
        group = tg.add_supergroup("Support desk", forum=True)
        ports = [free_port() for _ in range(replicas)]
        with tempfile.TemporaryDirectory(prefix="replica-scale-") as scratch:  # nginx's files
            async with load_balancer(ports, Path(scratch)) as lb:
                prefix = f"bench-{secrets.token_hex(4)}:"
                options = [
                    ReplicaOptions(
                        tg.url,
                        group.id,
                        database_url,
                        args.redis if use_redis else "",
                        prefix,
                        p,
                        f"http://127.0.0.1:{lb}",
                    )
                    for p in ports
                ]
                async with processes(options) as conns:
                    await tg.wait_for_calls("setWebhook", replicas, timeout=300)
                    await timed_rounds(
                        tg, Plan(plan.pool, 4, 3, -1, 0), f"warm {setting}", show=False
                    )
                    before = [await ask(conn, "mark") for conn in conns]
                    tally = await timed_rounds(tg, plan, f"{setting} replica(s)", show=True)
                    after = [await ask(conn, "mark") for conn in conns]
                    for conn in conns:
                        conn.send("stop")
                    for conn in conns:
                        await asyncio.to_thread(conn.recv)
    cpu = sum(a["cpu_s"] - b["cpu_s"] for a, b in zip(after, before, strict=True))
    handled = tally.messages - tally.missing
    return Row(
        setting,
        tally.messages,
        tally.missing,
        handled / tally.wall_s,
        percentile(tally.latencies_ms, 50),
        percentile(tally.latencies_ms, 99),
        cpu * 1000 / max(handled, 1),
    )


async def main(args: argparse.Namespace) -> list[Row]:
    plan = Plan(question_pool(), args.customers, args.messages, args.seed, args.min_seconds)
    rows = []
    if not args.skip_baseline:
        rows.append(await measure(1, False, args, plan))
    for count in args.replicas:
        rows.append(await measure(count, True, args, plan))
    return rows


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--customers", type=int, default=30)
    parser.add_argument("--messages", type=int, default=6)
    parser.add_argument("--min-seconds", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--postgres", default=POSTGRES, help="an admin URL: a database is created")
    parser.add_argument("--redis", default=REDIS)
    parser.add_argument("--skip-baseline", action="store_true", help="no '1, no Redis' row")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse()
    started = time.perf_counter()
    result = asyncio.run(main(arguments))
    command = "python benchmarks/replica_scale.py " + " ".join(sys.argv[1:])
    if arguments.json:
        print(json.dumps([asdict(row) for row in result], indent=2))
    else:
        print(f"$ {command}")
        print("| replicas | messages | lost | updates/s | p50 ms | p99 ms | CPU ms/update |")
        print("|---|---|---|---|---|---|---|")
        for r in result:
            print(
                f"| {r.setting} | {r.messages} | {r.missing} | {r.updates_per_s:.1f} | "
                f"{r.p50_ms:.0f} | {r.p99_ms:.0f} | {r.cpu_ms_per_update:.1f} |"
            )
    print(f"(took {time.perf_counter() - started:.0f} s)", file=sys.stderr)
