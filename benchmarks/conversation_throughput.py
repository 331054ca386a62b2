"""Conversation throughput: the support bot against a bare aiogram echo bot, on the emulator.

    python benchmarks/conversation_throughput.py [--customers 50] [--messages 10]
        [--db sqlite|URL|FILE] [--json] [--profile FILE]

One emulator (send-rate limits off) runs in this process together with the driver; each bot runs
in a process of its own, one phase after the other: (a) a bare aiogram 3 echo bot, (b) the support
bot exactly as ``running_bot`` starts it. In each phase N fresh customers write M questions drawn
from the sample intents (same questions, same order in both phases), each waiting for the bot's
reply before the next, all customers at once. A few warm-up messages go first; the support bot's
start-up (migrations, training) is not timed.

Figures per phase: updates handled per second (messages / wall time), p50 / p99 latency from the
update being queued in the emulator to the bot's first message in that chat after it, the bot
process's peak RSS (start-up included) and its CPU time per update.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import random
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the bots' processes import only what they run
    from bot.config import Settings
    from intents import Lang
    from telegram_emulator import Group, TelegramEmulator, User
    from telegram_emulator.engine import Engine

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "config.example.toml"
TOKEN = "123456:BENCHMARK-TOKEN"
TARGET_RATIO = 0.5
REPLY_TIMEOUT_S = 10.0  # past the database's 5 s busy timeout: the reply is lost
MAX_ROUNDS = 100
START_TIMEOUT_S = 300.0
WARMUP_CUSTOMERS = 4
WARMUP_MESSAGES = 3
LANGS: tuple[Lang, ...] = ("ru", "en")
SETUP_TIMEOUT_S = 120.0  # hand-offs of a round placed and taken (not timed)
# what the support bot is timed doing: answering questions; relaying a customer's messages into
# the taken ticket's topic; relaying an operator's messages written there to the customer
ANSWER, RELAY, REPLY = "answer", "relay", "reply"

Usage = dict[str, float]


# ----------------------------------------------------------------------------- the bots' side
@dataclass(frozen=True)
class BotOptions:
    """What a bot process needs: where the emulator is and, for the support bot, its world."""

    kind: str  # "echo" | "support"
    api_url: str
    group_id: int = 0
    database_url: str = ""
    profile: str | None = None
    frozen: bool = False  # the echo bot: import aiogram as the support bot does (see --echo-frozen)


def bot_process(options: BotOptions, conn: Connection) -> None:
    """Entry point of a bot's process: run the bot until the driver says ``stop``."""
    logging.basicConfig(level=logging.WARNING, format=f"[{options.kind} bot] %(message)s")
    asyncio.run(_run_bot(options, conn))


async def _run_bot(options: BotOptions, conn: Connection) -> None:
    if options.kind == "echo":
        await _run_echo_bot(options, conn)
    else:
        await _run_support_bot(options, conn)


async def _run_echo_bot(options: BotOptions, conn: Connection) -> None:
    if options.frozen:  # aiogram's types built on first use, the import's objects frozen
        from bot.commands.service import collector_paused
        from bot.runtime.aiogram.lazy_models import import_aiogram

        with collector_paused():
            import_aiogram()
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message

    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(options.api_url)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot,
            handle_as_tasks=True,
            polling_timeout=1,
            handle_signals=False,
            close_bot_session=False,
        )
    )
    try:
        await _serve_driver(conn, options.profile)
    finally:
        with contextlib.suppress(RuntimeError):
            await dispatcher.stop_polling()
        await asyncio.wait_for(polling, timeout=10)
        await bot.session.close()
        conn.send(_usage())


async def _run_support_bot(options: BotOptions, conn: Connection) -> None:
    from bot.commands.service import collector_paused

    with collector_paused():  # as supportbot run imports the runtime and the composition root
        from bot.demo.stack import running_bot

    settings = benchmark_settings(
        database_url=options.database_url, api_url=options.api_url, group_id=options.group_id
    )
    async with running_bot(settings, token=TOKEN):
        await _serve_driver(conn, options.profile)
    conn.send(_usage())


