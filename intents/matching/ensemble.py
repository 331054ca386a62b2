"""The ensemble: the n-gram scorer's probabilities and a sentence encoder's, mixed.

Per class, ``p ∝ p_engine^a · p_encoder^b · p_nearest^c``: a weighted geometric mean of the
engine, the logistic regression on the sentence vectors and the nearest examples' cosines (see
:mod:`.semantic`), with free exponents so the mix stays calibrated. The exponents minimise the
log-loss of the true labels on out-of-fold probabilities of the training examples (a convex
problem, solved with SLSQP under a bound of their sum): the engine's come from the calibration
it already runs, the encoder's two from a k-fold on the vectors. The reject label (background
phrases) is a class on every side, so the mix's reject probability feeds the scorer's reject
penalty as before. Then the engine's fuzzy boost and coverage factor apply; the coverage factor
is relaxed to the regression's probability of the best intent when it is confident (a
paraphrase in unseen words is no longer punished for them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from intents.matching.calibration import oof_probabilities, out_of_fold_margins
from intents.matching.classifier import REJECT, FloatArray, TextClassifier
from intents.matching.encoder import SentenceEncoder
from intents.matching.memory import trim_heap
from intents.matching.scorer import IntentScorer, ScorerConfig
from intents.matching.semantic import (
    EmbeddingClassifier,
    NearestExamples,
    SemanticConfig,
    oof_embedding_probabilities,
)
from intents.text import normalize

__all__ = [
    "EnsembleConfig",
    "EnsembleScorer",
    "Mix",
    "OutOfFoldScores",
    "choose_mix",
    "mix",
    "top_scores",
]

_FLOOR = 1e-9
# probability matrices: float64 for messages, float32 for out-of-fold rows of a whole dataset
# (CLINC150: 15k rows x 151 labels, 9 MB instead of 18 each, at the training's memory peak)
Probabilities = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True)
class EnsembleConfig:
    semantic: SemanticConfig = field(default_factory=SemanticConfig)
    nearest: bool = True  # mix in the nearest examples' cosines (a third source)
    max_exponent: float = 4.0  # bound of each exponent of the mix
    # bound of the exponents' sum (the former grid's largest strength): unbounded, the fitted
    # mix of the sample content summed to 1.7-1.8 and answered more paraphrases confidently
    # wrong (5 instead of 3 on the two development sets)
    max_strength: float = 1.5
    confident: float = 0.5  # encoder probability from which the coverage factor relaxes
    # the relaxed factor of a one-word message is at most this: one word alone gives the encoder
    # no context ("ciao" is a greeting and a goodbye), so it may clarify but not answer alone
    one_word_confidence: float = 0.5
    oof_folds: int = 3  # for the encoder (and the engine when it is not calibrated)
    # the ensemble's own reject penalty (score = p(intent) - penalty * p(reject)); None: the
    # scorer's (ScorerConfig.reject_penalty). ``bench`` chooses it out of fold on CLINC150
    reject_penalty: float | None = None


@dataclass(frozen=True)
class Mix:
    """``p ∝ p_engine^engine · p_encoder^encoder · p_nearest^nearest``."""

    engine: float
    encoder: float
    nearest: float = 0.0

    def label(self) -> str:
        """The exponents for a report: ``engine / encoder`` (``/ nearest`` when used)."""
        text = f"{self.engine:.2f} / {self.encoder:.2f}"
        return f"{text} / {self.nearest:.2f}" if self.nearest else text

    @property
    def weight(self) -> float:
        """The encoder's share of the exponents (0 engine only, 1 encoder only)."""
        total = self.engine + self.encoder
        return self.encoder / total if total else 0.0


def mix(
    engine: Probabilities,
    encoder: Probabilities,
    weights: Mix,
    nearest: Probabilities | None = None,
) -> Probabilities:
    """The normalised weighted geometric mean of the probability matrices (rows sum to 1), in
    the inputs' precision (float32 for the out-of-fold matrices of thousands of rows)."""
    logs = weights.engine * np.log(np.maximum(engine, _FLOOR))
    logs = logs + weights.encoder * np.log(np.maximum(encoder, _FLOOR))
    if nearest is not None and weights.nearest:
        logs = logs + weights.nearest * np.log(np.maximum(nearest, _FLOOR))
    logs -= logs.max(axis=1, keepdims=True)
    exp = np.exp(logs)
    result: Probabilities = exp / exp.sum(axis=1, keepdims=True)
    return result


