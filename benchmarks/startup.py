"""How long the bot takes to start and how much memory it holds, as ``supportbot run`` starts it.

    python benchmarks/startup.py [--runs 3] [--messages 50] [--encoder none|use]
                                 [--runtime aiogram|ptb] [--baseline DIR] [--compile]
                                 [--importtime FILE] [--new-words] [--json]

Each run starts the Telegram emulator in this process and ``supportbot run`` as a child process
(``python -m bot run``, the same entry point as ``./dev run`` and the installed ``supportbot``)
with a settings file holding only what points it at the emulator: the API URL, a fresh SQLite
file, ``[matching] encoder`` (``none``: the n-gram matcher, the default) and a matcher cache
folder of its own. Everything else is the embedded defaults and the sample content.

A customer's question is queued before the process starts; the run measures the wall time from
spawning the process until

- its first ``getUpdates`` (it polls), and
- its answer to that question reaches the chat (it works);

then the CPU time the process used until then (steadier than the wall time on a busy machine),
the resident set (``VmRSS``) after that first answer, and again after ``--messages`` more
questions from ten customers have all been answered, and the peak resident set (``VmHWM``) by
then. Two kinds of run: a first start (an empty
cache folder and no database: the schema is created, the matcher trained and stored, and the
Russian dictionary's readings of the content's words saved) and a restart (the cache of the first
start, a database already at the current schema: the matcher is loaded from disk and the reader
built from the saved readings, without loading the dictionary). The questions are words of the
sample content, so a restart answers them without the dictionary; ``--new-words`` asks Russian
questions with words the content does not have (another inflection, another town, a typo), and
the first of them loads it, as real traffic soon does. Medians over ``--runs`` runs of each
kind, the two kinds interleaved, each pair with a fresh cache folder.

``--baseline DIR`` measures a second checkout of the project too (an older commit, e.g. from
``git worktree add DIR COMMIT``): the bot then imports the packages of DIR (``PYTHONPATH``, same
virtualenv, or the interpreter of ``--baseline-python``, e.g. a virtualenv with DIR's
dependencies, to measure a change of them) and reads DIR's sample content; its runs are
interleaved with this checkout's, run by run, so both see the same load on a shared machine, and
the report ends with the differences.

Python compiles a module whose bytecode cache (``__pycache__``) is missing or stale each time it
imports it, and writes no cache when ``PYTHONDONTWRITEBYTECODE`` is set. An installed bot has its
caches (``pip install`` compiles what it installs), but a checkout in such an environment compiles
the bot's ~170 modules at every start. The report says how many of the bot's modules had a cache;
``--compile`` writes them first (``compileall``, as an installation does).

``--stages`` measures instead where a restart's CPU time and memory go: each run is a fresh
process that does what ``supportbot run`` does up to its first ``getUpdates``, one stage after the
other (the settings, the imports of aiogram, of SQLAlchemy and storage, of numpy, of the rest of
the bot, loading the content and the cached matcher, the rest of ``build_app`` with the reader,
``core.resume()``), and notes the CPU time of the process (all threads) and its ``VmRSS`` after
each; a first, unmeasured run trains and caches the matcher and creates the database.

``--importtime FILE`` runs the bot under ``python -X importtime`` and writes what the last
restart imported, and what each import cost, to FILE: where a restart's time goes (the figures
of such a run are inflated by the measuring itself).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


TOKEN = "123456:STARTUP-BENCHMARK"
QUESTIONS = {
    "en": ["where is my order", "how do I return an item", "what payment methods do you accept"],
    "ru": ["где мой заказ", "как вернуть товар", "какие способы оплаты"],
}
# --new-words: Russian questions with words the sample content does not have (another
# inflection, another town, a typo), as real traffic soon brings: the reader then loads the
# Russian dictionary, which a restart with the content's saved readings does not load before
NEW_WORDS = {
    "en": QUESTIONS["en"],
    "ru": ["хочу вернуть куртку", "доставка в томск", "где мой заказик"],
}
START_TIMEOUT = 120.0


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """The process's resident set now (``VmRSS``) or its peak so far (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for process {pid}: is this Linux?")


PACKAGES = ("bot", "intents", "kb", "storage", "handoff")  # what the bot's process imports


