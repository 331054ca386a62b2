"""The peer benchmark at a tiny load: it runs, every bot answers or relays every message, and no
Bot API call fails. Figures are not checked here (a loaded machine makes them noise); they come
from running ``benchmarks/peers.py`` by hand."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.pg import POSTGRES_URL, admin_connection

ROOT = Path(__file__).resolve().parents[2]
PEER_DIR = ROOT.parent / "shared" / "peers"


def run_benchmark(*args: str) -> dict[str, Any]:
    command = [sys.executable, str(ROOT / "benchmarks" / "peers.py"), "--json", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def check(figures: dict[str, Any], expected: set[str]) -> None:
    assert set(figures["medians"]) == expected
    for name, row in figures["medians"].items():
        assert row["lost"] == 0, name
        assert row["messages"] == 4, name
        assert row["cpu_ms"] > 0, name
    for measured in figures["reps"][0]:
        assert measured["api_errors"] == [], measured["bot"]
    assert figures["emulator_internal_errors"] == []


def test_echo_and_support_on_sqlite_and_a_missing_peer_skipped(tmp_path: Path) -> None:
    figures = run_benchmark(
        "--customers",
        "2",
        "--messages",
        "2",
        "--repeat",
        "1",
        "--no-postgres",
        "--peer-dir",
        str(tmp_path),
    )
    check(figures, {"echo/answer", "support-sqlite/answer", "support-sqlite/relay"})
    assert [r["phase"] for r in figures["ratios"]] == ["answer"]
    assert any(f"no peer checkout at {tmp_path}" in note for note in figures["notes"])


async def test_the_peer_relays_and_edits_without_api_errors() -> None:
    if not (PEER_DIR / "telegram-feedback-bot-topics" / "requirements.txt").is_file():
        pytest.skip(f"no peer checkout next to the repository ({PEER_DIR})")
    await (await admin_connection()).close()  # skips when PostgreSQL is down
    figures = run_benchmark(
        "--customers",
        "2",
        "--messages",
        "2",
        "--repeat",
        "1",
        "--bots",
        "peer-postgresql",
        "--postgres",
        POSTGRES_URL,
    )
    check(figures, {"peer-postgresql/relay"})
    [peer] = figures["reps"][0]
    assert {"createForumTopic", "copyMessage", "editMessageMedia", "editMessageText"} <= set(
        peer["exercised"]
    )
    assert peer["log_errors"] == []


def test_each_repetition_starts_with_the_next_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts its folders first
    spec = importlib.util.spec_from_file_location("peers", ROOT / "benchmarks" / "peers.py")
    assert spec is not None
    assert spec.loader is not None
    peers = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "peers", peers)
    spec.loader.exec_module(peers)
    bots = ["echo", "peer", "sqlite", "postgresql"]
    orders = [peers.turn_order(bots, rep) for rep in range(5)]
    assert [order[0] for order in orders] == ["echo", "peer", "sqlite", "postgresql", "echo"]
    assert all(sorted(order) == sorted(bots) for order in orders)
    assert peers.turn_order([], 3) == []