def benchmark_settings(*, database_url: str, api_url: str, group_id: int) -> Settings:
    """The sample configuration pointed at the emulator and ``database_url``; no customer is
    asked to slow down (the benchmarks are about throughput, not the flood limit)."""
    from bot.config import load_settings
    from bot.demo.stack import local_settings

    settings = local_settings(
        load_settings(CONFIG), database_url=database_url, api_url=api_url, group_id=group_id
    )
    limits = settings.limits.model_copy(update={"customer_messages_per_minute": 1_000_000})
    return settings.model_copy(update={"limits": limits})


async def _serve_driver(conn: Connection, profile: str | None) -> None:
    """Answer the driver: ``mark`` (usage so far; starts or resumes the profiler when asked
    for), ``pause`` (usage so far; pauses the profiler: what follows is not timed), ``stop``
    (dump the profile and return; the final usage is sent after shutdown)."""
    profiler = None
    while True:
        command = await asyncio.to_thread(conn.recv)
        if command == "stop":
            break
        if profile and profiler is None:
            import cProfile

            profiler = cProfile.Profile(time.process_time)  # CPU time, not time waited
        if profiler is not None:
            if command == "pause":
                profiler.disable()
            else:
                profiler.enable()
        conn.send(_usage())
    if profiler is not None and profile:
        profiler.disable()
        profiler.dump_stats(profile)


def _usage() -> Usage:
    """This process's CPU seconds and peak resident set (MB, the whole life so far)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return {"cpu_s": own.ru_utime + own.ru_stime, "peak_rss_mb": own.ru_maxrss / scale}


# ----------------------------------------------------------------------------- questions
def question_pool() -> dict[Lang, list[str]]:
    """Per language, the sample questions of the shop intents (no small talk, no intent that
    hands off by design: a customer whose dialog an operator holds gets no automatic reply)."""
    from bot.config import load_settings
    from intents import load_content
    from intents.model import SYSTEM_INTENTS

    settings = load_settings(CONFIG)
    languages = settings.languages
    content = load_content(
        settings.content.intents_dir,
        settings.content.kb_dir,
        languages.supported,
        languages.default,
    )
    pool: dict[Lang, list[str]] = {lang: [] for lang in LANGS}
    for intent in content.intents.values():
        if intent.id in SYSTEM_INTENTS or intent.always_handoff:
            continue
        for lang in LANGS:
            pool[lang].extend(intent.examples.get(lang, ()))
    return pool


@dataclass(frozen=True)
class Script:
    """What one customer will write: their language and questions, in order."""

    name: str
    lang: Lang
    questions: tuple[str, ...]


def scripts(
    pool: dict[Lang, list[str]], customers: int, messages: int, *, seed: int, prefix: str
) -> list[Script]:
    rng = random.Random(seed)
    result = []
    for index in range(customers):
        lang = LANGS[index % len(LANGS)]
        questions = tuple(rng.choice(pool[lang]) for _ in range(messages))
        result.append(Script(f"{prefix} {index + 1}", lang, questions))
    return result


# ----------------------------------------------------------------------------- the driver's side
Place = tuple[int, int | None]  # a chat, and a forum topic of it (None: the chat itself)


class ReplyWatch:
    """Notes when the bot's first message after a customer's message lands in that chat.

    One scan of the emulator's new bot messages per change, instead of one scan per waiting
    customer (``wait_for_bot_messages`` re-reads every bot message for each waiter).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._seen = len(engine.bot_messages)
        self._waiting: dict[Hashable, asyncio.Future[float]] = {}
        self._closed = False
        self.unclaimed = 0  # bot messages in watched chats that answered nothing new

    def expect(self, key: Hashable) -> asyncio.Future[float]:
        """Call right before the customer sends: only later bot messages count. ``key`` is
        what :meth:`_key` makes of the awaited message (here: its chat id)."""
        self._scan()
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[key] = future
        return future

    def forget(self, key: Hashable) -> None:
        self._waiting.pop(key, None)

    def _key(self, message: dict[str, Any]) -> Hashable:
        chat_id: int = message["chat"]["id"]
        return chat_id

    def _scan(self) -> bool:
        now = time.perf_counter()
        messages = self._engine.bot_messages
        while self._seen < len(messages):
            message = messages[self._seen]
            self._seen += 1
            future = self._waiting.pop(self._key(message), None)
            if future is not None and not future.done():
                future.set_result(now)
            elif message["chat"]["id"] > 0:
                self.unclaimed += 1
        return self._closed

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[ReplyWatch]:
        task = asyncio.create_task(self._engine.wait_until(self._scan, 86_400.0, lambda: ""))
        try:
            yield self
        finally:
            self._closed = True
            self._engine.changed()
            await task


