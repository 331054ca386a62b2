"""The meaning side of the matcher: logistic regression and nearest examples on sentence vectors.

A multinomial logistic regression (``C`` 16, balanced classes) learns the intents, and the
*reject* label from the background phrases, on the encoder's unit vectors. Its probabilities are
computed with numpy directly (sklearn's ``predict_proba`` validates its input on every call,
which costs more than the arithmetic for one message).

:class:`NearestExamples` scores each label by the highest cosine between a message and that
label's examples (one nearest neighbour per label), turned into a softmax: it keeps what one
linear boundary per label smooths away (an intent phrased in several unrelated ways). The
vectors are compared in their first principal components (centred, projected, re-normalised),
which keeps the per-message product small.
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
from threadpoolctl import ThreadpoolController, threadpool_limits

from intents.errors import IntentsError
from intents.matching.classifier import FloatArray, softmax

__all__ = [
    "EmbeddingClassifier",
    "NearestExamples",
    "SemanticConfig",
    "oof_embedding_probabilities",
]


@dataclass(frozen=True)
class SemanticConfig:
    c: float = 16.0
    balanced: bool = True
    max_iter: int = 200
    random_state: int = 0
    # softmax temperature of the nearest-example cosines; the ensemble's exponent scales it
    # anyway, so it only sets the starting point of that choice
    nearest_temperature: float = 0.05
    # the nearest examples are compared in the training vectors' first principal components:
    # one message reads 128 floats per example instead of 512 (CLINC150: 7.7 MB instead of 31)
    nearest_dims: int = 128


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
        return _aligned(self.probabilities(vectors), self.labels, labels)


class NearestExamples:
    """Per label, the highest cosine between a vector and the label's examples, as a softmax.

    The examples are kept projected on the training vectors' first ``nearest_dims`` principal
    components and sorted by label (float32: CLINC150's 15k × 128 take 7.7 MB), so one matrix
    product and one ``maximum.reduceat`` give every label's best cosine.
    """

    _CHUNK = 256  # rows per product: bounds the similarity matrix (CLINC150's folds: 7.7 MB)

    def __init__(
        self,
        labels: tuple[str, ...],
        examples: npt.NDArray[np.float32],
        starts: npt.NDArray[np.intp],
        temperature: float,
        projection: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]] | None = None,
    ) -> None:
        self.labels = labels
        self._projection = projection  # (mean, components as columns) or None
        # ``examples``: already projected, sorted by label
        self._examples_t = np.ascontiguousarray(examples.T, dtype=np.float32)
        self._starts = starts
        self.temperature = temperature

    @classmethod
    def fit(
        cls,
        vectors: npt.NDArray[np.float32],
        labels: Sequence[str],
        config: SemanticConfig = SemanticConfig(),
    ) -> NearestExamples:
        if len(set(labels)) < 2:
            raise IntentsError("nearest examples need at least two different labels")
        truth = np.asarray(labels)
        order = np.argsort(truth, kind="stable")
        classes, starts = np.unique(truth[order], return_index=True)
        rows = np.asarray(vectors, dtype=np.float32)
        projection = _principal_components(rows, config.nearest_dims)
        return cls(
            tuple(str(label) for label in classes),
            # projected first, then sorted: no full-width copy of a whole dataset's vectors
            _project(rows, projection)[order],
            starts.astype(np.intp),
            config.nearest_temperature,
            projection,
        )

    def cosines(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Per row and label, the best cosine with that label's examples.

        One BLAS thread: OpenBLAS splits even one message's product (15k × 128) between two
        threads, which cost 1.6 ms of CPU on two busy cores instead of 0.24 ms.
        """
        with _blas().limit(limits=1, user_api="blas"):
            return self._cosines(vectors)

    def _cosines(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        result = np.empty((len(vectors), len(self.labels)), dtype=np.float32)
        for start in range(0, len(vectors), self._CHUNK):
            rows = _project(np.asarray(vectors[start : start + self._CHUNK]), self._projection)
            similarity = rows @ self._examples_t
            result[start : start + self._CHUNK] = np.maximum.reduceat(
                similarity, self._starts, axis=1
            )
        return result

    def probabilities(self, vectors: npt.NDArray[np.float32]) -> FloatArray:
        """One row per vector, columns in ``labels`` order."""
        return softmax(np.asarray(self.cosines(vectors), dtype=np.float64), self.temperature)

    def aligned(self, vectors: npt.NDArray[np.float32], labels: Sequence[str]) -> FloatArray:
        """Probabilities in the column order of ``labels`` (0 for a label this model lacks)."""
        return _aligned(self.probabilities(vectors), self.labels, labels)


_CONTROLLER: list[ThreadpoolController] = []


def _blas() -> ThreadpoolController:
    """One controller for the process: finding the BLAS libraries takes milliseconds, limiting
    an already found one a fraction of one (``threadpool_limits`` searches on every call)."""
    if not _CONTROLLER:
        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def _project(
    vectors: npt.NDArray[np.float32],
    projection: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]] | None,
) -> npt.NDArray[np.float32]:
    """Centred, projected on the components and re-normalised (unchanged without them)."""
    if projection is None:
        return vectors
    mean, components = projection
    projected = (vectors - mean) @ components
    norms = np.linalg.norm(projected, axis=1, keepdims=True)
    result: npt.NDArray[np.float32] = projected / np.maximum(norms, np.float32(1e-12))
    return result


