"""The report's tables on a hand-built two days; every figure is worked out in the comments."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from handoff.breakdowns import (
    Table,
    all_tables,
    by_category,
    by_intent,
    by_language,
    by_line,
    by_operator,
    by_period,
    causes_table,
    first_response_table,
)
from handoff.metrics import Cause, History
from handoff.model import Conversation, Customer, Decision, SurveyAnswer, TicketStatus
from tests.handoff.factories import make_ticket


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


START, END = at(3, 0), at(5, 0)  # Monday and Tuesday


def customer(customer_id: int, created: datetime) -> Customer:
    return Customer(customer_id, customer_id, customer_id, f"C{customer_id}", None, "en", False,
                    False, created)  # fmt: skip


def decision(
    decision_id: int, conversation_id: int, when: datetime, intent: str, lang: str,
    action: str = "answer", helped: bool | None = None,
) -> Decision:  # fmt: skip
    return Decision(decision_id, conversation_id, "text", lang, action, intent, None, 0.9, when,
                    helped)  # fmt: skip


HISTORY = History(
    # A is a returning customer; B and C were first seen in the period
    customers=(customer(1, at(1, 9)), customer(2, at(3, 10)), customer(3, at(4, 8))),
    conversations=tuple(
        Conversation(c, c, at(3, 9), at(3, 9), False) for c in (1, 2, 3)
    ),  # conversation n belongs to customer n
    decisions=(
        decision(1, 1, at(3, 10), "order_status", "en"),  # answered: resolved by the bot
        decision(2, 2, at(3, 11), "human_request", "ru", action="handoff"),
        decision(3, 3, at(4, 9), "delivery_time", "en", helped=False),
    ),
    tickets=(
        # 5 min to the first reply, 35 to resolution, line 1, Anna
        make_ticket(
            10,
            at=at(3, 11),
            conversation_id=2,
            language="ru",
            status=TicketStatus.RESOLVED,
            operator_name="Anna",
            taken_at=at(3, 11, 3),
            first_reply_at=at(3, 11, 5),
            resolved_at=at(3, 11, 35),
            handoff_cause=Cause.ASKED,
        ),
        # 30 min, 60 min, line 2, Boris; the person was asked for after a 👎
        make_ticket(
            11,
            at=at(4, 9, 1),
            conversation_id=3,
            line=2,
            status=TicketStatus.RESOLVED,
            operator_name="Boris",
            taken_at=at(4, 9, 20),
            first_reply_at=at(4, 9, 31),
            resolved_at=at(4, 10, 1),
            handoff_cause=Cause.ASKED,
        ),
    ),
    surveys=(
        SurveyAnswer(10, 4, True, None, at(3, 12)),
        SurveyAnswer(11, 2, False, None, at(4, 10, 30)),
    ),
)


def rows(table: Table) -> list[tuple[object, ...]]:
    return [tuple(row) for row in table.rows]


def test_per_day() -> None:
    table = by_period(HISTORY, START, END)
    assert table.columns[0] == "day"
    assert rows(table) == [
        # conversations 1 and 2, one resolved by the bot; ticket 10
        ("2025-03-03", 2, 50.0, 1, 5.0, 35.0, 4.0, 1),
        # conversation 3 (👎, handed off); ticket 11
        ("2025-03-04", 1, 0.0, 1, 30.0, 60.0, 2.0, 1),
    ]


def test_per_week_sums_the_days() -> None:
    # medians of 5 and 30 → 17.5, of 35 and 60 → 47.5; CSAT (4+2)/2
    assert rows(by_period(HISTORY, START, END, week=True)) == [
        ("2025-W10", 3, 33.3, 2, 17.5, 47.5, 3.0, 2)
    ]


def test_per_operator() -> None:
    assert rows(by_operator(HISTORY, START, END)) == [
        ("Anna", 1, 1, 5.0, 35.0, 4.0, 1),
        ("Boris", 1, 1, 30.0, 60.0, 2.0, 1),
    ]


def test_per_line_with_a_total() -> None:
    assert rows(by_line(HISTORY, START, END)) == [
        ("bot only", 1, 100.0, 0, None, None, None, 0),
        ("line 1", 1, 0.0, 1, 5.0, 35.0, 4.0, 1),
        ("line 2", 1, 0.0, 1, 30.0, 60.0, 2.0, 1),
        ("total", 3, 33.3, 2, 17.5, 47.5, 3.0, 2),
    ]


def test_per_language() -> None:
    assert rows(by_language(HISTORY, START, END))[:2] == [
        ("en", 2, 50.0, 1, 30.0, 60.0, 2.0, 1),  # conversations 1 and 3
        ("ru", 1, 0.0, 1, 5.0, 35.0, 4.0, 1),  # conversation 2
    ]


def test_per_customer_category() -> None:
    assert rows(by_category(HISTORY, START, END))[:2] == [
        ("new", 2, 0.0, 2, 17.5, 47.5, 3.0, 2),  # B and C
        ("returning", 1, 100.0, 0, None, None, None, 0),  # A
    ]


def test_first_response_buckets_and_causes() -> None:
    # 5 min is not "< 5 min"; 30 min is "< 1 h"
    assert rows(first_response_table(HISTORY, START, END)) == [
        ("< 5 min", 0, 0.0),
        ("< 15 min", 1, 50.0),
        ("< 1 h", 1, 50.0),
        ("< 4 h", 0, 0.0),
        ("more", 0, 0.0),
    ]
    assert rows(causes_table(HISTORY, START, END))[:3] == [
        ("asked for a person", 1, 50.0),
        ("low confidence", 0, 0.0),
        ("didn't help", 1, 50.0),  # ticket 11: asked for after the 👎
    ]


def test_contact_reasons_table() -> None:
    assert rows(by_intent(HISTORY, START, END)) == [
        ("delivery_time", 1, 1, 1, 100.0, 1, 100.0),
        ("human_request", 1, 0, 0, None, 1, 100.0),
        ("order_status", 1, 1, 0, 0.0, 0, 0.0),
    ]


def test_every_table_exports_as_csv() -> None:
    tables = all_tables(HISTORY, START, END)
    assert [t.key for t in tables] == [
        "per_day", "per_week", "first_response", "causes", "intents", "operators", "lines",
        "languages", "categories",
    ]  # fmt: skip
    for table in tables:
        parsed = list(csv.reader(io.StringIO(table.to_csv())))
        assert parsed[0] == list(table.columns)
        assert len(parsed) == len(table.rows) + 1
    text = by_line(HISTORY, START, END).to_csv().splitlines()
    assert text[0] == (
        "line,conversations,bot resolved %,tickets,first response median (min),"
        "resolution median (min),CSAT mean,CSAT answers"
    )
    assert text[1] == "bot only,1,100.0,0,,,,0"  # no figure: an empty cell, not 0


@pytest.mark.parametrize("table", all_tables(History(), START, END), ids=lambda t: t.key)
def test_an_empty_history_gives_tables_without_errors(table: Table) -> None:
    assert table.text().startswith(table.title)