class PlaceWatch(ReplyWatch):
    """A :class:`ReplyWatch` keyed by place: the customer's chat (answers, the operator's
    replies relayed) or a ticket's topic (a customer's message relayed)."""

    def _key(self, message: dict[str, Any]) -> Hashable:
        place: Place = (message["chat"]["id"], message.get("message_thread_id"))
        return place


@dataclass
class Tally:
    """What the customers saw, summed over the rounds of a phase."""

    latencies_ms: list[float] = field(default_factory=list)
    messages: int = 0
    missing: int = 0
    unclaimed: int = 0  # bot messages to customers beyond the first reply to each message
    wall_s: float = 0.0
    rounds: int = 0
    bot_cpu_s: float = 0.0  # the bot's process, over the timed part of each round
    driver_cpu_s: float = 0.0


async def converse(user: User, script: Script, watch: ReplyWatch, tally: Tally, bar: Any) -> None:
    """A customer's conversation: the answers come to their own chat."""
    await converse_line(Line(user.send, user.chat_id, script.questions), watch, tally, bar)


@dataclass(frozen=True)
class Line:
    """One conversation of a round: who writes (``send``) and where the bot's answer to each
    message shows up (``answer_in``)."""

    send: Callable[[str], Awaitable[object]]
    answer_in: Hashable  # the watch's key: a chat id (ReplyWatch) or a Place (PlaceWatch)
    questions: tuple[str, ...]


async def converse_line(line: Line, watch: ReplyWatch, tally: Tally, bar: Any) -> None:
    """Write each message, wait for the answer, write the next, like a person (without typing
    delays: the benchmark measures the bot, not the customer)."""
    for question in line.questions:
        reply = watch.expect(line.answer_in)
        sent = time.perf_counter()
        await line.send(question)
        try:
            arrived = await asyncio.wait_for(reply, REPLY_TIMEOUT_S)
        except TimeoutError:
            watch.forget(line.answer_in)
            tally.missing += 1
            bar.update(1)
            continue
        tally.latencies_ms.append((arrived - sent) * 1000)
        bar.update(1)


@dataclass(frozen=True)
class Desk:
    """The operator group and its operator (the relay paths need them)."""

    group: Group
    operator: User


async def lines_for(
    tg: TelegramEmulator, plan: Sequence[Script], path: str, desk: Desk
) -> list[Line]:
    """Fresh customers for ``plan``; on the relay paths each has handed off to a person first,
    and the operator has taken the ticket by writing in its topic (not timed)."""
    users = [tg.add_user(s.name, language_code=s.lang) for s in plan]
    if path == ANSWER:
        return [
            Line(user.send, (user.chat_id, None), script.questions)
            for user, script in zip(users, plan, strict=True)
        ]
    topics = await hand_off_all(tg, users, desk)
    lines = []
    for user, script in zip(users, plan, strict=True):
        topic = topics[user.name]
        if path == RELAY:
            lines.append(Line(user.send, (desk.group.id, topic), script.questions))
        else:
            lines.append(Line(_in_topic(desk, topic), (user.chat_id, None), script.questions))
    return lines


def _in_topic(desk: Desk, topic: int) -> Callable[[str], Awaitable[object]]:
    async def send(text: str) -> object:
        return await desk.operator.send_in_topic(desk.group, topic, text)

    return send


