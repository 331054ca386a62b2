"""The statistical scorer: TF-IDF over word and character n-grams, a linear SVM, a softmax.

Word (1-2)-grams catch phrasing; ``char_wb`` (2-5)-grams catch Russian morphology and typos. A
one-vs-rest linear SVM gives one margin per label; a softmax with a temperature turns the margins
into probabilities (the temperature is fitted on out-of-fold margins, see :mod:`.calibration`).
An optional *reject* label trained on out-of-scope phrases takes probability mass away from the
intents when a message looks like none of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from intents.errors import IntentsError
from intents.text import normalize

__all__ = ["REJECT", "ClassifierConfig", "TextClassifier"]

REJECT = "__reject__"
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ClassifierConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 1
    c: float = 0.5
    reject_weight: float = 1.0
    max_iter: int = 10_000
    random_state: int = 0


class TextClassifier:
    """Margins and probabilities for a fixed set of labels (the reject label included)."""

    def __init__(
        self,
        word: TfidfVectorizer,
        char: TfidfVectorizer,
        labels: tuple[str, ...],
        coef: npt.NDArray[np.float32],
        intercept: npt.NDArray[np.float32],
    ) -> None:
        self._word = word
        self._char = char
        self.labels = labels
        self._coef_t = np.ascontiguousarray(coef.T)
        self._intercept = intercept
        self._vocabulary: frozenset[str] = frozenset(
            term for term in word.vocabulary_ if " " not in term
        )
        self.temperature = 1.0

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        config: ClassifierConfig = ClassifierConfig(),
    ) -> TextClassifier:
        if len(set(labels)) < 2:
            raise IntentsError("the classifier needs at least two different labels to learn")
        docs = [normalize(text) for text in texts]
        word = TfidfVectorizer(
            analyzer="word",
            ngram_range=config.word_ngrams,
            sublinear_tf=True,
            min_df=config.min_df,
            token_pattern=r"(?u)\b\w+\b",
            dtype=np.float32,
        )
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=config.char_ngrams,
            sublinear_tf=True,
            min_df=config.min_df,
            dtype=np.float32,
        )
        matrix = sparse.hstack([word.fit_transform(docs), char.fit_transform(docs)]).tocsr()
        weights = np.where(np.asarray(labels) == REJECT, config.reject_weight, 1.0)
        model = LinearSVC(C=config.c, max_iter=config.max_iter, random_state=config.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            try:
                model.fit(matrix, list(labels), sample_weight=weights)
            except ConvergenceWarning as exc:
                raise IntentsError(
                    f"the classifier did not converge in {config.max_iter} iterations; "
                    "raise max_iter or lower C"
                ) from exc
        coef = np.asarray(model.coef_, dtype=np.float32)
        intercept = np.asarray(model.intercept_, dtype=np.float32)
        classes = tuple(str(label) for label in model.classes_)
        if len(classes) == 2:  # binary SVM: one margin, expand to one per label
            coef = np.vstack([-coef[0], coef[0]])
            intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32)
        return cls(word, char, classes, coef, intercept)

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        docs = [normalize(text) for text in texts]
        return sparse.hstack([self._word.transform(docs), self._char.transform(docs)]).tocsr()

    def margins(self, texts: Sequence[str]) -> FloatArray:
        """One row of SVM margins per text, columns in ``labels`` order."""
        product = self.features(texts) @ self._coef_t
        return np.asarray(product + self._intercept, dtype=np.float64)

    def probabilities(self, margins: FloatArray) -> FloatArray:
        return softmax(margins, self.temperature)

    def coverage(self, text: str) -> float:
        """Share of the message's words seen in training: 0 for gibberish, 1 for familiar text."""
        words = normalize(text).split()
        if not words:
            return 0.0
        return sum(word in self._vocabulary for word in words) / len(words)


def softmax(margins: FloatArray, temperature: float) -> FloatArray:
    scaled = margins / max(temperature, 1e-6)
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return result
