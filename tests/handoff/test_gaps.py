"""Content gaps on planted groups: misses written by hand, the groups they must form known."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt
import pytest
import yaml

from handoff.gaps import (
    ADD_EXAMPLES,
    ENCODER_THRESHOLDS,
    NEW_INTENT,
    REVIEW_ANSWER,
    Embed,
    GapThresholds,
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


# ------------------------------------------------------------------ grouping by an embedding
def _embedding(vectors: dict[str, list[float]]) -> Embed:
    """An ``embed`` function that looks each text up in ``vectors`` (and records the calls)."""

    def embed(texts: Sequence[str]) -> npt.NDArray[np.float64]:
        calls.append(list(texts))
        return np.array([vectors[t] for t in texts], dtype=np.float64)

    calls: list[list[str]] = []
    embed.calls = calls  # type: ignore[attr-defined]
    return embed


def _mirrored(vectors: dict[str, list[float]]) -> dict[str, list[float]]:
    """``vectors`` and, for each, its opposite (named ``-text``): their mean is zero, so the
    centring of :func:`find_gaps` changes nothing and the cosines below are the ones written."""
    return vectors | {f"-{t}": [-x for x in v] for t, v in vectors.items()}


def test_an_injected_embedding_decides_groups_with_the_encoders_thresholds() -> None:
    # "aaaa" and "bbbb" share no letter but the embedding puts them together (cosine 0.99);
    # "cccc" is at cosine 0.2 from both: under the encoder's similarity
    a, b, c = "aaaa", "bbbb", "cccc"
    vectors = {
        a: [1.0, 0.0, 0.0, 0.0], b: [0.99, 0.141, 0.0, 0.0], c: [0.2, 0.0, 0.0, 0.98],
        "known one": [0.0, 0.0, 1.0, 0.0], "known two": [0.8, 0.0, 0.6, 0.0],
    }  # fmt: skip
    embed = _embedding(_mirrored(vectors))
    # the opposites are the examples of an intent no question is near
    examples = {"known": ["known one", "known two"], "mirror": [f"-{t}" for t in vectors]}
    planted = [Miss(a, "en"), Miss(b, "en"), Miss(c, "en")]
    assert ENCODER_THRESHOLDS.similarity > 0.2
    gaps = find_gaps(planted, examples, embed=embed)
    assert [(g.texts, g.nearest_intent) for g in gaps] == [((a, b), "known")]
    # a and b are at about 0.8 of "known two": over the encoder's add threshold
    assert ENCODER_THRESHOLDS.add_threshold < 0.79
    assert (gaps[0].action, gaps[0].target) == (ADD_EXAMPLES, "known")
    assert gaps[0].similarity == pytest.approx(0.8, abs=0.02)
    loose = GapThresholds(similarity=0.15, add_threshold=0.9)
    joined = find_gaps(planted, examples, embed=embed, thresholds=loose)
    assert [(set(g.texts), g.action) for g in joined] == [({a, b, c}, NEW_INTENT)]
    # the questions and the examples were embedded, nothing was compared by letters
    assert [a, b, c] in embed.calls  # type: ignore[attr-defined]


def test_the_domain_every_question_shares_does_not_group_them() -> None:
    # every vector is the domain direction d plus a part of its own: "x" and "y" are at cosine
    # 0.5 (d + e1 against d + e2), but once the mean (d) is taken away, at 0
    x, y = "xx", "yy"
    vectors = {x: [1, 1, 0, 0], y: [1, 0, 1, 0], "k1": [1, 0, 0, 1], "k2": [1, 0, 0, -1],
               "k3": [1, -1, 0, 0], "k4": [1, 0, -1, 0]}  # fmt: skip
    embed = _embedding({t: [float(v) for v in row] for t, row in vectors.items()})
    examples = {"k": ["k1", "k2", "k3", "k4"]}
    planted = [Miss(x, "en"), Miss(y, "en")]
    assert ENCODER_THRESHOLDS.similarity < 0.5
    assert find_gaps(planted, examples, embed=embed) == []  # two groups of one
    alone = find_gaps(planted, examples, embed=embed, min_size=1)
    assert [g.similarity for g in alone] == [0.0, 0.0]  # each is orthogonal to its examples


def test_the_sentence_encoder_groups_one_question_across_languages() -> None:
    from intents import make_encoder

    encoder = make_encoder("use")
    assert encoder is not None
    planted = [
        Miss("можно сдать старый телефон в трейд-ин?", "ru"),
        Miss("can i trade in my old phone", "en"),
        Miss("do you accept old phones for trade-in", "en"),
        Miss("подарочная упаковка есть?", "ru"),
        Miss("do you offer gift wrapping?", "en"),
    ]
    by_meaning = find_gaps(planted, EXAMPLES, embed=encoder.encode)
    assert {frozenset(g.texts) for g in by_meaning} == {
        frozenset(m.text for m in planted[:3]),
        frozenset(m.text for m in planted[3:]),
    }
    assert all(g.action == NEW_INTENT for g in by_meaning)
    assert {g.languages for g in by_meaning} == {("en", "ru")}
    # letters alone cannot join a Russian and an English question
    by_letters = find_gaps(planted, EXAMPLES)
    assert all(len({m.language for m in planted if m.text in g.texts}) == 1 for g in by_letters)
