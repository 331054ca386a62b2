"""The sentence encoder, its on-disk cache and the ensemble's mixing rule."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from intents import SentenceEncoder
from intents.matching.classifier import REJECT
from intents.matching.encoder import CachedEncoder
from intents.matching.ensemble import EnsembleConfig, EnsembleScorer, Mix, choose_mix, mix
from intents.matching.scorer import IntentScorer, ScorerConfig
from intents.matching.semantic import EmbeddingClassifier, NearestExamples, SemanticConfig


class CountingEncoder:
    """Deterministic vectors from the text's letters; counts the texts it encoded."""

    name = "counting/1"

    def __init__(self) -> None:
        self.encoded = 0

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.encoded += len(texts)
        rows = np.array(
            [[text.count(c) + 0.1 for c in "abcdefgh"] for text in texts], dtype=np.float32
        ).reshape(len(texts), 8)
        result: npt.NDArray[np.float32] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return result


def test_cache_survives_a_restart_and_notices_a_change(tmp_path: Path) -> None:
    texts = ["where is my order", "cancel it", "hello"]
    inner = CountingEncoder()
    first = CachedEncoder(inner, tmp_path / "cache").encode(texts)
    assert inner.encoded == 3
    again = CachedEncoder(inner, tmp_path / "cache")  # a restart: a new object, the same folder
    np.testing.assert_array_equal(again.encode(texts), first)
    assert inner.encoded == 3
    assert again.hits == 1
    again.encode([*texts[:2], "hello there"])  # one example changed: encoded again
    assert inner.encoded == 6
    assert again.misses == 1


def test_unwritable_cache_still_returns_vectors(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    inner = CountingEncoder()
    vectors = CachedEncoder(inner, blocker / "cache").encode(["a", "b"])
    assert vectors.shape == (2, 8)


def test_use_encoder_gives_unit_vectors_that_follow_meaning(
    sentence_encoder: SentenceEncoder,
) -> None:
    vectors = sentence_encoder.encode(
        ["where is my parcel", "has my package shipped yet", "где моя посылка", "tell me a joke"]
    )
    assert vectors.shape == (4, 512)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 3]
    assert similarity[0, 2] > similarity[0, 3]  # multilingual: the Russian phrase is close


def test_mix_is_a_normalised_weighted_geometric_mean() -> None:
    engine = np.array([[0.7, 0.2, 0.1]])
    encoder = np.array([[0.1, 0.8, 0.1]])
    np.testing.assert_allclose(mix(engine, encoder, Mix(1.0, 0.0)), engine)
    np.testing.assert_allclose(mix(engine, encoder, Mix(0.0, 1.0)), encoder)
    half = mix(engine, encoder, Mix(0.5, 0.5))
    expected = np.sqrt(engine * encoder)
    np.testing.assert_allclose(half, expected / expected.sum())


def test_choose_mix_prefers_the_side_that_is_right() -> None:
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 3, size=200)
    good = np.full((200, 3), 0.1)
    good[np.arange(200), truth] = 0.8
    noise = rng.dirichlet(np.ones(3), size=200)
    assert choose_mix(noise, good, truth, EnsembleConfig()).weight > 0.8
    assert choose_mix(good, noise, truth, EnsembleConfig()).weight < 0.2


def test_choose_mix_weighs_the_nearest_examples_when_only_they_are_right() -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 4, size=300)
    good = np.full((300, 4), 0.05)
    good[np.arange(300), truth] = 0.85
    engine, encoder = rng.dirichlet(np.ones(4), size=(2, 300))
    weights = choose_mix(engine, encoder, truth, EnsembleConfig(), nearest=good)
    assert weights.nearest > 1.0
    # always right: the loss alone would take its exponent to the bound of one exponent (4); the
    # sum of the exponents stays within max_strength
    assert weights.engine + weights.encoder + weights.nearest <= 1.5 + 1e-6
    assert weights.engine < 0.2
    assert weights.encoder < 0.2
    mixed = mix(engine, encoder, weights, good)
    assert (mixed.argmax(axis=1) == truth).all()


