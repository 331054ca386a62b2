"""The meaning side of the matcher: logistic regression on sentence vectors.

A multinomial logistic regression (``C`` 16, balanced classes) learns the intents, and the
*reject* label from the background phrases, on the encoder's unit vectors. Its probabilities are
computed with numpy directly (sklearn's ``predict_proba`` validates its input on every call,
which costs more than the arithmetic for one message).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from intents.errors import IntentsError
from intents.matching.classifier import FloatArray, softmax

__all__ = ["EmbeddingClassifier", "SemanticConfig", "oof_embedding_probabilities"]


@dataclass(frozen=True)
class SemanticConfig:
    c: float = 16.0
    balanced: bool = True
    max_iter: int = 200
    random_state: int = 0


class EmbeddingClassifier:
    """Probabilities of ``labels`` for unit sentence vectors."""

    def __init__(
        self,
        labels: tuple[str, ...],
        coef: npt.NDArray[np.float32],
        intercept: npt.NDArray[np.float32],
    ) -> None:
        self.labels = labels
        self._coef_t = np.ascontiguousarray(coef.T, dtype=np.float32)
        self._intercept = intercept.astype(np.float32)

    @classmethod
    def fit(
        cls,
        vectors: npt.NDArray[np.float32],
        labels: Sequence[str],
        config: SemanticConfig = SemanticConfig(),
    ) -> EmbeddingClassifier:
        if len(set(labels)) < 2:
            raise IntentsError("the classifier needs at least two different labels to learn")
        model = LogisticRegression(
            C=config.c,
            max_iter=config.max_iter,
            class_weight="balanced" if config.balanced else None,
            random_state=config.random_state,
        )
        # one BLAS thread: on two cores shared with the event loop (or other work) more threads
        # made the fit 8-10x slower, not faster
        with warnings.catch_warnings(), threadpool_limits(1):
            # a few more iterations would move the probabilities by less than they matter
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(vectors, list(labels))
        classes = tuple(str(label) for label in model.classes_)
        coef = np.asarray(model.coef_, dtype=np.float32)
        intercept = np.asarray(model.intercept_, dtype=np.float32)
        if len(classes) == 2 and coef.shape[0] == 1:  # binary: one margin, expand to two
            coef = (np.vstack([-coef[0], coef[0]]) / 2).astype(np.float32)
            intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32) / np.float32(2)
        return cls(classes, coef, intercept)

    def probabilities(self, vectors: npt.NDArray[np.float32]) -> FloatArray:
        """One row per vector, columns in ``labels`` order."""
        margins = np.asarray(vectors @ self._coef_t + self._intercept, dtype=np.float64)
        return softmax(margins, 1.0)

    def aligned(self, vectors: npt.NDArray[np.float32], labels: Sequence[str]) -> FloatArray:
        """Probabilities in the column order of ``labels`` (0 for a label this model lacks)."""
        probs = self.probabilities(vectors)
        index = {label: i for i, label in enumerate(self.labels)}
        result = np.zeros((len(vectors), len(labels)))
        for j, label in enumerate(labels):
            if label in index:
                result[:, j] = probs[:, index[label]]
        return result


def oof_embedding_probabilities(
    vectors: npt.NDArray[np.float32],
    labels: Sequence[str],
    columns: Sequence[str],
    config: SemanticConfig = SemanticConfig(),
    folds: int = 3,
) -> npt.NDArray[np.float32]:
    """Probabilities of every row from a model that did not see it, columns in ``columns``."""
    truth = np.asarray(labels)
    _, counts = np.unique(truth, return_counts=True)
    folds = max(2, min(folds, int(counts.min())))
    result = np.zeros((len(truth), len(columns)), dtype=np.float32)  # thousands of rows
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.random_state)
    for train_idx, test_idx in splitter.split(np.zeros(len(truth)), truth):
        model = EmbeddingClassifier.fit(vectors[train_idx], truth[train_idx].tolist(), config)
        result[test_idx] = model.aligned(vectors[test_idx], columns)
    return result