async def hand_off_all(tg: TelegramEmulator, users: Sequence[User], desk: Desk) -> dict[str, int]:
    """Every customer writes ``/operator``; once each ticket has its topic and transcript, the
    operator writes in every topic, which takes the ticket and is relayed. Returns each
    customer's topic by name."""
    group = desk.group
    before = set(group.topic_ids())
    for user in users:
        await user.send("/operator")
    names = {user.name for user in users}
    topics: dict[str, int] = {}

    def placed() -> bool:
        for thread in set(group.topic_ids()) - before:
            name = group.topic_name(thread).split(" ", 1)[1]  # "#<ticket> <name>"
            if name in names and len(tg.bot_messages(group.id, thread)) >= 2:  # card, transcript
                topics[name] = thread
        return len(topics) == len(users)

    await tg.engine.wait_until(placed, SETUP_TIMEOUT_S, lambda: f"{len(topics)} topics placed")
    counts = {user.chat_id: len(tg.bot_messages(user.chat_id)) for user in users}
    for user in users:
        await desk.operator.send_in_topic(group, topics[user.name], "Hello, I am here")

    def taken() -> bool:  # the "has taken your request" notice and the greeting relayed
        return all(len(tg.bot_messages(chat)) >= n + 2 for chat, n in counts.items())

    await tg.engine.wait_until(taken, SETUP_TIMEOUT_S, lambda: "tickets taken")
    return topics


async def drive_lines(
    tg: TelegramEmulator,
    conn: Connection,
    plan: Sequence[Script],
    tally: Tally,
    *,
    path: str,
    desk: Desk,
    desc: str,
    show: bool,
) -> None:
    """Every customer of ``plan`` (fresh users) at once; adds what they saw and the bot's CPU
    time over the timed part (after the set-up of the relay paths) to ``tally``."""
    from tqdm import tqdm

    lines = await lines_for(tg, plan, path, desk)
    total = sum(len(line.questions) for line in lines)
    with tqdm(total=total, desc=desc, unit="msg", file=sys.stderr, disable=not show) as bar:
        async with PlaceWatch(tg.engine).running() as watch:
            bot_before, driver_before = await ask(conn, "mark"), _driver_cpu_s()
            started = time.perf_counter()
            async with asyncio.TaskGroup() as group:
                for line in lines:
                    group.create_task(converse_line(line, watch, tally, bar))
            tally.wall_s += time.perf_counter() - started
            bot_after, driver_after = await ask(conn, "pause"), _driver_cpu_s()
            await asyncio.sleep(0.2)  # late extra messages still count as unclaimed
    tally.messages += total
    tally.unclaimed += watch.unclaimed
    tally.rounds += 1
    tally.bot_cpu_s += bot_after["cpu_s"] - bot_before["cpu_s"]
    tally.driver_cpu_s += driver_after - driver_before


async def drive(
    tg: TelegramEmulator, plan: Sequence[Script], tally: Tally, *, desc: str, show: bool
) -> None:
    """Every customer of ``plan`` (fresh users) at once; adds what they saw to ``tally``."""
    from tqdm import tqdm

    users = [tg.add_user(s.name, language_code=s.lang) for s in plan]
    total = sum(len(s.questions) for s in plan)
    with tqdm(total=total, desc=desc, unit="msg", file=sys.stderr, disable=not show) as bar:
        async with ReplyWatch(tg.engine).running() as watch:
            started = time.perf_counter()
            async with asyncio.TaskGroup() as group:
                for user, script in zip(users, plan, strict=True):
                    group.create_task(converse(user, script, watch, tally, bar))
            tally.wall_s += time.perf_counter() - started
            await asyncio.sleep(0.2)  # late extra messages still count as unclaimed
    tally.messages += total
    tally.unclaimed += watch.unclaimed
    tally.rounds += 1


# ----------------------------------------------------------------------------- one phase
@dataclass
class PhaseResult:
    name: str
    rounds: int
    messages: int
    replies: int
    missing: int
    unclaimed: int
    wall_s: float
    updates_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    peak_rss_mb: float
    bot_cpu_ms_per_update: float
    bot_cpu_pct: float
    driver_cpu_pct: float
    startup_s: float
    # the database server's CPU time per update, where it is measured (peers.py, PostgreSQL)
    database_cpu_ms_per_update: float | None = None


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); NaN when there is nothing to rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def _driver_cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