def test_nearest_examples_score_each_label_by_its_closest_example() -> None:
    # "parcel" has two unrelated phrasings (far apart clusters, one of a single example): a
    # message near the lone one gets that example's cosine, not the average of the label's
    vectors = np.array(
        [[1, 0, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1], [0.6, 0.8, 0], [0.6, 0.8, 0]],
        dtype=np.float32,
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = ["parcel", "parcel", "parcel", "parcel", "refund", "refund"]
    nearest = NearestExamples.fit(vectors, labels, SemanticConfig(nearest_temperature=0.05))
    assert nearest.labels == ("parcel", "refund")
    query = np.array([[0.1, 0.1, 0.99]], dtype=np.float32)
    np.testing.assert_allclose(
        nearest.cosines(query), [[vectors[3] @ query[0], vectors[4] @ query[0]]], rtol=1e-6
    )
    assert nearest.probabilities(query)[0].argmax() == 0
    # many rows at once (more than one block of the chunked product): the same cosines
    many = np.repeat(query, 1300, axis=0)
    np.testing.assert_allclose(
        nearest.cosines(many), np.repeat(nearest.cosines(query), 1300, 0), rtol=1e-6
    )
    aligned = nearest.aligned(query, ["refund", "other", "parcel"])
    assert aligned[0, 1] == 0.0
    assert aligned[0, 2] > aligned[0, 0]


def test_nearest_examples_in_principal_components_keep_the_nearest_label() -> None:
    # 40-d vectors whose variance lies in 4 directions: 4 components keep every neighbour
    rng = np.random.default_rng(2)
    basis = np.linalg.qr(rng.normal(size=(40, 4)))[0].T
    centres = rng.normal(size=(5, 4)) * 3
    labels = np.repeat(np.arange(5), 20)
    vectors = (centres[labels] + rng.normal(size=(100, 4)) * 0.3) @ basis
    vectors += rng.normal(size=vectors.shape) * 0.01
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    names = [f"intent{i}" for i in labels]
    full = NearestExamples.fit(vectors, names, SemanticConfig(nearest_dims=0))
    reduced = NearestExamples.fit(vectors, names, SemanticConfig(nearest_dims=4))
    queries = ((centres + rng.normal(size=(5, 4)) * 0.3) @ basis).astype(np.float32)
    assert reduced.cosines(queries).shape == (5, 5)
    np.testing.assert_array_equal(
        reduced.cosines(queries).argmax(axis=1), full.cosines(queries).argmax(axis=1)
    )
    assert (reduced.cosines(queries).argmax(axis=1) == np.arange(5)).all()


FRUIT = {
    "apple": ["red fruit", "green fruit"],
    "lemon": ["sour fruit", "yellow fruit"],
    "mango": ["sweet fruit", "tropical fruit"],
    "zebra": ["striped horse", "savanna horse"],
}


def rank_with_reject(
    intents: list[str], apple: float, zebra: float, top: int
) -> list[tuple[str, float]]:
    """Rank "quiet night" from a probability row where the reject label takes the rest."""
    scorer = IntentScorer.train(
        {name: FRUIT[name] for name in intents},
        reject=["weather today", "tell a joke"],
        config=ScorerConfig(calibrate=False, coverage_floor=1.0),
    )
    labels = scorer.classifier.labels
    probs = np.zeros(len(labels))
    probs[labels.index("apple")] = apple
    probs[labels.index("zebra")] = zebra
    probs[labels.index(REJECT)] = 1.0 - apple - zebra
    return scorer.rank_from("quiet night", probs, top=top)


def test_scores_the_reject_penalty_zeroed_keep_the_probability_order() -> None:
    # "zebra" is far more likely than "apple", but the reject label takes both scores to 0: the
    # best candidate is still the likelier one, not the first name in the alphabet
    ranked = rank_with_reject(list(FRUIT), apple=0.05, zebra=0.25, top=2)
    assert [score for _, score in ranked] == [0.0, 0.0]
    assert [label for label, _ in ranked] == ["zebra", "apple"]


def test_few_intents_never_rank_the_reject_label() -> None:
    # fewer intents than the fuzzy step's candidates: the reject label, however likely, is not
    # one of the ranked candidates
    ranked = rank_with_reject(["apple", "zebra"], apple=0.1, zebra=0.3, top=5)
    assert [label for label, _ in ranked] == ["zebra", "apple"]


def test_one_word_message_is_not_answered_on_the_encoder_alone() -> None:
    # every word unknown to the n-grams (coverage 0): the encoder's confidence relaxes the
    # coverage factor, but for one word only up to one_word_confidence
    examples = {
        "refund": ["give my money back", "refund the charge"],
        "tracking": ["track the parcel", "where is the box"],
        "login": ["cannot sign in", "login fails"],
        "hours": ["opening hours", "when are you open"],
    }
    config = ScorerConfig(calibrate=False)
    scorer = IntentScorer.train(examples, ["weather today", "tell a joke"], config)
    labels = ("hours", "login", "refund", "tracking")
    semantic = EmbeddingClassifier(
        labels, np.zeros((4, 8), dtype=np.float32), np.array([0, 0, 5, 0], dtype=np.float32)
    )
    sure = float(semantic.probabilities(np.zeros((1, 8), dtype=np.float32))[0, 2])
    assert sure > 0.95

    def ensemble(cap: float) -> EnsembleScorer:
        return EnsembleScorer(
            scorer,
            semantic,
            CountingEncoder(),
            Mix(0.0, 1.0),
            EnsembleConfig(one_word_confidence=cap),
        )

    capped, uncapped = ensemble(0.5), ensemble(1.0)
    assert capped.rank("zzzq", top=1)[0] == ("refund", pytest.approx(sure * 0.5, abs=2e-3))
    assert uncapped.rank("zzzq", top=1)[0] == ("refund", pytest.approx(sure * sure, abs=2e-3))
    # two words: the whole confidence, whatever the cap
    assert capped.rank("zzzq qqzz", top=1)[0] == ("refund", pytest.approx(sure * sure, abs=2e-3))
