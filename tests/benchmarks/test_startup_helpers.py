"""The start-up benchmark's bookkeeping of bytecode caches and of a second checkout (its figures
are not checked here: they come from running ``benchmarks/startup.py`` by hand)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.fresh_python import run_python

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import startup  # noqa: E402


def _checkout(root: Path) -> Path:
    for package in startup.PACKAGES:
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("X = 1\n", encoding="utf-8")
    (root / "bot" / "config.py").write_text(
        "class MatchingSettings:\n    cache_dir: Path | None = None\n", encoding="utf-8"
    )
    return root


def test_compiling_gives_every_module_a_bytecode_cache(tmp_path: Path) -> None:
    root = _checkout(tmp_path / "checkout")
    modules = len(startup.PACKAGES) + 1
    assert startup.bytecode_cached(root) == (0, modules)
    startup.compile_packages(root)
    assert startup.bytecode_cached(root) == (modules, modules)


def test_a_cache_older_than_its_source_does_not_count(tmp_path: Path) -> None:
    root = _checkout(tmp_path / "checkout")
    startup.compile_packages(root)
    source = root / "kb" / "__init__.py"
    later = source.stat().st_mtime + 10
    os.utime(source, (later, later))
    cached, modules = startup.bytecode_cached(root)
    assert cached == modules - 1


def test_the_settings_point_at_the_measured_checkouts_content(tmp_path: Path) -> None:
    root = _checkout(tmp_path / "checkout")
    path = startup.write_settings(tmp_path, "http://emulator", "none", tmp_path / "c", root)
    text = path.read_text(encoding="utf-8")
    assert f'intents_dir = "{root / "intents" / "content"}"' in text
    assert f'cache_dir = "{tmp_path / "c"}"' in text
    (root / "bot" / "config.py").write_text("class MatchingSettings:\n    pass\n")
    older = startup.write_settings(tmp_path, "http://emulator", "none", tmp_path / "c", root)
    assert "\ncache_dir" not in older.read_text(encoding="utf-8")


def test_the_report_gives_both_checkouts_and_their_difference() -> None:
    row = dict.fromkeys(startup.KEYS, 1.0)
    faster = {**row, "first_answer_s": 0.5, "rss_peak_mb": 0.0}
    figures = {
        "encoder": "none",
        "runtime": "aiogram",
        "runs": 1,
        "messages": 5,
        "load_average": [0.5, 0.7],
        "checkouts": {
            "this": {"root": "a", "bytecode_cached": [3, 4], "cold": row, "warm": faster},
            "baseline": {"root": "b", "bytecode_cached": [0, 4], "cold": row, "warm": row},
        },
    }
    lines = startup.report(figures)
    assert "load average 0.50-0.70" in lines[0]
    assert any("bytecode caches for 3 of 4" in line for line in lines)
    (restart,) = [
        line for line in lines[lines.index("this - baseline (medians):") :] if "restart" in line
    ]
    assert "-0.50 s" in restart  # the first answer
    assert restart.endswith("-1 MB")  # the peak


def test_the_stages_report_gives_each_runs_figures_and_the_totals() -> None:
    figures = {
        "encoder": "none",
        "runs": 2,
        "load_average": [1.0, 2.0],
        "stages": [
            {"stage": "import aiogram", "cpu_s": [2.5, 2.4], "rss_added_mb": [134.0, 133.6]},
            {"stage": "core.resume()", "cpu_s": [0.01, 0.02], "rss_added_mb": [0.0, 0.0]},
        ],
        "cpu_total_s": [3.2, 3.1],
        "rss_total_mb": [265.1, 265.2],
    }
    lines = startup.report_stages(figures)
    assert "2 run(s) (1-min load average 1.00-2.00)" in lines[0]
    (aiogram,) = [line for line in lines if "import aiogram" in line]
    assert "2.50 / 2.40 s" in aiogram
    assert aiogram.endswith("134 / 134 MB")
    assert lines[-1].split() == ["total", "3.20", "/", "3.10", "s", "265", "/", "265", "MB"]


def test_the_questions_need_no_dictionary_after_a_restart_and_the_new_words_load_it(
    tmp_path: Path,
) -> None:
    """A restart builds the reader from the saved readings (no dictionary); the benchmark's
    questions keep it so, ``--new-words`` loads it with its first Russian question."""
    code = f"""
import json, sys
from pathlib import Path
sys.path.insert(0, {str(ROOT / "benchmarks")!r})
import startup
from bot.app import preload_readings, save_readings
from intents import load_content
from intents.matching.results import Decision
from intents.understanding import Context, Reader

folder = Path({str(tmp_path)!r})
preload_readings(folder)
content = load_content(
    Path({str(ROOT / "intents" / "content")!r}), Path({str(ROOT / "kb" / "articles")!r})
)
reader = Reader(content, lambda text, lang: Decision(text, lang, "unknown", None, None, 0.0, ()))
save_readings(folder)
loaded = []
for questions in (startup.QUESTIONS, startup.NEW_WORDS):
    for lang, texts in questions.items():
        for text in texts:  # no matcher here: only the reading of the words counts
            reader.understand(text, Context(language=lang))
    loaded.append("pymorphy3" in sys.modules)
print(json.dumps(loaded))
"""
    assert run_python(code)[0] == [True, True]  # it built the reader
    assert run_python(code)[0] == [False, True]  # the restart


def test_a_baseline_interpreter_needs_a_baseline_checkout() -> None:
    with pytest.raises(SystemExit) as stop:
        startup.parse_args(["--baseline-python", "python3"])
    assert stop.value.code == 2