@contextlib.contextmanager
def bot_in_process(options: BotOptions) -> Iterator[tuple[BaseProcess, Connection]]:
    context = multiprocessing.get_context("spawn")  # a clean process: honest RSS, no forked loop
    ours, theirs = context.Pipe()
    process = context.Process(target=bot_process, args=(options, theirs), name=options.kind)
    process.start()
    try:
        yield process, ours
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
            process.join()


async def ask(conn: Connection, command: str) -> Usage:
    conn.send(command)
    answer: Usage = await asyncio.to_thread(conn.recv)
    return answer


async def wait_for_bot(tg: TelegramEmulator, process: BaseProcess) -> None:
    """Until the new bot holds a long poll (start-up done), or fail if its process died."""
    from telegram_emulator import EmulatorTimeout

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if not process.is_alive():
            raise RuntimeError(f"the {process.name} bot exited with code {process.exitcode}")
        try:
            await tg.wait_for_poll(timeout=1.0)
            return
        except EmulatorTimeout:
            if time.monotonic() > deadline:
                raise


async def wait_no_poll(tg: TelegramEmulator) -> None:
    """Until the previous bot's abandoned long poll has expired."""
    await tg.engine.wait_until(lambda: tg.engine.updates.held_polls == 0, 10.0, lambda: "no poll")


@dataclass(frozen=True)
class Plan:
    """The conversations of a phase: round ``r`` is the same in every phase."""

    pool: dict[Lang, list[str]]
    customers: int
    messages: int
    seed: int
    min_seconds: float

    def round(self, index: int, kind: str) -> list[Script]:
        return scripts(
            self.pool,
            self.customers,
            self.messages,
            seed=self.seed + index,
            prefix=f"{kind} customer r{index}",
        )

    def warmup(self, kind: str) -> list[Script]:
        return scripts(
            self.pool, WARMUP_CUSTOMERS, WARMUP_MESSAGES, seed=-self.seed, prefix=f"{kind} warm"
        )


async def timed_rounds(
    tg: TelegramEmulator,
    conn: Connection,
    plan: Plan,
    kind: str,
    *,
    path: str,
    desk: Desk,
    show: bool,
) -> Tally:
    """Rounds of fresh customers until ``plan.min_seconds`` of timed conversation (a fast bot
    gets several rounds, so its figures are not a fraction of a second's noise)."""
    tally = Tally()
    while tally.rounds < MAX_ROUNDS and (tally.rounds == 0 or tally.wall_s < plan.min_seconds):
        desc = f"{kind} bot, round {tally.rounds + 1}"
        round_plan = plan.round(tally.rounds, kind)
        await drive_lines(tg, conn, round_plan, tally, path=path, desk=desk, desc=desc, show=show)
    return tally


async def run_phase(
    tg: TelegramEmulator, options: BotOptions, plan: Plan, *, path: str, desk: Desk, show: bool
) -> PhaseResult:
    kind = options.kind
    await wait_no_poll(tg)
    log(f"{kind} bot: starting its process")
    started = time.perf_counter()
    with bot_in_process(options) as (process, conn):
        await wait_for_bot(tg, process)
        startup = time.perf_counter() - started
        log(f"{kind} bot: ready after {startup:.1f} s; warming up, then timing")
        warmup = plan.warmup(kind)
        await drive_lines(
            tg, conn, warmup, Tally(), path=path, desk=desk, desc=f"{kind} warm-up", show=False
        )
        tally = await timed_rounds(tg, conn, plan, kind, path=path, desk=desk, show=show)
        final = await ask(conn, "stop")
    messages, wall = tally.messages, tally.wall_s
    bot_cpu = tally.bot_cpu_s
    return PhaseResult(
        name=kind,
        rounds=tally.rounds,
        messages=messages,
        replies=len(tally.latencies_ms),
        missing=tally.missing,
        unclaimed=tally.unclaimed,
        wall_s=wall,
        updates_per_s=messages / wall,
        p50_ms=percentile(tally.latencies_ms, 50),
        p99_ms=percentile(tally.latencies_ms, 99),
        max_ms=max(tally.latencies_ms, default=float("nan")),
        peak_rss_mb=final["peak_rss_mb"],
        bot_cpu_ms_per_update=bot_cpu / messages * 1000,
        bot_cpu_pct=bot_cpu / wall * 100,
        driver_cpu_pct=tally.driver_cpu_s / wall * 100,
        startup_s=startup,
    )


