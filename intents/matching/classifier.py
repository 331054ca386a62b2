"""The statistical scorer: TF-IDF over word and character n-grams, two linear models, a softmax.

Word (1-2)-grams catch phrasing; ``char_wb`` (2-5)-grams catch Russian morphology and typos. Two
linear models are trained on the same features: a linear SVM (``LinearSVC``) and a
``modified_huber`` SGD classifier. Each model's margins are divided by their spread on the
training set (so the two are on one scale), turned into probabilities by a softmax with a shared
temperature (fitted on out-of-fold margins, see :mod:`.calibration`) and the two probability rows
are averaged. An optional *reject* label trained on out-of-scope phrases takes probability mass
away from the intents when a message looks like none of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.svm import LinearSVC

from intents.errors import IntentsError
from intents.text import normalize

__all__ = ["REJECT", "ClassifierConfig", "TextClassifier", "softmax"]

REJECT = "__reject__"
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ClassifierConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 1
    c: float = 1.0  # LinearSVC
    sgd_alpha: float = 1e-5  # SGDClassifier(modified_huber); 0 disables the second model
    reject_weight: float = 1.0
    balanced: bool = True  # class_weight="balanced": intents with fewer examples are not drowned
    max_iter: int = 10_000
    sgd_max_iter: int = 1_000
    random_state: int = 0


def _fit_quietly(
    model: LinearSVC | SGDClassifier,
    matrix: sparse.csr_matrix,
    labels: list[str],
    weights: npt.NDArray[np.float64],
    max_iter: int,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        try:
            model.fit(matrix, labels, sample_weight=weights)
        except ConvergenceWarning as exc:
            raise IntentsError(
                f"the classifier did not converge in {max_iter} iterations; "
                "raise max_iter or lower C"
            ) from exc


def _one_per_label(
    coef: npt.NDArray[np.float32], intercept: npt.NDArray[np.float32], classes: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    if classes == 2 and coef.shape[0] == 1:  # binary model: one margin, expand to one per label
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32)
    return coef, intercept


class TextClassifier:
    """Margins and probabilities for a fixed set of labels (the reject label included).

    ``margins`` has one block of columns per model (``len(labels)`` columns each), already
    divided by that model's spread; :meth:`probabilities` turns each block into a softmax and
    averages them.
    """

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
        # the per-message fast path (see :meth:`_row`): sklearn's ``transform`` validates its
        # input on every call, which costs more than the arithmetic for a single message
        self._blocks: tuple[_Block, ...] = (
            _Block.of(word, 0),
            _Block.of(char, len(word.vocabulary_)),
        )
        self._intercept = intercept
        self.models = coef.shape[0] // len(labels)
        self._vocabulary: frozenset[str] = frozenset(
            term for term in word.vocabulary_ if " " not in term
        )
        self._words = sorted(self._vocabulary)
        self._typos: dict[str, bool] = {}
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
        label_list = list(labels)
        truth = np.asarray(label_list)
        weights = np.where(truth == REJECT, config.reject_weight, 1.0)
        if config.balanced:
            names, counts = np.unique(truth, return_counts=True)
            share = len(truth) / (len(names) * counts)
            per_label = dict(zip(names.tolist(), share.tolist(), strict=True))
            weights = weights * np.array([per_label[label] for label in label_list])
        models: list[LinearSVC | SGDClassifier] = [
            LinearSVC(C=config.c, max_iter=config.max_iter, random_state=config.random_state)
        ]
        if config.sgd_alpha > 0:
            models.append(
                SGDClassifier(
                    loss="modified_huber",
                    alpha=config.sgd_alpha,
                    max_iter=config.sgd_max_iter,
                    tol=1e-4,
                    random_state=config.random_state,
                )
            )
        coefs: list[npt.NDArray[np.float32]] = []
        intercepts: list[npt.NDArray[np.float32]] = []
        classes: tuple[str, ...] = ()
        for model in models:
            max_iter = config.max_iter if isinstance(model, LinearSVC) else config.sgd_max_iter
            _fit_quietly(model, matrix, label_list, weights, max_iter)
            classes = tuple(str(label) for label in model.classes_)
            coef, intercept = _one_per_label(
                np.asarray(model.coef_, dtype=np.float32),
                np.asarray(model.intercept_, dtype=np.float32),
                len(classes),
            )
            # one scale for all models: the spread of this model's margins on its training data
            spread = float(np.std(matrix @ coef.T + intercept)) or 1.0
            coefs.append(coef / spread)
            intercepts.append(intercept / spread)
        return cls(word, char, classes, np.vstack(coefs), np.concatenate(intercepts))

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        docs = [normalize(text) for text in texts]
        return sparse.hstack([self._word.transform(docs), self._char.transform(docs)]).tocsr()

    def margins(self, texts: Sequence[str]) -> FloatArray:
        """One row per text: ``models`` blocks of scaled margins, each in ``labels`` order.

        The same numbers as ``features(texts) @ coef.T + intercept``, computed without building a
        sparse matrix: the rows of the coefficient matrix for the message's n-grams are weighted
        and summed.
        """
        result = np.empty((len(texts), self._coef_t.shape[1]), dtype=np.float64)
        for i, text in enumerate(texts):
            columns, values = self._row(normalize(text))
            row = values @ self._coef_t[columns] if len(columns) else 0.0
            result[i] = row + self._intercept
        return result

    def _row(self, doc: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
        """Feature columns and TF-IDF values of one normalised text (each block L2-normalised)."""
        columns: list[npt.NDArray[np.intp]] = []
        values: list[npt.NDArray[np.float32]] = []
        for block in self._blocks:
            cols, vals = block.row(doc)
            columns.append(cols)
            values.append(vals)
        return np.concatenate(columns), np.concatenate(values)

    def probabilities(self, margins: FloatArray, temperature: float | None = None) -> FloatArray:
        """The average of the models' softmax rows, columns in ``labels`` order."""
        t = self.temperature if temperature is None else temperature
        n = len(self.labels)
        blocks = [softmax(margins[:, i * n : (i + 1) * n], t) for i in range(self.models)]
        result: FloatArray = np.mean(blocks, axis=0)
        return result

    def coverage(self, text: str) -> float:
        """Share of the message's words seen in training: 0 for gibberish, 1 for familiar text.

        A word counts as seen when it is in the vocabulary or is a typo of a vocabulary word
        (``fuzz.ratio`` ≥ 90 for words of five letters or more: "заказз" → "заказ").
        """
        words = [word for word in normalize(text).split() if len(word) > 1 or word.isdigit()]
        if not words:
            return 0.0
        return sum(self.known(word) for word in words) / len(words)

    def known(self, word: str) -> bool:
        if word in self._vocabulary:
            return True
        if len(word) < 5:
            return False
        if word not in self._typos:
            match = process.extractOne(word, self._words, scorer=fuzz.ratio, score_cutoff=90)
            if len(self._typos) > 10_000:
                self._typos.clear()
            self._typos[word] = match is not None
        return self._typos[word]


