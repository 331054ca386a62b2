"""Metrics on a hand-made week; every expected figure is worked out in the comments."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from handoff.metrics import Metrics, Unanswered, compute_metrics, format_metrics, percentile
from handoff.model import Decision, SurveyAnswer, TicketStatus
from tests.handoff.factories import make_ticket

START = datetime(2025, 3, 3, tzinfo=UTC)
END = START + timedelta(days=7)
RESOLVED = TicketStatus.RESOLVED


def at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


TICKETS = [
    # first reply 2 min, resolved after 20 min
    make_ticket(1, at=at(9), status=RESOLVED, conversation_id=11,
                first_reply_at=at(9, 2), resolved_at=at(9, 20)),
    # 6 min, 60 min
    make_ticket(2, at=at(10), status=RESOLVED, conversation_id=12,
                first_reply_at=at(10, 6), resolved_at=at(11)),
    # 10 min, 40 min; ticket 5 follows it two hours later
    make_ticket(3, at=at(11), status=RESOLVED, conversation_id=13,
                first_reply_at=at(11, 10), resolved_at=at(11, 40)),
    # 20 min, still being worked on
    make_ticket(4, at=at(12), status=TicketStatus.TAKEN, conversation_id=14,
                first_reply_at=at(12, 20)),
    make_ticket(5, at=at(13, 40), conversation_id=15, previous_ticket_id=3),
    # created before the period: counts as resolved (120 min) but not as created
    make_ticket(6, at=at(23, day=2), status=RESOLVED, conversation_id=16,
                first_reply_at=at(23, 30, day=2), resolved_at=at(1)),
    # cancelled: created, never resolved
    make_ticket(7, at=at(14), status=TicketStatus.CANCELLED, conversation_id=17,
                resolved_at=at(14, 5)),
    # 60 min; reopened after its survey (answered 15:30) and resolved again at 16:00
    make_ticket(9, at=at(15), status=RESOLVED, conversation_id=19, resolved_at=at(16)),
    # follows ticket 2 but 7 days 1 hour after it was resolved: outside the 7-day window
    make_ticket(8, at=at(12, day=10), conversation_id=18, previous_ticket_id=2),
]  # fmt: skip


def answer(ticket_id: int, csat: int | None, solved: bool | None, when: datetime) -> SurveyAnswer:
    return SurveyAnswer(
        ticket_id=ticket_id, csat=csat, solved=solved, comment=None, created_at=when
    )


SURVEYS = [
    answer(1, 5, True, at(9, 30)),  # first-contact resolution
    answer(2, 4, True, at(11, 5)),  # first-contact resolution (the follow-up is too late)
    answer(3, 2, True, at(11, 45)),  # followed by ticket 5: not first contact
    answer(6, 3, False, at(1, 10)),  # not solved
    answer(9, 5, True, at(15, 30)),  # reopened afterwards: not first contact
    answer(10, 1, None, at(18)),  # a score without the yes/no: CSAT only
    answer(1, 5, True, at(9, day=2)),  # before the period: ignored
]

_ids = iter(range(1, 100))
NOON = at(12)


def decision(
    conversation_id: int,
    action: str,
    text: str = "how do I pay",
    helped: bool | None = None,
    when: datetime = NOON,
) -> Decision:
    return Decision(
        id=next(_ids),
        conversation_id=conversation_id,
        text=text,
        language="en",
        action=action,
        intent=None,
        article=None,
        score=0.5,
        created_at=when,
        helped=helped,
    )


DECISIONS = [
    decision(21, "answer", helped=True),  # resolved by the bot
    decision(22, "answer", helped=True),
    decision(22, "handoff", "Where is my refund"),  # ... but then handed off
    decision(23, "answer"),  # no feedback: not counted as resolved
    decision(23, "unknown", "Cancel my subscription"),  # nothing matched: not answered either
    decision(24, "answer", "Where is  my REFUND ", helped=False),
    decision(11, "answer", helped=True),  # ticket 1 belongs to this conversation
    decision(11, "handoff", "Talk to a human"),
    decision(25, "clarify"),
    decision(26, "clarify"),
    decision(26, "answer", helped=True),  # resolved by the bot
    decision(28, "handoff", "talk  to a HUMAN"),
    decision(27, "answer", helped=True, when=at(12, day=2)),  # before the period: ignored
]
# 8 conversations with decisions in the period (21 22 23 24 11 25 26 28), 2 resolved (21, 26).


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    return compute_metrics(TICKETS, SURVEYS, DECISIONS, start=START, end=END, top=2)


def test_ticket_counts(metrics: Metrics) -> None:
    assert metrics.tickets_created == 7  # 1 2 3 4 5 7 9
    assert metrics.tickets_resolved == 5  # 1 2 3 6 9


def test_first_response(metrics: Metrics) -> None:
    # 2, 6, 10, 20 minutes → median (6+10)/2 = 8; p90 rank 2.7 → 10 + 0.7·(20−10) = 17
    assert metrics.first_response_count == 4
    assert metrics.first_response_median == timedelta(minutes=8)
    assert metrics.first_response_p90 == timedelta(minutes=17)


def test_resolution(metrics: Metrics) -> None:
    # 20, 40, 60, 60, 120 minutes → median 60; p90 rank 3.6 → 60 + 0.6·(120−60) = 96
    assert metrics.resolution_median == timedelta(minutes=60)
    assert metrics.resolution_p90 == timedelta(minutes=96)


def test_first_contact_resolution(metrics: Metrics) -> None:
    # judged: tickets 1 2 3 6 9; first contact: 1 and 2 → 2/5
    assert metrics.fcr_count == 5
    assert metrics.fcr_share == pytest.approx(0.4)


def test_csat(metrics: Metrics) -> None:
    # scores 5 4 2 3 5 1 → mean 20/6; 4s and 5s: 3 of 6
    assert metrics.csat_count == 6
    assert metrics.csat_mean == pytest.approx(20 / 6)
    assert metrics.csat_satisfied_share == pytest.approx(0.5)


def test_resolved_by_the_bot(metrics: Metrics) -> None:
    assert metrics.bot_conversations == 8
    assert metrics.bot_resolved_share == pytest.approx(0.25)


def test_unanswered_questions_most_frequent_first(metrics: Metrics) -> None:
    # talk to a human ×2, where is my refund ×2 (ties alphabetical), cancel my subscription ×1
    assert metrics.unanswered == (
        Unanswered("talk to a human", 2),
        Unanswered("where is my refund", 2),
    )


def test_an_empty_period_has_no_figures_rather_than_zeros() -> None:
    empty = compute_metrics([], [], [], start=START, end=END)
    assert (empty.tickets_created, empty.csat_count, empty.bot_conversations) == (0, 0, 0)
    assert empty.first_response_median is None
    assert empty.fcr_share is None
    assert empty.csat_mean is None
    assert empty.bot_resolved_share is None
    assert "n/a" in format_metrics(empty)
    assert "  none" in format_metrics(empty)


def test_percentile_interpolates() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5


def test_text_and_json(metrics: Metrics) -> None:
    text = format_metrics(metrics)
    assert text.splitlines()[0] == "Support metrics 2025-03-03 00:00 — 2025-03-10 00:00 UTC"
    assert "First response, median    8m 00s" in text
    assert "Resolution, p90           1h 36m" in text
    assert "First-contact resolution  40.0% of 5" in text
    assert "CSAT, mean                3.33 / 5 (6 answers)" in text
    assert "Resolved by the bot       25.0% of 8 conversations" in text
    assert "     2  talk to a human" in text
    data = json.loads(metrics.to_json())
    assert data["first_response_p90"] == 17 * 60
    assert data["start"] == "2025-03-03T00:00:00+00:00"
    assert data["unanswered"][0] == {"text": "talk to a human", "count": 2}