# ----------------------------------------------------------------------------- the run
def log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextlib.asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """A new database on the PostgreSQL server of ``admin_url``, for one run: its URL; dropped
    afterwards. (Each run's customers are new users of a new emulator, whose ids restart: in a
    database kept from an earlier run they would meet that run's customers and their tickets.)"""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"bench_{secrets.token_hex(4)}"
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()


def database_url(arg: str, scratch: Path) -> tuple[str, str]:
    """The URL the support bot gets, and how to describe it."""
    if arg == "sqlite":
        return f"sqlite+aiosqlite:///{scratch / 'bench.sqlite3'}", "SQLite (fresh temporary file)"
    if "://" in arg:
        return arg, arg.split("://", 1)[0]
    return f"sqlite+aiosqlite:///{Path(arg).resolve()}", f"SQLite file {arg}"


async def benchmark(args: argparse.Namespace, db_url: str) -> tuple[PhaseResult, PhaseResult]:
    from telegram_emulator import TelegramEmulator

    plan = Plan(question_pool(), args.customers, args.messages, args.seed, args.min_seconds)
    show = sys.stderr.isatty()
    async with TelegramEmulator(token=TOKEN) as tg:
        tg.limits.rates = False
        operator = tg.add_user("Olga", language_code="en", username="olga_support")
        group = tg.add_supergroup("Support desk", forum=True, admins=[operator])
        results = []
        for kind in ("echo", "support"):
            options = BotOptions(
                kind=kind,
                api_url=tg.url,
                group_id=group.id,
                database_url=db_url,
                profile=args.profile if kind == "support" else None,
                frozen=args.echo_frozen,
            )
            path = args.path if kind == "support" else ANSWER  # the echo bot only echoes
            desk = Desk(group, operator)
            result = await run_phase(tg, options, plan, path=path, desk=desk, show=show)
            log(
                f"{kind} bot: {result.updates_per_s:.1f} updates/s, "
                f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"
            )
            results.append(result)
        if tg.internal_errors:
            log(f"emulator internal errors: {tg.internal_errors[:3]}")
    return results[0], results[1]


def table(echo: PhaseResult, support: PhaseResult) -> list[str]:
    rows: list[tuple[str, str, str]] = [
        ("updates handled per second", f"{echo.updates_per_s:.1f}", f"{support.updates_per_s:.1f}"),
        ("latency p50, ms", f"{echo.p50_ms:.1f}", f"{support.p50_ms:.1f}"),
        ("latency p99, ms", f"{echo.p99_ms:.1f}", f"{support.p99_ms:.1f}"),
        ("latency max, ms", f"{echo.max_ms:.1f}", f"{support.max_ms:.1f}"),
        (
            "peak RSS of the bot process, MB",
            f"{echo.peak_rss_mb:.0f}",
            f"{support.peak_rss_mb:.0f}",
        ),
        (
            "bot CPU per update, ms",
            f"{echo.bot_cpu_ms_per_update:.2f}",
            f"{support.bot_cpu_ms_per_update:.2f}",
        ),
        ("bot process CPU, % of one core", f"{echo.bot_cpu_pct:.0f}", f"{support.bot_cpu_pct:.0f}"),
        (
            "driver+emulator CPU, % of one core",
            f"{echo.driver_cpu_pct:.0f}",
            f"{support.driver_cpu_pct:.0f}",
        ),
        (
            "messages / replies / no reply",
            f"{echo.messages}/{echo.replies}/{echo.missing}",
            f"{support.messages}/{support.replies}/{support.missing}",
        ),
        ("extra bot messages to customers", f"{echo.unclaimed}", f"{support.unclaimed}"),
        ("timed wall time, s", f"{echo.wall_s:.2f}", f"{support.wall_s:.2f}"),
        ("timed rounds of fresh customers", f"{echo.rounds}", f"{support.rounds}"),
        ("start-up (not timed), s", f"{echo.startup_s:.1f}", f"{support.startup_s:.1f}"),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"{'':<{width}}  {'echo bot':>12}  {'support bot':>12}"]
    lines += [f"{label:<{width}}  {a:>12}  {b:>12}" for label, a, b in rows]
    return lines


