"""Calibration: a softmax temperature fitted on out-of-fold margins, and threshold suggestions.

A score is calibrated when, among answers given with score ≈ p, about p are right; then a
threshold of 0.55 means "answer when at least 55 % sure". The temperature is the one value that
minimises the negative log-likelihood of the true labels on margins the model did not train on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from intents.matching.classifier import ClassifierConfig, FloatArray, TextClassifier, softmax

__all__ = [
    "OutOfFold",
    "ThresholdSuggestion",
    "fit_temperature",
    "oof_probabilities",
    "out_of_fold_margins",
    "suggest_thresholds",
]

_TEMPERATURES = np.geomspace(0.02, 2.0, 60)


@dataclass(frozen=True)
class OutOfFold:
    """Margins of every training text from a model that did not see it."""

    margins: FloatArray
    labels: tuple[str, ...]  # column order of ``margins``
    truth: tuple[str, ...]  # the true label of each row
    models: int = 1  # blocks of ``len(labels)`` columns, one per linear model


def out_of_fold_margins(
    texts: Sequence[str], labels: Sequence[str], config: ClassifierConfig, folds: int = 3
) -> OutOfFold:
    truth = np.asarray(labels)
    classes = tuple(sorted(set(labels)))
    _, counts = np.unique(truth, return_counts=True)
    folds = max(2, min(folds, int(counts.min())))
    models = 2 if config.sgd_alpha > 0 else 1
    n = len(classes)
    margins = np.full((len(texts), models * n), -10.0)
    from sklearn.model_selection import StratifiedKFold  # training only

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.random_state)
    for train_idx, test_idx in splitter.split(np.zeros(len(truth)), truth):
        model = TextClassifier.fit([texts[i] for i in train_idx], truth[train_idx].tolist(), config)
        columns = [
            block * n + classes.index(label)
            for block in range(model.models)
            for label in model.labels
        ]
        margins[np.ix_(test_idx, columns)] = model.margins([texts[i] for i in test_idx])
    return OutOfFold(margins, classes, tuple(truth.tolist()), models)


def oof_probabilities(oof: OutOfFold, temperature: float) -> FloatArray:
    """The averaged softmax of the out-of-fold margins, as :class:`TextClassifier` computes it."""
    n = len(oof.labels)
    blocks = [softmax(oof.margins[:, i * n : (i + 1) * n], temperature) for i in range(oof.models)]
    result: FloatArray = np.mean(blocks, axis=0)
    return result


def fit_temperature(oof: OutOfFold) -> float:
    index = {label: i for i, label in enumerate(oof.labels)}
    rows = np.arange(len(oof.truth))
    cols = np.array([index[label] for label in oof.truth])
    best, best_loss = 1.0, np.inf
    for temperature in _TEMPERATURES:
        probs = oof_probabilities(oof, float(temperature))
        loss = -np.log(np.clip(probs[rows, cols], 1e-12, None)).mean()
        if loss < best_loss:
            best, best_loss = float(temperature), float(loss)
    return best


@dataclass(frozen=True)
class ThresholdSuggestion:
    answer: float
    clarify: float
    answer_precision: float  # share of right answers above ``answer`` (out-of-fold)
    answered: float  # share of in-scope messages answered at ``answer``


def suggest_thresholds(
    scores: Sequence[float], correct: Sequence[bool], target_precision: float = 0.97
) -> ThresholdSuggestion:
    """The lowest answer threshold whose answers are right ``target_precision`` of the time.

    ``clarify`` is set where precision drops to about one in two: below it even the top
    candidates are mostly wrong and a person should take over.
    """
    order = np.argsort(-np.asarray(scores))
    ranked = np.asarray(scores)[order]
    hits = np.cumsum(np.asarray(correct)[order])
    precision = hits / np.arange(1, len(ranked) + 1)
    answer = clarify = 1.0
    for i in range(len(ranked)):
        if precision[i] >= target_precision:
            answer = float(ranked[i])
        if precision[i] >= 0.5:
            clarify = float(ranked[i])
    answer = round(min(max(answer, 0.3), 0.95), 2)
    clarify = round(min(max(clarify, 0.1), answer), 2)
    at = ranked >= answer
    answered_precision = float(np.asarray(correct)[order][at].mean()) if at.any() else 1.0
    return ThresholdSuggestion(answer, clarify, answered_precision, float(at.mean()))