def _principal_components(
    vectors: npt.NDArray[np.float32], dims: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]] | None:
    """(mean, the ``dims`` leading principal directions as columns); None when that would not
    reduce anything (``dims`` 0 or at least the vectors' width)."""
    if dims <= 0 or dims >= vectors.shape[1] or len(vectors) < 2:
        return None
    mean = vectors.mean(axis=0, dtype=np.float64)
    # one BLAS thread: on two busy cores the default two made eigh ten times slower (5 s)
    with threadpool_limits(1):
        # X'X - n·mean·mean' is the scatter matrix without a centred copy of the vectors
        scatter = (vectors.T @ vectors).astype(np.float64) - len(vectors) * np.outer(mean, mean)
        _, directions = np.linalg.eigh(scatter)  # ascending eigenvalues
    components = directions[:, ::-1][:, :dims]
    return mean.astype(np.float32), np.ascontiguousarray(components, dtype=np.float32)


def _aligned(probs: FloatArray, have: Sequence[str], labels: Sequence[str]) -> FloatArray:
    index = {label: i for i, label in enumerate(have)}
    result = np.zeros((len(probs), len(labels)))
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
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(regression, nearest examples) probabilities of every row from models that did not see
    it, columns in ``columns``; both use the same folds."""
    truth = np.asarray(labels)
    _, counts = np.unique(truth, return_counts=True)
    folds = max(2, min(folds, int(counts.min())))
    regression = np.zeros((len(truth), len(columns)), dtype=np.float32)  # thousands of rows
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.random_state)
    splits = list(splitter.split(np.zeros(len(truth)), truth))
    # the regressions first, the nearest examples after: the regressions' fits are the memory
    # peak of the ensemble's training (CLINC150), so nothing of the nearest side is alive then
    for train_idx, test_idx in splits:
        model = EmbeddingClassifier.fit(vectors[train_idx], truth[train_idx].tolist(), config)
        regression[test_idx] = model.aligned(vectors[test_idx], columns)
        del model
    nearest = np.zeros((len(truth), len(columns)), dtype=np.float32)
    for train_idx, test_idx in splits:
        neighbours = NearestExamples.fit(vectors[train_idx], truth[train_idx].tolist(), config)
        nearest[test_idx] = neighbours.aligned(vectors[test_idx], columns)
    return regression, nearest
