from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.commands import Context, content
from tests.matching.conftest import CONTENT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="supportbot")
    content.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args, Context(config_path=None))
    out, err = capsys.readouterr()
    return code, out, err


DIRS = ["--intents", str(CONTENT / "intents"), "--kb", str(CONTENT / "kb")]


def test_check_ok_and_failing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["check", *DIRS], capsys)[0] == 0
    shutil.copytree(CONTENT / "intents", tmp_path / "i")
    (tmp_path / "i" / "bad.yaml").write_text("intents:\n  - id: Bad Id\n", encoding="utf-8")
    code, _, err = run(
        ["check", "--intents", str(tmp_path / "i"), "--kb", str(CONTENT / "kb")], capsys
    )
    assert code == 1
    assert f"{tmp_path / 'i' / 'bad.yaml'}:2: id must be lowercase" in err


def test_ask_json_shape(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("где мой заказ\n\nhello\n"))
    code, out, _ = run(["ask", *DIRS, "--json", "-"], capsys)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["text"] for r in rows] == ["где мой заказ", "hello"]
    first = rows[0]
    assert set(first) == {"text", "lang", "action", "intent", "article", "score", "candidates"}
    assert (first["lang"], first["action"], first["intent"]) == ("ru", "answer", "order_status")
    assert all(set(c) == {"id", "score"} for c in first["candidates"])


def test_ask_words_form_one_message(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["ask", *DIRS, "--json", "--lang", "en", "where", "is", "my", "order"], capsys
    )
    assert code == 0
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["text"] == "where is my order"
    assert row["lang"] == "en"


def _tiny_clinc(path: Path, with_test: bool) -> Path:
    words = {
        "balance": "how much money is in my account",
        "weather": "is it raining outside",
        "timer": "set a timer for ten minutes",
    }
    data: dict[str, list[list[str]]] = {"train": [], "val": [], "oos_train": [], "oos_val": []}
    for label, text in words.items():
        data["train"] += [[f"{text} {i}", label] for i in range(6)]
        data["val"] += [[f"{text} please", label]]
    data["oos_train"] = [["who won the game", "oos"], ["play a song", "oos"], ["hi there", "oos"]]
    data["oos_val"] = [["recommend a movie", "oos"]]
    if with_test:
        data["test"], data["oos_test"] = data["val"], data["oos_val"]
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_bench_clinc_json_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _tiny_clinc(tmp_path / "data_full.json", with_test=True)
    code, out, _ = run(["bench", "clinc150", "--data", str(data), "--split", "test"], capsys)
    assert code == 0
    engine, ensemble = (json.loads(line) for line in out.strip().splitlines()[-2:])
    assert (engine["model"], ensemble["model"]) == ("engine", "ensemble")
    for result in (engine, ensemble):
        assert set(result) >= {
            "in_scope_accuracy",
            "oos_recall",
            "threshold",
            "train_s",
            "p50_ms",
            "p99_ms",
            "rss_mb",
        }
        assert 0.0 <= result["in_scope_accuracy"] <= 1.0
    assert "mix" in ensemble
    assert "in-scope accuracy" in out  # the side-by-side table


def test_bench_engine_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _tiny_clinc(tmp_path / "data_full.json", with_test=False)
    code, out, _ = run(["bench", "clinc150", "--data", str(data), "--encoder", "none"], capsys)
    assert code == 0
    [result] = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert result["model"] == "engine"


def test_bench_clinc_without_test_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _tiny_clinc(tmp_path / "trainval.json", with_test=False)
    code, _, err = run(["bench", "clinc150", "--data", str(data), "--split", "test"], capsys)
    assert code == 2
    assert "no 'test' split" in err


def test_bench_banking_holdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["text,category"]
    for label, text in (("card_arrival", "where is my new card"), ("top_up", "top up my account")):
        lines += [f"{text} number {i},{label}" for i in range(10)]
    (tmp_path / "train.csv").write_text("\n".join(lines), encoding="utf-8")
    train = str(tmp_path / "train.csv")
    code, out, _ = run(["bench", "banking77", "--train", train, "--holdout", "0.2"], capsys)
    assert code == 0
    for line in out.strip().splitlines()[-2:]:
        result = json.loads(line)
        assert result["accuracy"] == 1.0
        assert {"threshold", "train_s", "p50_ms", "p99_ms", "rss_mb"} <= set(result)
    assert re.search(r"test examples +4 +4\n", out)  # 20 % of 20, for both models
    code, _, err = run(["bench", "banking77", "--train", train, "--holdout", "1.5"], capsys)
    assert code == 2
    assert "--holdout must be between 0 and 1" in err


def test_eval_phrases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    phrases = tmp_path / "phrases.en.txt"
    phrases.write_text(
        "# labelled messages\norder_status | where is my order\nthanks | thank you\n", "utf-8"
    )
    argv = ["eval", *DIRS, "--folds", "2", "--encoder", "none", "--phrases", str(phrases)]
    code, out, _ = run(argv, capsys)
    assert code == 0
    assert "[phrases.en.txt, engine] 2 phrases: right 2 (100%)" in out
    phrases.write_text("no_such_intent | hello\n", "utf-8")
    code, _, err = run(argv, capsys)
    assert code == 1
    assert "phrases.en.txt:1: unknown intent 'no_such_intent'" in err
