"""The benchmark's out-of-fold choice of the reject penalty, and the ensemble applying it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from intents.matching.bench import (
    OOS,
    REJECT_PENALTIES,
    BenchData,
    BenchError,
    choose_reject_penalty,
    run_bench,
)
from intents.matching.classifier import REJECT
from intents.matching.ensemble import EnsembleConfig, EnsembleScorer
from intents.matching.scorer import ScorerConfig
from tests.matching.test_encoder import CountingEncoder


def test_choose_reject_penalty_takes_the_one_that_separates_out_of_scope() -> None:
    # in-scope rows: the right intent at 0.45, nothing on reject; out-of-scope rows: an intent
    # at 0.6 but 0.2 on reject. At the scorer's 0.5 out-of-scope scores 0.5 > 0.45 (no
    # threshold keeps both); from 1.0 on it scores at most 0.4 and a threshold separates them
    columns = ["billing", "delivery", REJECT]
    in_scope = [[0.45, 0.3, 0.0]] * 20 + [[0.3, 0.45, 0.0]] * 20
    out_of_scope = [[0.6, 0.2, 0.2]] * 20
    probs = np.array(in_scope + out_of_scope)
    truth = ["billing"] * 20 + ["delivery"] * 20 + [REJECT] * 20
    penalty, threshold = choose_reject_penalty(probs, columns, truth, (0.5, 1.0, 2.0))
    assert penalty == 1.0  # the smallest of the penalties that separate (1.0 and 2.0)
    assert 0.4 < threshold <= 0.45
    # only the scorer's penalty: no threshold rejects 85 % of out-of-scope and keeps in-scope
    assert choose_reject_penalty(probs, columns, truth, (0.5,))[0] == 0.5


def test_choose_reject_penalty_without_penalties_is_an_error() -> None:
    with pytest.raises(BenchError, match="at least one penalty"):
        choose_reject_penalty(np.ones((2, 2)) / 2, ["a", REJECT], ["a", REJECT], ())


def test_ensemble_applies_its_own_reject_penalty() -> None:
    examples = {
        "refund": ["give my money back", "refund the charge", "money back please", "refund it"],
        "tracking": ["track the parcel", "where is the box", "track my box", "parcel tracking"],
        "login": ["cannot sign in", "login fails", "password rejected", "sign in error"],
        "hours": ["opening hours", "when are you open", "working hours", "open on sunday"],
    }
    reject = ["weather today", "tell a joke", "sing a song", "who won the match"]
    config = ScorerConfig(calibrate=False, coverage_floor=1.0)
    base = EnsembleScorer.train(examples, reject, CountingEncoder(), config, EnsembleConfig())
    strong = EnsembleScorer(
        base.scorer,
        base.semantic,
        base.encoder,
        base.weights,
        replace(EnsembleConfig(), reject_penalty=2.0),
        base.nearest,
    )
    text = "hedgehog"  # no fuzzy near-match with any example
    mixed, _ = base.probabilities([text])
    labels = base.classifier.labels
    reject_p = mixed[0, labels.index(REJECT)]
    assert reject_p > 0.05
    for scorer, penalty in ((base, 0.5), (strong, 2.0)):
        label, score = scorer.rank(text, top=1)[0]
        expected = max(0.0, mixed[0, labels.index(label)] - penalty * reject_p)
        assert score == pytest.approx(round(expected, 4), abs=1e-4)


def _tiny(with_oos: bool) -> BenchData:
    topics = {
        "refund": "give my money back",
        "tracking": "where is my parcel",
        "login": "cannot sign in to my account",
    }
    train = {label: [f"{text} {word}" for word in WORDS] for label, text in topics.items()}
    reject = [f"tell me about the {word} weather" for word in WORDS] if with_oos else []
    test = [(f"{text} now", label) for label, text in topics.items()]
    if with_oos:
        test += [("what a sunny weather", OOS), ("sing me a weather song", OOS)]
    return BenchData("tiny", train, reject, [], test)


WORDS = ["please", "today", "asap", "again", "now", "quickly", "thanks", "sir"]


def test_run_bench_reports_the_penalty_it_chose_only_with_out_of_scope() -> None:
    engine, ensemble = run_bench(_tiny(True), encoder=CountingEncoder())
    for result in (engine, ensemble):
        assert result.reject_penalty in REJECT_PENALTIES
        assert result.as_json()["reject_penalty"] == result.reject_penalty
        assert result.oos_recall is not None
    plain = run_bench(_tiny(False), encoder=CountingEncoder())
    assert [result.reject_penalty for result in plain] == [None, None]
    assert "reject_penalty" not in plain[1].as_json()