def _has_matcher_cache(root: Path) -> bool:
    """Whether the checkout at ``root`` knows ``[matching] cache_dir`` (the benchmark also
    measures the versions before it, for a before/after comparison)."""
    return "    cache_dir: Path" in (root / "bot" / "config.py").read_text(encoding="utf-8")


def bytecode_cached(root: Path) -> tuple[int, int]:
    """How many of the bot's modules in the checkout at ``root`` have a bytecode cache at least
    as new as their source, and how many modules there are."""
    sources = [path for package in PACKAGES for path in (root / package).rglob("*.py")]
    cached = 0
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
            cached += 1
    return cached, len(sources)


def compile_packages(root: Path) -> None:
    """Write the bytecode caches of the bot's modules, as installing the project does."""
    for package in PACKAGES:
        if not compileall.compile_dir(root / package, quiet=1):
            raise RuntimeError(f"compileall failed in {root / package}")


def cpu_s(pid: int) -> float:
    """The process's CPU time so far (user + system), in seconds: on a busy machine a steadier
    figure than the wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def write_settings(
    folder: Path, api_url: str, encoder: str, cache: Path, root: Path = REPO
) -> Path:
    path = folder / "config.toml"
    content = {
        "intents_dir": root / "intents" / "content",
        "kb_dir": root / "kb" / "articles",
        "templates_dir": root / "kb" / "templates",
        "texts_dir": root / "bot" / "texts",
    }
    lines = [
        "[telegram]",
        f'api_url = "{api_url}"',
        "[database]",
        f'url = "sqlite+aiosqlite:///{folder / "bot.sqlite3"}"',
        "[matching]",
        f'encoder = "{encoder}"',
        *(f'cache_dir = "{cache}"' for _ in range(1) if _has_matcher_cache(root)),
        f'embedding_cache_dir = "{cache / "embeddings"}"',
        "[content]",
        *(f'{key} = "{value}"' for key, value in content.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def one_run(
    encoder: str,
    cache: Path,
    messages: int,
    *,
    restart: bool,
    runtime: str = "aiogram",
    importtime: Path | None = None,
    root: Path = REPO,
    questions: dict[str, list[str]] = QUESTIONS,
    python: str = sys.executable,
) -> dict[str, float]:
    from telegram_emulator import TelegramEmulator  # here: --stages children stay without it

    folder = Path(tempfile.mkdtemp(prefix="startup-bench-"))
    errors = folder / "stderr.txt"  # a file, not a pipe: nothing reads it while the bot runs
    try:
        if restart:  # the database exists, at the current schema, as on any restart
            from storage import Database

            async with Database.connect(f"sqlite+aiosqlite:///{folder / 'bot.sqlite3'}") as db:
                await db.create_schema()
        async with TelegramEmulator(token=TOKEN) as tg:
            config = write_settings(folder, tg.url, encoder, cache, root)
            first = tg.add_user("First", language_code="en")
            await first.send("where is my order")
            env = {**os.environ, "SUPPORTBOT_TOKEN": TOKEN}
            env.pop("SUPPORTBOT_CONFIG", None)
            if root != REPO:  # the other checkout's packages before the installed ones
                env["PYTHONPATH"] = os.pathsep.join(
                    filter(None, [str(root), env.get("PYTHONPATH")])
                )
            started = time.perf_counter()
            with errors.open("wb") as stderr:
                process = await asyncio.create_subprocess_exec(
                    python,
                    *(("-X", "importtime") if importtime else ()),
                    "-m",
                    "bot",
                    "--config",
                    str(config),
                    "run",
                    "--log-level",
                    "WARNING",
                    "--runtime",
                    runtime,
                    cwd=folder,
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=stderr,
                )
            try:
                polled = answered = 0.0
                deadline = started + START_TIMEOUT
                while not (polled and answered):
                    if process.returncode is not None:
                        error = errors.read_text(errors="replace")[-5000:]
                        raise RuntimeError(f"the bot exited with {process.returncode}:\n{error}")
                    if time.perf_counter() > deadline:
                        raise RuntimeError(f"the bot did not answer within {START_TIMEOUT:.0f} s")
                    now = time.perf_counter() - started
                    if not polled and tg.calls_to("getUpdates"):
                        polled = now
                    if not answered and tg.bot_messages(first.chat_id):
                        answered = now
                    await asyncio.sleep(0.005)
                rss_started = rss_mb(process.pid)
                cpu_started = cpu_s(process.pid)
                customers = [
                    tg.add_user(f"Customer {n}", language_code=("en", "ru")[n % 2])
                    for n in range(10)
                ]
                for n in range(messages):
                    customer = customers[n % len(customers)]
                    pool = questions[("en", "ru")[customers.index(customer) % 2]]
                    await customer.send(pool[n % len(pool)])
                for customer in customers:
                    sent = sum(1 for n in range(messages) if customers[n % 10] is customer)
                    if sent:
                        await tg.wait_for_bot_messages(customer.chat_id, sent, timeout=60)
                rss_after = rss_mb(process.pid)
                rss_peak = rss_mb(process.pid, "VmHWM")
            finally:
                if process.returncode is None:
                    process.send_signal(signal.SIGINT)
                try:
                    await asyncio.wait_for(process.wait(), 30)
                except TimeoutError:
                    process.kill()
                    await process.wait()
        if importtime and restart:
            shutil.copyfile(errors, importtime)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "polls_s": polled,
        "first_answer_s": answered,
        "cpu_started_s": cpu_started,
        "rss_started_mb": rss_started,
        "rss_after_mb": rss_after,
        "rss_peak_mb": rss_peak,
    }


def run_stages(config: Path) -> list[tuple[str, float, float]]:
    """A restart of ``supportbot run`` up to its first ``getUpdates``, stage by stage, in this
    (fresh) process: each stage's name, the process's CPU time and ``VmRSS`` (MB) after it."""
    marks: list[tuple[str, float, float]] = []

    def mark(stage: str) -> None:
        marks.append((stage, time.process_time(), rss_mb(os.getpid())))

    mark("interpreter")
    import bot.cli
    from bot.config import load_settings

    bot.cli.build_parser()
    settings = load_settings(config)
    mark("command line and settings")
    from bot.commands.service import collector_paused

    with collector_paused():  # as supportbot run imports the runtime and the composition root
        from bot.runtime.aiogram.lazy_models import import_aiogram

        import_aiogram()  # as the aiogram runtime imports it: its types built when first used
        mark("import aiogram")
        import sqlalchemy.ext.asyncio  # noqa: F401

        import storage.database  # noqa: F401

        mark("import SQLAlchemy and storage")
        import numpy  # noqa: F401

        mark("import numpy")
        from bot.app import build_app, load_brain
        from bot.runtime.aiogram import AiogramOutbox, make_bot

        mark("import the rest of the bot")

    async def start() -> None:
        brain = await load_brain(settings)
        mark("load_brain: content, cached matcher")
        telegram = make_bot(TOKEN, settings.telegram.api_url)
        try:
            async with build_app(settings, AiogramOutbox(telegram), brain=brain) as app:
                mark("build_app: database, texts, reader")
                await app.core.resume()
                mark("core.resume()")
        finally:
            await telegram.session.close()

    asyncio.run(start())
    return marks


def measure_stages(args: argparse.Namespace) -> dict[str, Any]:
    """``--runs`` fresh processes running :func:`run_stages` after one that fills the caches."""
    folder = Path(tempfile.mkdtemp(prefix="startup-stages-"))
    try:
        config = write_settings(folder, "http://127.0.0.1:9", args.encoder, folder / "cache")
        command = [sys.executable, str(Path(__file__).resolve()), "--stages-child", str(config)]
        env = {key: value for key, value in os.environ.items() if key != "SUPPORTBOT_CONFIG"}
        runs: list[list[tuple[str, float, float]]] = []
        loads: list[float] = []
        for n in range(args.runs + 1):
            loads.append(os.getloadavg()[0])
            done = subprocess.run(
                command, cwd=folder, env=env, capture_output=True, text=True, timeout=600
            )
            if done.returncode != 0:
                raise RuntimeError(f"the stages process failed:\n{done.stderr[-5000:]}")
            if n:  # the first one trained the matcher and created the database
                runs.append([tuple(mark) for mark in json.loads(done.stdout.splitlines()[-1])])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    names = [stage for stage, _, _ in runs[0]]
    rows = []
    for index, stage in enumerate(names):
        before = [run[index - 1] if index else (stage, 0.0, 0.0) for run in runs]
        rows.append(
            {
                "stage": stage,
                "cpu_s": [
                    round(run[index][1] - b[1], 3) for run, b in zip(runs, before, strict=True)
                ],
                "rss_added_mb": [
                    round(run[index][2] - b[2], 1) for run, b in zip(runs, before, strict=True)
                ],
            }
        )
    return {
        "encoder": args.encoder,
        "runs": args.runs,
        "load_average": [round(min(loads), 2), round(max(loads), 2)],
        "stages": rows,
        "cpu_total_s": [round(run[-1][1], 3) for run in runs],
        "rss_total_mb": [round(run[-1][2], 1) for run in runs],
    }


def report_stages(figures: dict[str, Any]) -> list[str]:
    low, high = figures["load_average"]
    lines = [
        f"a restart up to the first getUpdates, stage by stage, encoder={figures['encoder']}, "
        f"{figures['runs']} run(s) (1-min load average {low:.2f}-{high:.2f}):",
        f"  {'stage':<38}{'CPU (each run)':<28}{'RSS added (each run)'}",
    ]
    for row in figures["stages"]:
        cpu = " / ".join(f"{value:.2f}" for value in row["cpu_s"])
        rss = " / ".join(f"{value:.0f}" for value in row["rss_added_mb"])
        lines.append(f"  {row['stage']:<38}{cpu + ' s':<28}{rss} MB")
    cpu = " / ".join(f"{value:.2f}" for value in figures["cpu_total_s"])
    rss = " / ".join(f"{value:.0f}" for value in figures["rss_total_mb"])
    lines.append(f"  {'total':<38}{cpu + ' s':<28}{rss} MB")
    return lines


KEYS = (
    "polls_s",
    "first_answer_s",
    "cpu_started_s",
    "rss_started_mb",
    "rss_after_mb",
    "rss_peak_mb",
)


def median(rows: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(row[key] for row in rows), 2)


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    roots = {"this": REPO}
    pythons = {"this": sys.executable}
    if args.baseline:
        roots["baseline"] = args.baseline.resolve()
        # absolute, not resolved: a virtualenv's python is a link its base interpreter resolves
        # to; and the processes run in another folder, where a relative path means nothing
        pythons["baseline"] = str((args.baseline_python or Path(sys.executable)).absolute())
    if args.compile:
        for root in roots.values():
            compile_packages(root)
    rows: dict[str, dict[str, list[dict[str, float]]]] = {
        name: {"cold": [], "warm": []} for name in roots
    }
    loads: list[float] = []
    for _ in range(args.runs):
        for name, root in roots.items():  # interleaved: a pair of runs of each checkout in turn
            cache = Path(tempfile.mkdtemp(prefix="startup-cache-"))
            try:
                for kind, restart in (("cold", False), ("warm", True)):
                    loads.append(os.getloadavg()[0])
                    rows[name][kind].append(
                        await one_run(
                            args.encoder,
                            cache,
                            args.messages,
                            restart=restart,
                            runtime=args.runtime,
                            importtime=args.importtime if name == "this" else None,
                            root=root,
                            questions=NEW_WORDS if args.new_words else QUESTIONS,
                            python=pythons[name],
                        )
                    )
            finally:
                shutil.rmtree(cache, ignore_errors=True)
    figures: dict[str, Any] = {
        "encoder": args.encoder,
        "runtime": args.runtime,
        "runs": args.runs,
        "messages": args.messages,
        "new_words": args.new_words,
        "load_average": [round(min(loads), 2), round(max(loads), 2)],
        "checkouts": {},
    }
    for name, root in roots.items():
        cached, modules = bytecode_cached(root)
        figures["checkouts"][name] = {
            "root": str(root),
            "python": pythons[name],
            "bytecode_cached": [cached, modules],
            "cold": {key: median(rows[name]["cold"], key) for key in KEYS},
            "warm": {key: median(rows[name]["warm"], key) for key in KEYS},
            "all": rows[name],
        }
    return figures


def report(figures: dict[str, Any]) -> list[str]:
    low, high = figures["load_average"]
    lines = [
        f"supportbot run --runtime {figures['runtime']}, sample content, SQLite, "
        f"encoder={figures['encoder']}, "
        f"{'questions with new words, ' if figures.get('new_words') else ''}"
        f"median of {figures['runs']} run(s) each (1-min load average {low:.2f}-{high:.2f}):",
    ]
    checkouts = figures["checkouts"]
    for name, checkout in checkouts.items():
        cached, modules = checkout["bytecode_cached"]
        lines += [
            f"{name} checkout ({checkout['root']}, {checkout.get('python', 'python')}; "
            f"bytecode caches for {cached} of "
            f"{modules} modules after the runs):",
            f"  {'':<31}{'polls':>9}{'1st answer':>12}{'CPU then':>10}{'RSS started':>13}"
            f"{'RSS +' + str(figures['messages']) + ' msgs':>14}{'peak':>9}",
        ]
        for kind, label in (
            ("cold", "first start (no cache, no db)"),
            ("warm", "restart (cache, db exist)"),
        ):
            row = checkout[kind]
            lines.append(
                f"  {label:<31}{row['polls_s']:>7.2f} s{row['first_answer_s']:>10.2f} s"
                f"{row['cpu_started_s']:>8.2f} s"
                f"{row['rss_started_mb']:>10.0f} MB{row['rss_after_mb']:>11.0f} MB"
                f"{row['rss_peak_mb']:>6.0f} MB"
            )
    if "baseline" in checkouts:
        lines.append("this - baseline (medians):")
        for kind, label in (("cold", "first start"), ("warm", "restart")):
            this, base = checkouts["this"][kind], checkouts["baseline"][kind]
            lines.append(
                f"  {label:<31}"
                f"{this['polls_s'] - base['polls_s']:>+7.2f} s"
                f"{this['first_answer_s'] - base['first_answer_s']:>+10.2f} s"
                f"{this['cpu_started_s'] - base['cpu_started_s']:>+8.2f} s"
                f"{this['rss_started_mb'] - base['rss_started_mb']:>+10.0f} MB"
                f"{this['rss_after_mb'] - base['rss_after_mb']:>+11.0f} MB"
                f"{this['rss_peak_mb'] - base['rss_peak_mb']:>+6.0f} MB"
            )
    return lines


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="runs of each kind (cold, warm)")
    parser.add_argument("--messages", type=int, default=50, help="questions after the first one")
    parser.add_argument(
        "--encoder", choices=["none", "use"], default="none", help="[matching] encoder"
    )
    parser.add_argument(
        "--runtime",
        choices=["aiogram", "ptb"],
        default="aiogram",
        help="supportbot run --runtime (default: aiogram, as supportbot run)",
    )
    parser.add_argument(
        "--new-words",
        action="store_true",
        help="the --messages questions in Russian carry words the content does not have "
        "(the reader then loads the Russian dictionary, as real traffic makes it)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="also measure the checkout in DIR (e.g. git worktree add DIR COMMIT), interleaved",
    )
    parser.add_argument(
        "--baseline-python",
        type=Path,
        metavar="PYTHON",
        help="the baseline's interpreter (another virtualenv, for a change of dependencies); "
        "default: this one",
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="write the bot modules' bytecode caches first (compileall), as installing does",
    )
    parser.add_argument(
        "--importtime",
        type=Path,
        metavar="FILE",
        help="run the bot under python -X importtime; the last restart's report goes to FILE",
    )
    parser.add_argument(
        "--stages",
        action="store_true",
        help="where a restart's CPU and memory go, stage by stage, instead of the runs above",
    )
    parser.add_argument("--stages-child", type=Path, metavar="CONFIG", help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args(argv)
    if args.baseline_python is not None and args.baseline is None:
        parser.error("--baseline-python is the interpreter of --baseline DIR: give both")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.stages_child:  # one process of --stages
        print(json.dumps(run_stages(args.stages_child)))
        return
    if args.stages:
        figures = measure_stages(args)
        print("\n".join(report_stages(figures)))
    else:
        figures = asyncio.run(measure(args))
        print("\n".join(report(figures)))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