def report(args: argparse.Namespace, db: str, echo: PhaseResult, support: PhaseResult) -> None:
    ratio = support.updates_per_s / echo.updates_per_s
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(
        f"Conversation throughput: {args.customers} customers x {args.messages} messages each, "
        f"concurrently; emulator rate limits off; support bot on {db}; support bot's path: "
        f"{args.path} (the echo bot echoes)."
    )
    print()
    print("\n".join(table(echo, support)))
    print()
    print(f"throughput ratio support/echo: {ratio:.2f} (target >= {TARGET_RATIO}: {verdict})")
    cpu_ratio = support.bot_cpu_ms_per_update / echo.bot_cpu_ms_per_update
    print(f"CPU per update support/echo: {cpu_ratio:.2f}")
    for result in (echo, support):
        if result.missing:
            print(
                f"WARNING: the {result.name} bot never replied to {result.missing} message(s) "
                f"within {REPLY_TIMEOUT_S:.0f} s (its log is on stderr); each such customer waited "
                "that long, which is in the throughput."
            )
    print(
        "Latency: from the customer's update being queued in the emulator to the bot's first "
        "message in that chat, timed in the driver process, which shares its event loop with the "
        "emulator; each bot runs in a process of its own (peak RSS is that process's, start-up "
        "included; CPU is counted over the timed rounds only)."
    )
    if args.json:
        figures = {
            "customers": args.customers,
            "messages": args.messages,
            "database": db,
            "path": args.path,
            "cpu_ratio": cpu_ratio,
            "echo": asdict(echo),
            "support": asdict(support),
            "ratio": ratio,
            "target_ratio": TARGET_RATIO,
            "target_met": ratio >= TARGET_RATIO,
        }
        print(json.dumps(figures))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=50, help="concurrent customers")
    parser.add_argument("--messages", type=int, default=10, help="questions per customer")
    parser.add_argument(
        "--db",
        default="sqlite",
        help="'sqlite' (a fresh temporary file), a PostgreSQL URL (a fresh database is made on "
        "its server for the run and dropped after), or a SQLite file path",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed for picking the questions")
    parser.add_argument(
        "--path",
        choices=(ANSWER, RELAY, REPLY),
        default=ANSWER,
        help="the support bot answers questions (answer), relays customers' messages into their "
        "taken tickets' topics (relay), or relays an operator's messages to customers (reply)",
    )
    parser.add_argument(
        "--min-seconds",
        type=float,
        default=3.0,
        help="repeat rounds of fresh customers until this much timed conversation per phase",
    )
    parser.add_argument(
        "--profile", metavar="FILE", help="cProfile the support bot's timed phase into FILE"
    )
    parser.add_argument(
        "--echo-frozen",
        action="store_true",
        help="the echo bot imports aiogram as the support bot does (types built on first use, "
        "the import's objects frozen): no full collection then rescans aiogram's models",
    )
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args(argv)
    if args.customers < 1 or args.messages < 1:
        parser.error("--customers and --messages must be at least 1")
    return args


async def run(args: argparse.Namespace) -> tuple[str, PhaseResult, PhaseResult]:
    """Both phases on the database ``--db`` names: a PostgreSQL URL gets a fresh database on
    its server (as ``sqlite`` gets a fresh file), a SQLite path is used as it is."""
    if args.db.startswith("postgresql"):
        async with fresh_database(args.db) as url:
            return ("PostgreSQL (fresh database)", *await benchmark(args, url))
    with tempfile.TemporaryDirectory(prefix="supportbot-bench-") as scratch:
        db_url, db = database_url(args.db, Path(scratch))
        return (db, *await benchmark(args, db_url))


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    db, echo, support = asyncio.run(run(args))
    report(args, db, echo, support)


if __name__ == "__main__":
    main()
