"""Fuzzing: generated updates through the real aiogram runtime against the emulator.

    python benchmarks/fuzz.py [--updates 10000] [--batch 20] [--seed 7] [--json]

The support bot runs in this process (``running_bot``, the sample configuration, a fresh SQLite
file, an operator forum group) against the emulator. Hypothesis generates batches of actions:
customers writing any text (commands with odd arguments, huge numbers, other scripts), media
with and without captions, edits, pressing the buttons they see, blocking and unblocking the bot;
the operator writing and pressing in the group; and updates injected as they are: callback
queries with forged data, messages from chats that do not exist, member changes, kinds the bot
never asked for, and junk no library can parse.

Three things are counted. A crash: an error logged while an update is handled (aiogram's
"Cause exception while process update" and every other ERROR record; not an update no library
can parse being parked as a dead letter, which is what the bot should do with it). A stall: an
update left unconfirmed for ``--stall`` seconds while the bot polls (it holds every customer
behind it; the fuzzer then drops it from the queue, names it, and goes on). Unanswered: a
customer's message (text or media, the bot not blocked) with no reaction within ``--answer``
seconds — a message in their chat, or in the topic of their ticket when an operator has it.
After every batch a canary customer asks a plain question and must be answered.

The generator and the runner are ``tests/e2e/fuzzing.py``, shared with the CI test
(``tests/e2e/test_fuzzing.py``, a few hundred updates).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from tests.e2e.fuzzing import Outcome, draw_batches, fuzzing  # noqa: E402 - after the path


# ----------------------------------------------------------------------------- the benchmark
async def benchmark(args: argparse.Namespace, scratch: Path) -> Outcome:
    from bot.config import load_settings

    outcome = Outcome()
    base = load_settings(REPO / "config.example.toml")
    async with fuzzing(
        base, scratch / "fuzz.sqlite3", outcome, answer_s=args.answer, stall_s=args.stall
    ) as fuzzer:
        # the polling loop's "Failed to fetch updates" (with the whole batch) is a stall, counted
        logging.getLogger("aiogram.dispatcher").setLevel(logging.CRITICAL)
        began = time.monotonic()
        round_seed = args.seed
        while outcome.updates < args.updates:
            wanted = (args.updates - outcome.updates) // args.batch + 1
            for batch in draw_batches(wanted, args.batch, round_seed):
                await fuzzer.play(batch)
                if fuzzer.outcome.actions // args.batch % 10 == 0:
                    print(
                        f"fuzz: {outcome.updates} updates, {len(outcome.stalls)} stalls, "
                        f"{len(outcome.unanswered)} unanswered ({time.monotonic() - began:.0f} s)",
                        file=sys.stderr,
                        flush=True,
                    )
                if outcome.updates >= args.updates:
                    break
            round_seed += 1
    return outcome


def report(outcome: Outcome, *, as_json: bool, show: int = 8) -> None:
    print(
        f"Fuzz: {outcome.updates} updates from {outcome.actions} generated actions through the "
        "aiogram runtime against the emulator."
    )
    rows = [
        ("updates", outcome.updates),
        ("customer messages", outcome.customer_messages),
        ("crashes (errors logged)", len(outcome.crashes)),
        ("stalls (an update never confirmed)", len(outcome.stalls)),
        ("customer messages unanswered", len(outcome.unanswered)),
        ("  of which the canary's", outcome.canary_unanswered),
        ("errors logged that are no crash", len(outcome.tolerated)),
    ]
    for label, value in rows:
        print(f"{label:<36} {value:>6}")
    for label, lines in (
        ("crashes", outcome.crashes),
        ("stalls", outcome.stalls),
        ("unanswered", outcome.unanswered),
    ):
        distinct = sorted(set(lines), key=lines.index)
        if distinct:
            print(f"{label} ({len(lines)}, {len(distinct)} distinct):")
            for line in distinct[:show]:
                print(f"  {line}")
    if as_json:
        print(json.dumps(asdict(outcome)))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=10_000, help="stop after this many")
    parser.add_argument("--batch", type=int, default=20, help="actions between canary checks")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--answer", type=float, default=5.0, help="seconds a customer waits")
    parser.add_argument(
        "--stall", type=float, default=3.0, help="seconds an update may stay unconfirmed"
    )
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="[bot] %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="supportbot-fuzz-") as scratch:
        outcome = asyncio.run(benchmark(args, Path(scratch)))
    report(outcome, as_json=args.json)
    return 1 if outcome.crashes or outcome.stalls or outcome.unanswered else 0


if __name__ == "__main__":
    sys.exit(main())
