"""``supportbot report --html`` on a history generated through the real core, opened in a real
headless Chromium: it renders, logs nothing to the console, and shows every chart."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image

from bot.commands import Context
from bot.commands import report as command
from bot.reports.charts import BOT, PEOPLE
from tests.reports.browser import open_page
from tests.reports.conftest import Generated

CHARTS = ("trend", "reasons", "first_response", "causes", "csat")


def run(argv: list[str], config: Path) -> int:
    parser = argparse.ArgumentParser(prog="supportbot")
    command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args, Context(config_path=config))
    return code


@pytest.fixture(scope="module")
def page(generated: Generated, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("page") / "report.html"
    until = generated.plan.end.isoformat()
    days = str(generated.plan.days)
    assert run(["report", "--html", str(path), "--days", days, "--until", until],
               generated.config) == 0  # fmt: skip
    return path


def pixels_of(screenshot: np.ndarray, colour: str) -> int:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return int((np.abs(screenshot[:, :, :3] - rgb).max(axis=2) < 0.02).sum())


def test_the_page_is_self_contained(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg ") == len(CHARTS)
    assert [m for m in re.findall(r'(?:src|href)="([^"]*)"', html)
            if not m.startswith(("data:", "#"))] == []  # fmt: skip
    assert "<link" not in html
    assert "@import" not in html
    assert re.findall(r"url\((?!#)", html) == []


def test_the_browser_renders_every_chart_without_console_errors(page: Path, tmp_path: Path) -> None:
    opened = open_page(page, tmp_path)
    assert opened.console == []
    assert f'data-charts-shown="{len(CHARTS)}"' in opened.dom  # each chart laid out with a size
    for key in CHARTS:
        assert f'id="chart-{key}"' in opened.dom
    assert "Resolved by the bot" in opened.dom
    shot = image.imread(str(opened.screenshot))
    # the bars are on screen: thousands of pixels in the bot's and the people's colours
    assert pixels_of(shot, BOT) > 5000
    assert pixels_of(shot, PEOPLE) > 2000


def test_the_console_check_catches_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>",
        encoding="utf-8",
    )
    opened = open_page(broken, tmp_path)
    assert any("undefinedFunction is not defined" in line for line in opened.console)


def test_the_generated_history_looks_like_a_desk(generated: Generated) -> None:
    totals = generated.totals
    assert totals.conversations > 100
    assert totals.tickets > 10
    assert set(totals.by_story) == {"question", "ask_person", "automatic", "gap", "greeting",
                                    "repeat"}  # fmt: skip


def test_gaps_on_the_generated_history_groups_the_planted_topics(
    generated: Generated, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fragment = tmp_path / "gaps.yaml"
    until = generated.plan.end.isoformat()
    days = str(generated.plan.days)
    assert run(["gaps", "--days", days, "--until", until, "--yaml", str(fragment)],
               generated.config) == 0  # fmt: skip
    out = capsys.readouterr().out
    groups = re.split(r"\n(?=\d+\. )", out.split("\nwrote ")[0])
    trade_in = [g for g in groups if "трейд-ин" in g]
    jobs = [g for g in groups if "ваканси" in g]
    assert len(trade_in) == 1  # one group for all the ways of asking
    assert len(jobs) == 1
    assert "write a new intent" in trade_in[0]  # nothing in the content covers it
    for group in groups:  # no group mixes the planted topics
        assert not ("трейд-ин" in group and "ваканси" in group)
    text = fragment.read_text(encoding="utf-8")
    assert text.startswith("# Content gaps found by `supportbot gaps`.")
    new_intents = text.split("\nadd_examples:")[0]
    assert "трейд-ин" in new_intents  # proposed as a new intent, its examples ready