class _Block:
    """One fitted ``TfidfVectorizer`` (sublinear tf, L2 norm) applied to one text in pure Python."""

    def __init__(
        self,
        analyzer: Callable[[str], list[str]],
        vocabulary: dict[str, int],
        idf: npt.NDArray[np.float32],
        offset: int,
    ) -> None:
        self._analyzer = analyzer
        self._vocabulary = vocabulary
        self._idf = idf
        self._offset = offset

    @classmethod
    def of(cls, vectorizer: TfidfVectorizer, offset: int) -> _Block:
        if not vectorizer.sublinear_tf or vectorizer.norm != "l2" or not vectorizer.use_idf:
            raise IntentsError("the fast path expects sublinear tf, idf and L2 normalisation")
        return cls(
            vectorizer.build_analyzer(),
            vectorizer.vocabulary_,
            np.asarray(vectorizer.idf_, dtype=np.float32),
            offset,
        )

    def row(self, doc: str) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
        counts: dict[int, int] = {}
        vocabulary = self._vocabulary
        for term in self._analyzer(doc):
            index = vocabulary.get(term)
            if index is not None:
                counts[index] = counts.get(index, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32)
        cols = np.fromiter(counts, dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        vals = (np.log(tf) + 1.0) * self._idf[cols]
        norm = float(np.sqrt(np.dot(vals, vals)))
        if norm > 0:
            vals = vals / norm
        return cols + self._offset, vals.astype(np.float32)


def softmax(margins: FloatArray, temperature: float) -> FloatArray:
    scaled = margins / max(temperature, 1e-6)
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return result
