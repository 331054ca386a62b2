"""Content gaps on planted groups: misses written by hand, the groups they must form known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import yaml

from handoff.gaps import (
    ADD_EXAMPLES,
    NEW_INTENT,
    REVIEW_ANSWER,
    Miss,
    find_gaps,
    format_gaps,
    gaps_yaml,
    misses_of,
)
from handoff.metrics import History
from handoff.model import Decision

EXAMPLES = {
    "order_status": ["where is my order", "where is my parcel", "track my order",
                     "где мой заказ", "где моя посылка"],
    "delivery_time": ["how long is delivery", "delivery time", "сколько идёт доставка"],
    "payment_methods": ["how can I pay", "payment options", "как оплатить"],
}  # fmt: skip

TRADE_IN = [
    "можно сдать старый телефон в трейд-ин?",
    "трейд-ин старого телефона есть?",
    "принимаете старую технику в трейд-ин",
    "есть у вас трейд-ин для смартфонов",
]
GIFT = ["do you offer gift wrapping?", "can you gift wrap my order", "gift wrapping available?"]
PARCEL = ["where is my parcell", "wher is my parcel??", "where is my parcel now"]
SLOW = ["how long is delivery to iceland", "how long is delivery to iceland really"]
NOISE = ["asdf", "ok whatever 123"]


def misses() -> list[Miss]:
    planted = [Miss(t, "ru") for t in TRADE_IN]
    planted += [Miss(t, "en") for t in GIFT]
    planted += [Miss(t, "en") for t in PARCEL]
    planted += [Miss(t, "en", disliked_intent="delivery_time") for t in SLOW]
    planted += [Miss(TRADE_IN[0], "ru")]  # asked twice: counted twice, listed once
    planted += [Miss(t, "en") for t in NOISE]
    return planted


def test_planted_groups_are_found_with_the_right_action() -> None:
    gaps = find_gaps(misses(), EXAMPLES)
    groups = {frozenset(g.texts): g for g in gaps}
    trade_in = groups[frozenset(TRADE_IN)]
    assert trade_in.size == 5  # four texts, one asked twice
    assert trade_in.texts[0] == TRADE_IN[0]  # the most asked first
    assert trade_in.action == NEW_INTENT
    assert trade_in.languages == ("ru",)
    gift = groups[frozenset(GIFT)]
    assert (gift.size, gift.action, gift.target) == (3, NEW_INTENT, None)
    parcel = groups[frozenset(PARCEL)]
    # the content knows this topic; the typos kept these from matching: add them as examples
    assert (parcel.action, parcel.target) == (ADD_EXAMPLES, "order_status")
    assert parcel.similarity >= 0.45
    slow = groups[frozenset(SLOW)]
    assert (slow.action, slow.target) == (REVIEW_ANSWER, "delivery_time")
    # the noise forms no group of two; the biggest group comes first
    assert len(gaps) == 4
    assert gaps[0] is trade_in


def test_the_text_names_size_action_and_examples() -> None:
    text = format_gaps(find_gaps(misses(), EXAMPLES), examples=2)
    assert text.startswith("1. 5 questions (ru): write a new intent")
    assert "add these examples to intent order_status" in text
    assert "review the answer of delivery_time" in text
    assert format_gaps([]).startswith("No content gaps")


def test_the_yaml_fragment_is_valid_and_ready_to_paste() -> None:
    planted = misses()
    gaps = find_gaps(planted, EXAMPLES)
    fragment = yaml.safe_load(gaps_yaml(gaps, {m.text: m.language for m in planted}))
    new = {tuple(item["examples"].get("ru", []) + item["examples"].get("en", [])): item
           for item in fragment["intents"]}  # fmt: skip
    assert [set(k) for k in new] == [set(TRADE_IN), set(GIFT)]  # the two new topics
    gift = next(item for k, item in new.items() if set(k) == set(GIFT))
    assert gift["id"] == "new_gift"  # from the most common word
    assert gift["title"] == {"ru": "TODO", "en": "TODO"}
    assert set(fragment["add_examples"]["order_status"]["en"]) == set(PARCEL)
    assert fragment["review_answers"] == ["delivery_time"]


def test_misses_come_from_the_history() -> None:
    start = datetime(2025, 3, 3, tzinfo=UTC)

    def decision(
        n: int, action: str, intent: str | None, text: str, helped: bool | None
    ) -> Decision:
        return Decision(n, n, text, "en", action, intent, None, 0.2, start + timedelta(hours=n),
                        helped)  # fmt: skip

    history = History(
        decisions=(
            decision(1, "handoff", None, "Gift  WRAP?", None),  # not placed: a miss
            decision(2, "answer", "delivery_time", "how long", False),  # 👎: a miss
            decision(3, "handoff", "human_request", "a human please", None),  # right: no miss
            decision(4, "answer", "order_status", "where is it", True),  # 👍: no miss
            decision(5, "answer", "order_status", "[order_status]", False),  # a button, not words
            decision(500, "handoff", None, "too late", None),  # after the period
        )
    )
    assert misses_of(history, start, start + timedelta(days=7)) == [
        Miss("gift wrap?", "en", None),
        Miss("how long", "en", "delivery_time"),
    ]
