"""The ensemble: the n-gram scorer's probabilities and a sentence encoder's, mixed.

Per class, ``p ∝ p_engine^a · p_encoder^b`` (a weighted geometric mean with a free overall
strength, so the mix stays calibrated). ``a`` and ``b`` are chosen on out-of-fold probabilities
of the training examples (the log-loss of the true labels is minimised over a small grid): the
engine's come from the calibration it already runs, the encoder's from a k-fold of its logistic
regression. The reject label (background phrases) is a class on both sides, so the mix's reject
probability feeds the scorer's reject penalty as before. Then the engine's fuzzy boost and
coverage factor apply; the coverage factor is relaxed to the encoder's probability of the best
intent when the encoder is confident (a paraphrase in unseen words is no longer punished for
them).
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
    SemanticConfig,
    oof_embedding_probabilities,
)

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
    weights: tuple[float, ...] = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 21))
    strengths: tuple[float, ...] = (0.6, 0.8, 1.0, 1.25, 1.5)
    confident: float = 0.5  # encoder probability from which the coverage factor relaxes
    oof_folds: int = 3  # for the encoder (and the engine when it is not calibrated)


@dataclass(frozen=True)
class Mix:
    """``p ∝ p_engine^engine · p_encoder^encoder``."""

    engine: float
    encoder: float

    @property
    def weight(self) -> float:
        """The encoder's share of the exponents (0 engine only, 1 encoder only)."""
        total = self.engine + self.encoder
        return self.encoder / total if total else 0.0


def mix(engine: Probabilities, encoder: Probabilities, weights: Mix) -> Probabilities:
    """The normalised weighted geometric mean of two probability matrices (rows sum to 1), in
    the inputs' precision (float32 for the out-of-fold matrices of thousands of rows)."""
    logs = weights.engine * np.log(np.maximum(engine, _FLOOR))
    logs = logs + weights.encoder * np.log(np.maximum(encoder, _FLOOR))
    logs -= logs.max(axis=1, keepdims=True)
    exp = np.exp(logs)
    result: Probabilities = exp / exp.sum(axis=1, keepdims=True)
    return result


def choose_mix(
    engine: Probabilities,
    encoder: Probabilities,
    truth: npt.NDArray[np.intp],
    config: EnsembleConfig,
) -> Mix:
    """The exponents with the lowest log-loss of the true labels (out-of-fold rows).

    The log-probabilities are taken once and each candidate reuses one work array: on CLINC150
    (15k rows × 151 labels) a candidate costs one 18 MB array instead of four.
    """
    rows = np.arange(len(truth))
    log_engine = np.log(np.maximum(engine, _FLOOR)).astype(np.float32)
    log_encoder = np.log(np.maximum(encoder, _FLOOR)).astype(np.float32)
    true_engine = log_engine[rows, truth].astype(np.float64)
    true_encoder = log_encoder[rows, truth].astype(np.float64)
    work = np.empty_like(log_engine)
    best, best_loss = Mix(1.0, 0.0), np.inf
    for weight in config.weights:
        for strength in config.strengths:
            candidate = Mix(strength * (1 - weight), strength * weight)
            np.multiply(log_engine, np.float32(candidate.engine), out=work)
            work += np.float32(candidate.encoder) * log_encoder
            top = work.max(axis=1).astype(np.float64)
            work -= top[:, None].astype(np.float32)
            np.exp(work, out=work)
            log_norm = top + np.log(work.sum(axis=1, dtype=np.float64))
            true = candidate.engine * true_engine + candidate.encoder * true_encoder
            loss = float(np.mean(log_norm - true))
            if loss < best_loss - 1e-9:
                best, best_loss = candidate, loss
    return best


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
    ) -> None:
        self.scorer = scorer
        self.semantic = semantic
        self.encoder = encoder
        self.weights = weights
        self._config = config
        labels = scorer.classifier.labels
        index = {label: i for i, label in enumerate(semantic.labels)}
        self._order = np.array([index.get(label, -1) for label in labels])
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
        encoder_oof = oof_embedding_probabilities(
            vectors, labels, columns, config.semantic, config.oof_folds
        )
        index = {label: i for i, label in enumerate(columns)}
        truth = np.array([index[label] for label in labels])
        weights = choose_mix(engine_oof, encoder_oof, truth, config)
        ensemble = cls(scorer, semantic, encoder, weights, config)
        if keep_oof:
            penalty = scorer_config.reject_penalty
            engine_predicted, engine_scores = top_scores(engine_oof, columns, penalty)
            mixed = mix(engine_oof, encoder_oof, weights)
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
        return np.asarray(mix(engine, encoder, self.weights), dtype=np.float64), encoder

    def rank(
        self, text: str, top: int = 5, vector: npt.NDArray[np.float32] | None = None
    ) -> list[tuple[str, float]]:
        """The ``top`` labels (reject excluded) with their combined score, best first."""
        vectors = None if vector is None else vector.reshape(1, -1)
        mixed, encoder = self.probabilities([text], vectors)
        best = int(np.argmax(np.where(self._keep, mixed[0], -1.0)))
        sure = float(encoder[0, best])
        confidence = sure if sure >= self._config.confident else 0.0
        return self.scorer.rank_from(text, mixed[0], top, confidence)