def choose_mix(
    engine: Probabilities,
    encoder: Probabilities,
    truth: npt.NDArray[np.intp],
    config: EnsembleConfig,
    nearest: Probabilities | None = None,
) -> Mix:
    """The exponents with the lowest log-loss of the true labels (out-of-fold rows).

    The loss of a weighted geometric mean is convex in its exponents (a log-linear model with
    fixed features), so SLSQP with the exact gradient finds the optimum under the bounds (each
    exponent, their sum) in a few dozen evaluations. The log-probabilities are float32
    (CLINC150: 15k rows × 151 labels each) and each evaluation reuses one work array.
    """
    from scipy.optimize import minimize  # training only

    sources = [engine, encoder] if nearest is None else [engine, encoder, nearest]
    rows = np.arange(len(truth))
    logs = [np.log(np.maximum(probs, _FLOOR)).astype(np.float32) for probs in sources]
    true = np.stack([log[rows, truth].astype(np.float64) for log in logs])
    buffer = np.empty_like(logs[0])

    def loss(exponents: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        work = np.multiply(logs[0], np.float32(exponents[0]), out=buffer)
        for exponent, log in zip(exponents[1:], logs[1:], strict=True):
            work += np.float32(exponent) * log
        top = work.max(axis=1).astype(np.float64)
        work -= top[:, None].astype(np.float32)
        np.exp(work, out=work)
        total = work.sum(axis=1, dtype=np.float64)
        value = float(np.mean(top + np.log(total) - exponents @ true))
        work /= total[:, None].astype(np.float32)  # the mixed probabilities
        # vdot: no temporary array of a whole dataset's rows (CLINC150: 9 MB each)
        expected = np.array([float(np.vdot(work.ravel(), log.ravel())) for log in logs])
        gradient = expected / len(truth) - true.mean(axis=1)
        return value, gradient

    start = np.full(len(sources), min(1.0, config.max_strength / len(sources)))
    bounds = [(0.0, config.max_exponent)] * len(sources)
    total = {
        "type": "ineq",
        "fun": lambda x: config.max_strength - float(np.sum(x)),
        "jac": lambda x: -np.ones_like(x),
    }
    found = minimize(loss, start, jac=True, method="SLSQP", bounds=bounds, constraints=[total])
    best = [round(float(x), 3) for x in found.x]
    return Mix(best[0], best[1], best[2] if len(best) > 2 else 0.0)


def top_scores(
    probs: Probabilities, labels: Sequence[str], reject_penalty: float
) -> tuple[list[str], FloatArray]:
    """Best intent and its score per row (the scorer's rule without fuzzy boost and coverage)."""
    names = np.asarray(labels)
    keep = names != REJECT
    penalty = np.zeros(len(probs))
    if not keep.all():
        penalty = reject_penalty * probs[:, int(np.flatnonzero(~keep)[0])].astype(np.float64)
    masked = np.where(keep, probs, -1.0)
    best = masked.argmax(axis=1)
    scores = np.maximum(masked[np.arange(len(probs)), best] - penalty, 0.0)
    return [str(names[i]) for i in best], scores.astype(np.float64)


@dataclass(frozen=True)
class OutOfFoldScores:
    """Every training example's best intent and score from models that did not see it."""

    truth: tuple[str, ...]
    engine_predicted: tuple[str, ...]
    engine_scores: tuple[float, ...]
    predicted: tuple[str, ...]
    scores: tuple[float, ...]


class EnsembleScorer:
    """Ranks labels like :class:`IntentScorer`, with a sentence encoder's view mixed in."""

    def __init__(
        self,
        scorer: IntentScorer,
        semantic: EmbeddingClassifier,
        encoder: SentenceEncoder,
        weights: Mix,
        config: EnsembleConfig = EnsembleConfig(),
        nearest: NearestExamples | None = None,
    ) -> None:
        self.scorer = scorer
        self.semantic = semantic
        self.nearest = nearest if weights.nearest else None
        self.encoder = encoder
        self.weights = weights
        self._config = config
        labels = scorer.classifier.labels
        index = {label: i for i, label in enumerate(semantic.labels)}
        self._order = np.array([index.get(label, -1) for label in labels])
        near = {} if nearest is None else {label: i for i, label in enumerate(nearest.labels)}
        self._near_order = np.array([near.get(label, -1) for label in labels])
        self._keep = np.array([label != REJECT for label in labels])
        self.oof: OutOfFoldScores | None = None

    @property
    def classifier(self) -> TextClassifier:
        return self.scorer.classifier

    @classmethod
    def train(
        cls,
        examples: Mapping[str, Sequence[str]],
        reject: Sequence[str],
        encoder: SentenceEncoder,
        scorer_config: ScorerConfig = ScorerConfig(),  # noqa: B008 - frozen, safe as default
        config: EnsembleConfig = EnsembleConfig(),
        *,
        vectors: npt.NDArray[np.float32] | None = None,
        keep_oof: bool = False,
    ) -> EnsembleScorer:
        """Train both sides and choose the mix; ``vectors`` are the texts' encodings if known
        (in the order of ``examples`` then ``reject``)."""
        texts: list[str] = []
        labels: list[str] = []
        for label, phrases in examples.items():
            texts.extend(phrases)
            labels.extend([label] * len(phrases))
        texts.extend(reject)
        labels.extend([REJECT] * len(reject))
        scorer = IntentScorer.train(examples, reject, scorer_config)
        oof = scorer.oof
        if oof is None:
            oof = out_of_fold_margins(texts, labels, scorer_config.classifier, config.oof_folds)
        scorer.oof = None
        engine_oof = oof_probabilities(oof, scorer.temperature).astype(np.float32)
        columns = oof.labels
        del oof
        # the engine's training garbage leaves the heap before the encoder's model loads and
        # the regression runs, so the two peaks do not add up
        trim_heap()
        if vectors is None:
            vectors = encoder.encode(texts)
        semantic = EmbeddingClassifier.fit(vectors, labels, config.semantic)
        encoder_oof, both_oof = oof_embedding_probabilities(
            vectors, labels, columns, config.semantic, config.oof_folds
        )
        nearest = NearestExamples.fit(vectors, labels, config.semantic) if config.nearest else None
        nearest_oof = both_oof if nearest is not None else None
        del both_oof
        index = {label: i for i, label in enumerate(columns)}
        truth = np.array([index[label] for label in labels])
        weights = choose_mix(engine_oof, encoder_oof, truth, config, nearest_oof)
        ensemble = cls(scorer, semantic, encoder, weights, config, nearest)
        if keep_oof:
            own = scorer_config.reject_penalty
            penalty = own if config.reject_penalty is None else config.reject_penalty
            engine_predicted, engine_scores = top_scores(engine_oof, columns, own)
            mixed = mix(engine_oof, encoder_oof, weights, nearest_oof)
            predicted, scores = top_scores(mixed, columns, penalty)
            ensemble.oof = OutOfFoldScores(
                tuple(labels),
                tuple(engine_predicted),
                tuple(engine_scores.tolist()),
                tuple(predicted),
                tuple(scores.tolist()),
            )
        return ensemble

    @property
    def temperature(self) -> float:
        return self.scorer.temperature

    def probabilities(
        self, texts: Sequence[str], vectors: npt.NDArray[np.float32] | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """(mixed, encoder) probabilities, columns in ``classifier.labels`` order."""
        engine = self.scorer.probabilities(texts)
        if vectors is None:
            vectors = self.encoder.encode(texts)
        raw = self.semantic.probabilities(vectors)
        encoder = np.where(self._order >= 0, raw[:, np.maximum(self._order, 0)], 0.0)
        nearest = None
        if self.nearest is not None:
            near = self.nearest.probabilities(vectors)
            nearest = np.where(self._near_order >= 0, near[:, np.maximum(self._near_order, 0)], 0.0)
        mixed = mix(engine, encoder, self.weights, nearest)
        return np.asarray(mixed, dtype=np.float64), encoder

    def rank(
        self, text: str, top: int = 5, vector: npt.NDArray[np.float32] | None = None
    ) -> list[tuple[str, float]]:
        """The ``top`` labels (reject excluded) with their combined score, best first."""
        vectors = None if vector is None else vector.reshape(1, -1)
        mixed, encoder = self.probabilities([text], vectors)
        row = mixed[0]
        best = int(np.argmax(np.where(self._keep, row, -1.0)))
        sure = float(encoder[0, best])
        confidence = sure if sure >= self._config.confident else 0.0
        if len(normalize(text).split()) < 2:
            confidence = min(confidence, self._config.one_word_confidence)
        return self.scorer.rank_from(text, row, top, confidence, self._config.reject_penalty)
