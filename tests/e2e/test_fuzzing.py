"""Fuzzing the real aiogram runtime against the emulator (hypothesis): generated customers'
texts, media, edits and button presses, the operator's messages and presses, forged callback
data, member changes, unknown kinds and junk no library can parse. The bot must never log an
error while handling an update, never leave an update unconfirmed (stalling everyone behind
it), and react to every customer message; a canary customer's plain question after each batch
is answered. ``benchmarks/fuzz.py`` is the long version (10,000 updates)."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from bot.config import Settings
from intents import ContentHolder
from tests.e2e.fuzzing import Action, Outcome, batches, fuzzing

_databases = itertools.count(1)


async def play(
    base: Settings, brain: ContentHolder, database: Path, batch: list[Action]
) -> Outcome:
    outcome = Outcome()
    async with fuzzing(base, database, outcome, brain=brain, answer_s=5.0, stall_s=2.0) as fuzzer:
        await fuzzer.play(batch)
    return outcome


# aiogram warns of an update kind it does not know and skips it: graceful, not a crash
@pytest.mark.filterwarnings("ignore:Detected unknown update type:RuntimeWarning")
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: each example starts a bot
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(batch=batches(60))
def test_fuzzed_updates_never_crash_stall_or_go_unanswered(
    batch: list[Action], base_settings: Settings, brain: ContentHolder, tmp_path: Path
) -> None:
    database = tmp_path / f"fuzz-{next(_databases)}.sqlite3"
    outcome = asyncio.run(play(base_settings, brain, database, batch))
    assert outcome.updates > 0
    found = {"crashes": outcome.crashes, "stalls": outcome.stalls, "unanswered": outcome.unanswered}
    assert found == {"crashes": [], "stalls": [], "unanswered": []}
