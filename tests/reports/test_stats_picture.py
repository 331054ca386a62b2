"""What /stats and the digest show, on the hand-built two days of the breakdown tests."""

from __future__ import annotations

from pathlib import Path

from bot.core.texts import Texts
from bot.reports.stats import stats_picture
from tests.handoff.test_breakdowns import END, HISTORY, START

ROOT = Path(__file__).resolve().parents[2]
TEXTS = Texts.load(ROOT / "bot" / "texts", ["ru", "en"], "en")


def test_caption_and_chart() -> None:
    picture = stats_picture(HISTORY, START, END, 2, "en", TEXTS)
    assert picture.caption.splitlines() == [
        "<b>Last 2 days</b>",
        "Conversations: 3; resolved by the bot: 33.3%",
        "Tickets: 2; first response (median): 17m 30s; resolution (median): 47m 30s",
        "CSAT: 3.0/5 (2); first-contact resolution: 50.0%",
        "Hand-offs: asked for a person 1, low confidence 0, didn't help 1, automatic 0",
        "Top reasons: delivery_time 1, human_request 1, order_status 1",
    ]
    assert picture.png.startswith(b"\x89PNG")


def test_in_russian() -> None:
    picture = stats_picture(HISTORY, START, END, 2, "ru", TEXTS)
    assert picture.caption.startswith("<b>За 2 дн.</b>\nДиалогов: 3; решено ботом: 33.3%")
