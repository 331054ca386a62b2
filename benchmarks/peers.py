"""Side by side on one emulator: an open-source peer support bot, the bare aiogram echo bot and
the support bot, doing the same work under the same load.

    python benchmarks/peers.py [--peer-dir ../shared/peers] [--customers 50] [--messages 10]
        [--repeat 3] [--postgres ADMIN_URL | --no-postgres] [--no-peer] [--bots a,b] [--json]

Phases, each bot in a process of its own, the repetitions interleaved (every bot once, then
every bot again):

- **relay**: known customers write into their forum topic. The peer
  (MasterGroosha/telegram-feedback-bot-topics, aiogram 3 + SQLAlchemy + PostgreSQL, run unmodified
  from ``--peer-dir`` in a virtualenv of its own that this script builds under the user's cache
  directory from the peer's pinned requirements) copies each private message into the customer's
  topic; the support bot, each customer's ticket taken by an operator, relays it into the ticket's
  topic, on PostgreSQL and on SQLite. A message counts as relayed when its copy lands in the topic.
- **answer**: fresh customers ask questions from the sample intents; the echo bot echoes, the
  support bot answers, on PostgreSQL and on SQLite (as ``conversation_throughput.py`` does).

Per bot and phase: the bot process's CPU time per update, updates/s, p50/p99 latency (customer's
update queued → the bot's message landing), the process's peak RSS, messages lost (no copy or
answer within 10 s) and every Bot API error the emulator answered; then the medians over the
repetitions and the ratios the cost targets name. A bot on PostgreSQL has part of its work done
by the database server, which its process's CPU time leaves out (SQLite's is in the process):
when the server runs on this machine, its CPU time per update is shown beside the bot's, and each
ratio is also given with it added (bot + database server). Without a peer (``--peer-dir``
absent) or a PostgreSQL server, the phases that need them are skipped with a message saying why.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from conversation_throughput import (  # noqa: E402 - after the path above
    REPLY_TIMEOUT_S,
    TOKEN,
    BotOptions,
    PhaseResult,
    Plan,
    ReplyWatch,
    Script,
    Tally,
    Usage,
    _driver_cpu_s,
    ask,
    bot_in_process,
    converse,
    drive,
    fresh_database,
    log,
    percentile,
    question_pool,
    wait_for_bot,
    wait_no_poll,
)
from replica_scale import POSTGRES  # noqa: E402

if TYPE_CHECKING:
    from telegram_emulator import Group, TelegramEmulator, User
    from telegram_emulator.engine import Engine

PEER_NAME = "telegram-feedback-bot-topics"
LAUNCHER = REPO / "benchmarks" / "peer_launcher.py"
SETUP_TIMEOUT_S = 60.0
SETUP_CONCURRENCY = 10
T = TypeVar("T")
EDIT_AFTER_S = 0.5  # a person edits a message no sooner than this after sending it
SETTLE_S = 0.3  # late bot messages of the set-up land before the timed part starts
TAKE_BUTTON = "✋ Take"
TARGETS = {  # (phase, our bot, reference) -> highest allowed CPU-per-update ratio
    ("relay", "support-postgresql", "peer-postgresql"): 0.75,
    ("relay", "support-sqlite", "peer-postgresql"): 0.6,
    ("answer", "support-sqlite", "echo"): 3.0,
    ("answer", "support-postgresql", "echo"): 4.0,
}


# ----------------------------------------------------------------------------- the database server
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def database_server_cpu_s(admin_url: str, proc: Path = Path("/proc")) -> float | None:
    """CPU time (user + system, in seconds) the PostgreSQL server at ``admin_url`` has used so
    far: every ``postgres`` process's own, plus what each has collected from its exited
    children (the postmaster's ended backends). ``None`` when the server is not on this machine
    (a host other than this one's; no host means its Unix socket, so here) or ``proc`` shows no
    such process (not Linux, a server in another container, not allowed to see it).

    Only one bot runs at a time, so the difference over a phase is that bot's database work
    (with the server's background writers, which that work wakes). Every ``postgres`` process of
    the machine counts: a second cluster on it would count too."""
    from sqlalchemy.engine import make_url

    host = make_url(admin_url).host
    if host is not None and host not in LOCAL_HOSTS:
        return None
    try:
        entries = list(proc.iterdir())
    except OSError:  # no /proc here
        return None
    ticks, found = 0, False
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        # after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        # utime stime cutime cstime ... (proc(5))
        fields = stat.rpartition(")")[2].split()
        ticks += sum(int(x) for x in fields[11:15])
        found = True
    return ticks / os.sysconf("SC_CLK_TCK") if found else None


# ----------------------------------------------------------------------------- the peer
def find_peer(peer_dir: Path) -> Path | None:
    """The peer's checkout: ``peer_dir`` itself or its ``telegram-feedback-bot-topics``."""
    for candidate in (peer_dir / PEER_NAME, peer_dir):
        if (candidate / "requirements.txt").is_file() and (candidate / "bot").is_dir():
            return candidate
    return None


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "supportbot-benchmarks"


def peer_venv(peer: Path) -> Path:
    """The peer's own virtualenv, built once per requirements file and Python version from
    PyPI (``pip install -r requirements.txt``); never inside the repository."""
    requirements = (peer / "requirements.txt").read_bytes()
    key = hashlib.sha256(requirements + sys.version.encode()).hexdigest()[:12]
    venv = cache_dir() / f"peer-venv-{key}"
    ready = venv / ".ready"
    if ready.exists():
        return venv
    log(f"peer: building its virtualenv in {venv} (once; pip install -r requirements.txt)")
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "-r", str(peer / "requirements.txt")], check=True)
    ready.touch()
    return venv


def peer_copy(peer: Path, scratch: Path, *, group_id: int, dsn: str) -> Path:
    """A copy of the peer with what its README asks the operator to provide: a settings TOML
    and a strings file in ``bot/locale/current`` (its English example). Code is not touched."""
    copy = scratch / f"peer-{time.monotonic_ns()}"
    shutil.copytree(peer, copy, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    copy.chmod(0o755)
    for path in copy.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    example = copy / "bot" / "locale" / "examples" / "en" / "strings.ftl"
    shutil.copy(example, copy / "bot" / "locale" / "current" / "strings.ftl")
    (copy / "settings.toml").write_text(
        "[bot]\n"
        f'token = "{TOKEN}"\n'
        f"supergroup_id = {group_id}\n"
        "[db]\n"
        f'dsn = "{dsn}"\n'
        "echo = false\n"
        "[logs]\n"
        "show_datetime = false\n"
        'datetime_format = "%Y-%m-%d %H:%M:%S"\n'
        "show_debug_logs = false\n"
        "time_in_utc = true\n"
        "use_colors_in_console = false\n"
        'renderer = "console"\n'
    )
    return copy


class PeerProcess:
    """The peer in a subprocess of its own virtualenv; looks enough like a ``multiprocessing``
    process for ``wait_for_bot``, and answers ``mark``/``stop`` like the in-house bots."""

    name = "peer"

    def __init__(self, venv: Path, copy: Path, api_url: str) -> None:
        read_fd, write_fd = os.pipe()
        self.log_path = copy / "peer.log"
        self._log = self.log_path.open("w")
        env = {**os.environ, "CONFIG_FILE_PATH": str(copy / "settings.toml")}
        env.pop("PYTHONPATH", None)
        command = [
            str(venv / "bin" / "python"),
            str(LAUNCHER),
            "--peer",
            str(copy),
            "--api-url",
            api_url,
            "--answer-fd",
            str(write_fd),
        ]
        self.popen = subprocess.Popen(
            command,
            cwd=copy,
            env=env,
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            text=True,
        )
        os.close(write_fd)
        self._answers = os.fdopen(read_fd)

    def is_alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def exitcode(self) -> int | None:
        return self.popen.poll()

    async def command(self, line: str) -> Usage:
        assert self.popen.stdin is not None
        self.popen.stdin.write(line + "\n")
        self.popen.stdin.flush()
        answer = await asyncio.to_thread(self._answers.readline)
        if not answer:
            raise RuntimeError(f"the peer exited (code {self.exitcode}); see {self.log_path}")
        usage: Usage = json.loads(answer)
        return usage

    def close(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=30)
        if self.popen.poll() is None:
            self.popen.terminate()
            self.popen.wait()
        self._answers.close()
        self._log.close()

    def problems(self) -> list[str]:
        """Lines of the peer's log that report an error (the peer logs failed API calls)."""
        text = self.log_path.read_text(errors="replace")
        return [line for line in text.splitlines() if "error" in line.lower()]


def migrate_peer(venv: Path, copy: Path) -> None:
    env = {**os.environ, "CONFIG_FILE_PATH": str(copy / "settings.toml")}
    env.pop("PYTHONPATH", None)
    command = [str(venv / "bin" / "python"), "-m", "alembic", "upgrade", "head"]
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the peer's migration failed:\n{done.stderr}")


# ----------------------------------------------------------------------------- bots as handles
@dataclass
class Handle:
    """A running bot: its process (for ``wait_for_bot``) and how to ask it for its usage."""

    process: Any
    command: Callable[[str], Awaitable[Usage]]


@contextlib.asynccontextmanager
async def in_house(options: BotOptions) -> AsyncIterator[Handle]:
    with bot_in_process(options) as (process, conn):
        yield Handle(process, lambda line: ask(conn, line))


@contextlib.asynccontextmanager
async def peer_bot(venv: Path, copy: Path, api_url: str) -> AsyncIterator[PeerProcess]:
    process = PeerProcess(venv, copy, api_url)
    try:
        yield process
    finally:
        await asyncio.to_thread(process.close)


# ----------------------------------------------------------------------------- the relay phase
class RelayWatch(ReplyWatch):
    """Notes when a customer's message has its copy in the customer's topic (a bot message in
    the group, in the thread mapped to that customer)."""

    def __init__(self, engine: Engine, group_id: int, threads: dict[int, int]) -> None:
        super().__init__(engine)
        self._group = group_id
        self._threads = threads  # thread id -> customer chat id

    def _scan(self) -> bool:
        now = time.perf_counter()
        messages = self._engine.bot_messages
        while self._seen < len(messages):
            message = messages[self._seen]
            self._seen += 1
            chat_id = message["chat"]["id"]
            key = chat_id
            if chat_id == self._group:
                key = self._threads.get(message.get("message_thread_id") or 0, 0)
            future = self._waiting.pop(key, None)
            if future is not None and not future.done():
                future.set_result(now)
            else:
                self.unclaimed += 1
        return self._closed


async def until(tg: TelegramEmulator, check: Callable[[], bool], what: str) -> None:
    await tg.engine.wait_until(check, SETUP_TIMEOUT_S, lambda: what)


def topic_of(group: Group, name: str) -> int | None:
    for thread_id, topic in group.state.topics.items():
        if name in topic.name:
            return thread_id
    return None


def bot_messages_in(tg: TelegramEmulator, chat_id: int, thread_id: int | None = None) -> int:
    return len(tg.bot_messages(chat_id, thread_id))


async def known_to_peer(tg: TelegramEmulator, group: Group, user: User, _: User) -> int:
    """The customer's first message: the peer opens their topic ("#id<user id>"), posts who
    they are and copies the message."""
    await user.send("Hello")
    name = f"#id{user.id}"
    await until(
        tg,
        lambda: (
            (thread := topic_of(group, name)) is not None
            and bot_messages_in(tg, group.id, thread) >= 2
        ),
        f"the peer's topic {name}",
    )
    thread = topic_of(group, name)
    assert thread is not None
    return thread


async def taken_by_operator(tg: TelegramEmulator, group: Group, user: User, operator: User) -> int:
    """The customer asks for a person; the operator takes the ticket."""
    before = bot_messages_in(tg, user.chat_id)
    await user.send("Hello")
    await until(tg, lambda: bot_messages_in(tg, user.chat_id) > before, "a greeting")

    def card() -> bool:
        thread = topic_of(group, user.name)
        return thread is not None and any(
            TAKE_BUTTON in m.button_texts for m in tg.bot_messages(group.id, thread)
        )

    await user.send("/operator")
    await until(tg, card, f"the ticket card of {user.name}")
    thread = topic_of(group, user.name)
    assert thread is not None
    told = bot_messages_in(tg, user.chat_id)
    query = await operator.press(TAKE_BUTTON, group=group, thread_id=thread)
    await tg.wait_for_callback_answer(query, timeout=SETUP_TIMEOUT_S)
    await until(
        tg,
        lambda: bot_messages_in(tg, user.chat_id) > told,
        f"{user.name} being told the ticket is taken",
    )
    return thread


Setup = Callable[["TelegramEmulator", "Group", "User", "User"], Awaitable[int]]

PIXEL = bytes.fromhex(  # a 1x1 PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)


async def exercise_peer(tg: TelegramEmulator, group: Group, operator: User) -> list[str]:
    """After the timed part, the peer's other paths, as a faithfulness test of the emulator:
    a new customer (topic created with an icon), a photo with a caption, the caption edited
    (``editMessageMedia``), a text edited, an operator's answer copied back, that answer
    edited. Each edit comes a moment after its copy landed, as a person's would: the peer
    stores the message pair it needs for an edit only after the copy returns. Returns the Bot
    API methods the peer called."""
    calls_before = len(tg.calls)
    customer = tg.add_user("Faithful", language_code="en")
    thread = await known_to_peer(tg, group, customer, operator)
    hello = tg.messages(customer.chat_id)[-1]
    in_topic = bot_messages_in(tg, group.id, thread)
    photo = await customer.send_photo(PIXEL, caption="the box")
    await until(tg, lambda: bot_messages_in(tg, group.id, thread) > in_topic, "the photo copy")

    def called(method: str, count: int) -> Callable[[], bool]:
        return lambda: len([c for c in tg.calls[calls_before:] if c.method == method]) >= count

    await asyncio.sleep(EDIT_AFTER_S)
    await customer.edit_caption(photo, "the broken box")
    await until(tg, called("editMessageMedia", 1), "the peer editing the photo's caption")
    await customer.edit(hello, "Hello again")
    await until(tg, called("editMessageText", 1), "the peer editing the text")
    told = bot_messages_in(tg, customer.chat_id)
    answer = await operator.send_in_topic(group, thread, "Which box?")
    await until(tg, lambda: bot_messages_in(tg, customer.chat_id) > told, "the answer copied")
    await asyncio.sleep(EDIT_AFTER_S)
    await operator.edit(answer, "Which box, exactly?")
    await until(tg, called("editMessageText", 2), "the peer editing the answer")
    return sorted({c.method for c in tg.calls[calls_before:]})


async def relay_round(
    tg: TelegramEmulator,
    group: Group,
    operator: User,
    plan: Sequence[Script],
    setup: Setup,
    ready: Callable[[], Awaitable[None]],
) -> Tally:
    """Make every customer of ``plan`` known (untimed), call ``ready``, then all at once the
    customers write their messages, each waiting for the copy in their topic before the next."""
    from tqdm import tqdm

    first = len(tg.engine.world.users)  # short unique names: a topic's name holds one
    users = [
        tg.add_user(f"Cust{first + index:05d}", language_code=s.lang)
        for index, s in enumerate(plan)
    ]
    threads: dict[int, int] = {}
    gate = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def prepare(user: User) -> None:
        async with gate:
            threads[await setup(tg, group, user, operator)] = user.chat_id

    async with asyncio.TaskGroup() as tasks:
        for user in users:
            tasks.create_task(prepare(user))
    await asyncio.sleep(SETTLE_S)
    await ready()
    tally = Tally()
    with tqdm(disable=True) as bar:
        async with RelayWatch(tg.engine, group.id, threads).running() as watch:
            started = time.perf_counter()
            async with asyncio.TaskGroup() as tasks:
                for user, script in zip(users, plan, strict=True):
                    tasks.create_task(converse(user, script, watch, tally, bar))
            tally.wall_s = time.perf_counter() - started
            await asyncio.sleep(0.2)
        tally.unclaimed = watch.unclaimed
    tally.messages = sum(len(s.questions) for s in plan)
    tally.rounds = 1
    return tally


# ----------------------------------------------------------------------------- one bot, one rep
@dataclass
class Measured:
    """One bot's phases in one repetition."""

    bot: str
    phases: dict[str, PhaseResult] = field(default_factory=dict)
    api_errors: list[str] = field(default_factory=list)
    log_errors: list[str] = field(default_factory=list)
    exercised: list[str] = field(default_factory=list)  # methods the peer's other paths called


def phase_result(
    name: str, tally: Tally, before: Usage, after: Usage, driver_s: float, startup: float
) -> PhaseResult:
    bot_cpu = after["cpu_s"] - before["cpu_s"]
    wall = tally.wall_s or float("nan")
    return PhaseResult(
        name=name,
        rounds=tally.rounds,
        messages=tally.messages,
        replies=len(tally.latencies_ms),
        missing=tally.missing,
        unclaimed=tally.unclaimed,
        wall_s=tally.wall_s,
        updates_per_s=tally.messages / wall,
        p50_ms=percentile(tally.latencies_ms, 50),
        p99_ms=percentile(tally.latencies_ms, 99),
        max_ms=max(tally.latencies_ms, default=float("nan")),
        peak_rss_mb=0.0,  # filled in from the process's final usage
        bot_cpu_ms_per_update=bot_cpu / tally.messages * 1000,
        bot_cpu_pct=bot_cpu / wall * 100,
        driver_cpu_pct=driver_s / wall * 100,
        startup_s=startup,
    )


@dataclass(frozen=True)
class Run:
    tg: TelegramEmulator
    group: Group
    operator: User
    plan: Plan
    rep: int


def on_postgresql(bot: str) -> bool:
    """Whether the bot of this name keeps its data on the PostgreSQL server."""
    return bot.endswith("-postgresql")


def no_server() -> float | None:
    """The database CPU of a bot without a database server (SQLite's is in its process)."""
    return None


async def measure_bot(
    run: Run,
    bot: str,
    handle: Handle,
    phases: Sequence[str],
    setup: Setup | None,
    *,
    exercise: bool = False,
    server_cpu: Callable[[], float | None] = no_server,
) -> Measured:
    tg, plan = run.tg, run.plan
    started = time.perf_counter()
    await wait_for_bot(tg, handle.process)
    startup = time.perf_counter() - started
    log(f"rep {run.rep + 1}, {bot}: ready after {startup:.1f} s")
    calls_before = len(tg.calls)
    measured = Measured(bot)
    for phase in phases:
        tag = f"{bot} {phase} r{run.rep}"
        if phase == "answer":
            await drive(tg, plan.warmup(tag), Tally(), desc="warm-up", show=False)
            before, driver_before = await handle.command("mark"), _driver_cpu_s()
            server_before = server_cpu()
            tally = Tally()
            await drive(tg, plan.round(run.rep, tag), tally, desc=tag, show=False)
        else:
            assert setup is not None
            marks: list[tuple[Usage, float, float | None]] = []

            async def ready(marks: list[tuple[Usage, float, float | None]] = marks) -> None:
                # the set-up is not timed
                marks.append((await handle.command("mark"), _driver_cpu_s(), server_cpu()))

            tally = await relay_round(
                tg, run.group, run.operator, plan.round(run.rep, tag), setup, ready
            )
            before, driver_before, server_before = marks[0]
        after, driver_after = await handle.command("mark"), _driver_cpu_s()
        server_after = server_cpu()
        result = phase_result(phase, tally, before, after, driver_after - driver_before, startup)
        if server_before is not None and server_after is not None:
            result.database_cpu_ms_per_update = (
                (server_after - server_before) / tally.messages * 1000
            )
        measured.phases[phase] = result
        log(
            f"rep {run.rep + 1}, {bot} {phase}: {result.bot_cpu_ms_per_update:.2f} ms CPU/update, "
            f"{result.updates_per_s:.0f} updates/s, lost {result.missing}"
        )
    if exercise:  # after the timed part: counts in no figure
        from telegram_emulator import EmulatorTimeout

        try:
            measured.exercised = await exercise_peer(tg, run.group, run.operator)
        except EmulatorTimeout as exc:
            measured.log_errors.append(f"the peer's other paths: {exc}")
    final = await handle.command("stop")
    for result in measured.phases.values():
        result.peak_rss_mb = final["peak_rss_mb"]
    measured.api_errors = [
        f"{c.method}: {c.description}" for c in tg.calls[calls_before:] if not c.ok and not c.unread
    ]
    return measured


# ----------------------------------------------------------------------------- the run
@dataclass(frozen=True)
class Bot:
    """A bot of the line-up: what it runs, on which database, in which phases."""

    name: str  # "echo" | "peer-postgresql" | "support-sqlite" | "support-postgresql"
    phases: tuple[str, ...]


def line_up(args: argparse.Namespace, peer: Path | None, postgres: bool) -> list[Bot]:
    bots = [Bot("echo", ("answer",))]
    if peer is not None and postgres:
        bots.append(Bot("peer-postgresql", ("relay",)))
    bots.append(Bot("support-sqlite", ("answer", "relay")))
    if postgres:
        bots.append(Bot("support-postgresql", ("answer", "relay")))
    if args.bots:
        chosen = set(args.bots.split(","))
        bots = [bot for bot in bots if bot.name in chosen]
    return bots


@contextlib.asynccontextmanager
async def database(kind: str, args: argparse.Namespace, scratch: Path) -> AsyncIterator[str]:
    """A fresh database for one bot in one repetition: its SQLAlchemy URL (asyncpg dialect)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{scratch / f'support-{time.monotonic_ns()}.sqlite3'}"
        return
    async with fresh_database(args.postgres) as url:
        yield url


async def run_bot(
    run: Run,
    bot: Bot,
    args: argparse.Namespace,
    scratch: Path,
    venv: Path | None,
    peer: Path | None,
) -> Measured:
    tg = run.tg
    await wait_no_poll(tg)
    kind = bot.name.split("-", 1)[-1]
    if bot.name == "echo":
        echo = BotOptions(kind="echo", api_url=tg.url, frozen=args.echo_frozen)
        async with in_house(echo) as handle:
            return await measure_bot(run, bot.name, handle, bot.phases, None)

    def server_cpu() -> float | None:
        return database_server_cpu_s(args.postgres) if on_postgresql(bot.name) else None

    async with database(kind, args, scratch) as url:
        if bot.name.startswith("peer"):
            assert venv is not None
            assert peer is not None
            dsn = url.replace("postgresql+asyncpg://", "postgresql+psycopg://", 1)
            copy = peer_copy(peer, scratch, group_id=run.group.id, dsn=dsn)
            await asyncio.to_thread(migrate_peer, venv, copy)
            async with peer_bot(venv, copy, tg.url) as process:
                handle = Handle(process, process.command)
                measured = await measure_bot(
                    run,
                    bot.name,
                    handle,
                    bot.phases,
                    known_to_peer,
                    exercise=True,
                    server_cpu=server_cpu,
                )
            measured.log_errors += process.problems()
            return measured
        options = BotOptions(
            kind="support", api_url=tg.url, group_id=run.group.id, database_url=url
        )
        async with in_house(options) as handle:
            return await measure_bot(
                run, bot.name, handle, bot.phases, taken_by_operator, server_cpu=server_cpu
            )


async def postgres_reachable(admin_url: str) -> str | None:
    """``None`` when PostgreSQL answers at ``admin_url``, else why not."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(admin_url)
    try:
        async with asyncio.timeout(5), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means: skip PostgreSQL
        return f"{type(exc).__name__}: {exc}"
    finally:
        await engine.dispose()
    return None


def turn_order(bots: Sequence[T], rep: int) -> list[T]:
    """The bots in the order repetition ``rep`` runs them: each repetition starts with the next
    one in turn, so that over as many repetitions as bots each runs first once (the order
    within a repetition stays the same)."""
    shift = rep % len(bots) if bots else 0
    return [*bots[shift:], *bots[:shift]]


async def benchmark(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    from telegram_emulator import TelegramEmulator

    notes: list[str] = []
    peer = None if args.no_peer else find_peer(args.peer_dir)
    if args.no_peer:
        notes.append("peer: left out (--no-peer)")
    elif peer is None:
        notes.append(
            f"peer: SKIPPED - no peer checkout at {args.peer_dir} (give its directory with "
            f"--peer-dir; it holds {PEER_NAME}/ with requirements.txt and bot/)"
        )
    postgres = not args.no_postgres
    if postgres and (why := await postgres_reachable(args.postgres)):
        notes.append(f"PostgreSQL: SKIPPED - {args.postgres} does not answer ({why})")
        postgres = False
    if peer is not None and not postgres:
        notes.append("peer: SKIPPED - it needs PostgreSQL (psycopg DSN, PostgreSQL UUID columns)")
    venv = await asyncio.to_thread(peer_venv, peer) if peer is not None and postgres else None
    for note in notes:
        log(note)
    bots = line_up(args, peer, postgres)
    plan = Plan(question_pool(), args.customers, args.messages, args.seed, 0.0)
    load_before = os.getloadavg()
    reps: list[list[Measured]] = []
    async with TelegramEmulator(token=TOKEN) as tg:
        tg.limits.rates = False
        operator = tg.add_user("Olga", language_code="en", username="olga_support")
        group = tg.add_supergroup("Support desk", forum=True, admins=[operator])
        for rep in range(args.repeat):
            run = Run(tg, group, operator, plan, rep)
            reps.append(
                [
                    await run_bot(run, bot, args, scratch, venv, peer)
                    for bot in turn_order(bots, rep)
                ]
            )
        internal = [repr(e) for e in tg.internal_errors]
    return {
        "customers": args.customers,
        "messages": args.messages,
        "repeat": args.repeat,
        "notes": notes,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "emulator_internal_errors": internal,
        "reps": [
            [
                {
                    "bot": m.bot,
                    "phases": {k: asdict(v) for k, v in m.phases.items()},
                    "api_errors": m.api_errors,
                    "log_errors": m.log_errors,
                    "exercised": m.exercised,
                }
                for m in rep
            ]
            for rep in reps
        ],
    }


# ----------------------------------------------------------------------------- the report
def medians(figures: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (bot, phase): the median of each figure over the repetitions; ``lost`` summed;
    ``db_ms`` (the database server's CPU per update) is ``None`` unless every repetition has it."""
    collected: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rep in figures["reps"]:
        for measured in rep:
            for phase, result in measured["phases"].items():
                collected.setdefault((measured["bot"], phase), []).append(result)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for key, results in collected.items():
        cpu = [r["bot_cpu_ms_per_update"] for r in results]
        server = [r.get("database_cpu_ms_per_update") for r in results]
        out[key] = {
            "cpu_ms": statistics.median(cpu),
            "cpu_min": min(cpu),
            "cpu_max": max(cpu),
            "db_ms": None if None in server else statistics.median(server),
            "updates_per_s": statistics.median(r["updates_per_s"] for r in results),
            "p50_ms": statistics.median(r["p50_ms"] for r in results),
            "p99_ms": statistics.median(r["p99_ms"] for r in results),
            "rss_mb": statistics.median(r["peak_rss_mb"] for r in results),
            "lost": sum(r["missing"] for r in results),
            "messages": sum(r["messages"] for r in results),
            "startup_s": statistics.median(r["startup_s"] for r in results),
        }
    return out


def ratios(table: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets' ratios of the bots' own CPU per update; ``with_server`` the same with each
    PostgreSQL bot's database server added (``None`` where that could not be measured)."""
    found = []
    for (phase, ours, reference), target in TARGETS.items():
        if (ours, phase) in table and (reference, phase) in table:
            mine, theirs = table[ours, phase], table[reference, phase]
            ratio = mine["cpu_ms"] / theirs["cpu_ms"]
            mine_all, theirs_all = all_in(ours, mine), all_in(reference, theirs)
            on_server = on_postgresql(ours) or on_postgresql(reference)
            with_server = (
                None
                if mine_all is None or theirs_all is None or not on_server
                else mine_all / theirs_all
            )
            found.append(
                {
                    "phase": phase,
                    "ours": ours,
                    "reference": reference,
                    "ratio": ratio,
                    "target": target,
                    "met": ratio <= target,
                    "with_server": with_server,
                }
            )
    return found


def all_in(bot: str, row: dict[str, Any]) -> float | None:
    """A bot's CPU per update with its database server's added; ``None`` if that is unknown."""
    if not on_postgresql(bot):
        return float(row["cpu_ms"])  # the echo bot has no database, SQLite's is in the process
    return None if row["db_ms"] is None else float(row["cpu_ms"] + row["db_ms"])


def report(figures: dict[str, Any]) -> None:
    table = medians(figures)
    print(
        f"Peers: {figures['customers']} customers x {figures['messages']} messages per bot and "
        f"phase, {figures['repeat']} interleaved repetitions, one emulator (rate limits off); "
        f"medians (CPU: median [min-max]). Load average before/after: "
        f"{' '.join(f'{x:.2f}' for x in figures['load_before'])} / "
        f"{' '.join(f'{x:.2f}' for x in figures['load_after'])}."
    )
    for note in figures["notes"]:
        print(note)
    print()
    header = (
        f"{'phase':<7} {'bot':<19} {'CPU ms/update':>21} {'DB ms':>6} {'updates/s':>9} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'RSS MB':>6} {'lost':>9} {'start s':>7}"
    )
    print(header)
    for (bot, phase), row in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        cpu = f"{row['cpu_ms']:.2f} [{row['cpu_min']:.2f}-{row['cpu_max']:.2f}]"
        server = "-" if row["db_ms"] is None else f"{row['db_ms']:.2f}"
        lost = f"{row['lost']:.0f}/{row['messages']:.0f}"
        print(
            f"{phase:<7} {bot:<19} {cpu:>21} {server:>6} {row['updates_per_s']:>9.0f} "
            f"{row['p50_ms']:>7.1f} {row['p99_ms']:>7.1f} {row['rss_mb']:>6.0f} {lost:>9} "
            f"{row['startup_s']:>7.1f}"
        )
    print()
    for found in ratios(table):
        verdict = "met" if found["met"] else "NOT met"
        with_server = found["with_server"]
        also = "" if with_server is None else f"; bot + database server: {with_server:.2f}"
        print(
            f"{found['phase']}: CPU per update {found['ours']} / {found['reference']} = "
            f"{found['ratio']:.2f} (target <= {found['target']}: {verdict}){also}"
        )
    errors: dict[str, int] = {}
    for rep in figures["reps"]:
        for measured in rep:
            for error in measured["api_errors"]:
                key = f"{measured['bot']}: {error}"
                errors[key] = errors.get(key, 0) + 1
    print()
    if errors:
        print("Bot API errors the emulator answered:")
        for key, count in sorted(errors.items()):
            print(f"  {count} x {key}")
    else:
        print("Bot API errors the emulator answered: none")
    exercised = sorted({x for rep in figures["reps"] for m in rep for x in m["exercised"]})
    if exercised:
        print(
            "The peer's other paths (a new topic with an icon, a photo, its caption edited, a "
            "text edited, an operator's answer and its edit) called: " + ", ".join(exercised)
        )
    peer_log = [e for rep in figures["reps"] for m in rep for e in m["log_errors"]]
    if peer_log:
        print(f"Errors in the peer's log ({len(peer_log)}), first: {peer_log[0]}")
    if figures["emulator_internal_errors"]:
        print(f"Emulator internal errors: {figures['emulator_internal_errors'][:3]}")
    print(
        "CPU: the bot process's user+system time over the timed part of a phase, per customer "
        "message. DB: the same for the PostgreSQL server's processes, where the server runs on "
        "this machine (a bot on SQLite does its database work in its own process). Latency: "
        "update queued in the emulator -> the bot's copy in the topic (relay) or its first "
        "message to the customer (answer). RSS: the process's peak over its life. Lost: "
        f"no copy or answer within {REPLY_TIMEOUT_S:.0f} s."
    )


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--peer-dir",
        type=Path,
        default=REPO.parent / "shared" / "peers",
        help="where the peer's checkout is (default: ../shared/peers from the repository root)",
    )
    parser.add_argument("--no-peer", action="store_true", help="leave the peer out")
    parser.add_argument("--customers", type=int, default=50, help="concurrent customers")
    parser.add_argument("--messages", type=int, default=10, help="messages per customer")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--seed", type=int, default=7, help="seed for picking the questions")
    parser.add_argument(
        "--postgres", default=POSTGRES, help="an admin URL; a fresh database per bot and rep"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only (no peer)")
    parser.add_argument(
        "--bots",
        help="only these, comma-separated: echo, peer-postgresql, support-sqlite, "
        "support-postgresql (default: every one that can run)",
    )
    parser.add_argument(
        "--echo-frozen",
        action="store_true",
        help="the echo bot imports aiogram as the support bot does (types built on first use, "
        "the import's objects frozen): its figure without full collections of aiogram's models",
    )
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args(argv)
    if min(args.customers, args.messages, args.repeat) < 1:
        parser.error("--customers, --messages and --repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="supportbot-peers-") as scratch:
        figures = asyncio.run(benchmark(args, Path(scratch)))
    report(figures)
    summary = {f"{bot}/{phase}": row for (bot, phase), row in medians(figures).items()}
    figures["medians"] = summary
    figures["ratios"] = ratios(medians(figures))
    if args.json:
        print(json.dumps(figures, default=str))
    return figures


if __name__ == "__main__":
    main()
