"""The peer benchmark at a tiny load: it runs, every bot answers or relays every message, and no
Bot API call fails. Figures are not checked here (a loaded machine makes them noise); they come
from running ``benchmarks/peers.py`` by hand."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.benchmarks.running import ROOT, run_benchmark
from tests.pg import POSTGRES_URL, admin_connection

PEER_DIR = ROOT.parent / "shared" / "peers"


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
        "peers.py",
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


async def test_the_peer_relays_and_edits_without_api_errors(peers: ModuleType) -> None:
    if not (PEER_DIR / "telegram-feedback-bot-topics" / "requirements.txt").is_file():
        pytest.skip(f"no peer checkout next to the repository ({PEER_DIR})")
    await (await admin_connection()).close()  # skips when PostgreSQL is down
    figures = run_benchmark(
        "peers.py",
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
    server = figures["medians"]["peer-postgresql/relay"]["db_ms"]
    if peers.database_server_cpu_s(POSTGRES_URL) is None:  # not visible from here
        assert server is None
    else:  # read (how much, at 4 messages, may be below /proc's tick)
        assert server >= 0
    [peer] = figures["reps"][0]
    assert {"createForumTopic", "copyMessage", "editMessageMedia", "editMessageText"} <= set(
        peer["exercised"]
    )
    assert peer["log_errors"] == []


@pytest.fixture
def peers(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The benchmark script as a module."""
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script puts its folders first
    spec = importlib.util.spec_from_file_location("peers", ROOT / "benchmarks" / "peers.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "peers", module)
    spec.loader.exec_module(module)
    return module


def test_each_repetition_starts_with_the_next_bot(peers: ModuleType) -> None:
    bots = ["echo", "peer", "sqlite", "postgresql"]
    orders = [peers.turn_order(bots, rep) for rep in range(5)]
    assert [order[0] for order in orders] == ["echo", "peer", "sqlite", "postgresql", "echo"]
    assert all(sorted(order) == sorted(bots) for order in orders)
    assert peers.turn_order([], 3) == []


def fake_process(proc: Path, pid: int, comm: str, times: tuple[int, int, int, int]) -> None:
    folder = proc / str(pid)
    folder.mkdir()
    (folder / "comm").write_text(f"{comm}\n")
    head = f"{pid} ({comm}) S 1 {pid} {pid} 0 -1 4194560 100 0 0 0"
    (folder / "stat").write_text(f"{head} {' '.join(map(str, times))} 20 0 1 0\n")


def test_the_database_servers_cpu_sums_every_postgres_process_and_its_reaped_children(
    peers: ModuleType, tmp_path: Path
) -> None:
    tick = os.sysconf("SC_CLK_TCK")
    fake_process(tmp_path, 10, "postgres", (100, 50, 30, 20))  # the postmaster, backends reaped
    fake_process(tmp_path, 11, "postgres", (7, 3, 0, 0))  # a backend
    fake_process(tmp_path, 12, "python", (900, 900, 0, 0))  # not the server
    (tmp_path / "self").mkdir()
    (tmp_path / "13").mkdir()  # a process that ended while the folder was read
    local = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    assert peers.database_server_cpu_s(local, tmp_path) == pytest.approx(210 / tick)
    assert peers.database_server_cpu_s(local.replace("127.0.0.1", "db.example"), tmp_path) is None
    empty = tmp_path / "empty"
    empty.mkdir()
    assert peers.database_server_cpu_s(local, empty) is None


def test_ratios_with_the_database_server_added_only_where_a_bot_uses_postgresql(
    peers: ModuleType,
) -> None:
    def row(cpu: float, db: float | None) -> dict[str, Any]:
        return {"cpu_ms": cpu, "db_ms": db}

    table = {
        ("peer-postgresql", "relay"): row(4.0, 1.0),
        ("support-postgresql", "relay"): row(3.0, 2.0),
        ("support-sqlite", "relay"): row(2.5, None),
        ("echo", "answer"): row(1.0, None),
        ("support-sqlite", "answer"): row(2.0, None),
        ("support-postgresql", "answer"): row(3.0, None),  # a server elsewhere: not measured
    }
    found = {(r["phase"], r["ours"]): r for r in peers.ratios(table)}
    assert found["relay", "support-postgresql"]["ratio"] == pytest.approx(0.75)
    assert found["relay", "support-postgresql"]["with_server"] == pytest.approx(1.0)
    assert found["relay", "support-sqlite"]["with_server"] == pytest.approx(0.5)
    assert found["answer", "support-sqlite"]["with_server"] is None  # no server either side
    assert found["answer", "support-postgresql"]["with_server"] is None
    assert found["answer", "support-postgresql"]["met"] is True
