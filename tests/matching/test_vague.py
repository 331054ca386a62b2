"""Vague one- or two-word messages that fit several intents get "did you mean", never an answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents import Engine
from intents.matching.vague import VagueDetector

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text",
    ["delivery", "payment", "my account", "account", "доставка", "оплата", "аккаунт"],
)
def test_vague_message_clarifies(sample_engine: Engine, text: str) -> None:
    decision = sample_engine.decide(text)
    assert decision.action == "clarify", decision
    assert decision.intent is None
    assert 2 <= len(decision.options) <= sample_engine.thresholds.clarify_candidates
    assert len({o.id for o in decision.options}) == len(decision.options)


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("where is my order", "order_status"),
        ("hello", "greeting"),
        ("где мой заказ", "order_status"),
        ("спасибо", "thanks"),
    ],
)
def test_specific_short_message_still_answers(
    sample_engine: Engine, text: str, intent: str
) -> None:
    decision = sample_engine.decide(text)
    assert (decision.action, decision.intent_id) == ("answer", intent)


def test_detector_rules() -> None:
    detector = VagueDetector(
        {
            "cost": ["delivery cost", "how much is delivery", "delivery price", "shipping fee"],
            "time": ["delivery time", "how long is delivery", "when delivery", "delivery days"],
            "hi": ["hello", "hi there", "good morning", "hey"],
        }
    )
    assert set(detector.candidates("delivery")) == {"cost", "time"}
    assert detector.candidates("delivery cost") == ()  # an example: never vague
    assert detector.candidates("hello") == ()  # one intent only
    assert detector.candidates("delivery to mars") == ()  # an unknown word
    assert detector.candidates("how much is delivery to my house today") == ()  # too long
