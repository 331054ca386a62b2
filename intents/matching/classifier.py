"""The statistical scorer: TF-IDF over word and character n-grams, two linear models, a softmax.

Word (1-2)-grams over Snowball stems (:mod:`.stemming`) catch phrasing whatever the inflection;
``char_wb`` (2-5)-grams over the surface text catch Russian morphology, typos and the details a
stem drops. Two linear models are trained on the same features: a linear SVM (``LinearSVC``)
and a ``modified_huber`` SGD classifier. Each model's margins are divided by their spread on the
training set (so the two are on one scale), turned into probabilities by a softmax with a shared
temperature (fitted on out-of-fold margins, see :mod:`.calibration`) and the two probability rows
are averaged. An optional *reject* label trained on out-of-scope phrases takes probability mass
away from the intents when a message looks like none of them.

scikit-learn and SciPy are imported by :meth:`TextClassifier.fit` (and ``features``) only: a
fitted classifier keeps numpy arrays, dicts and its analyzers (:mod:`.ngrams`), so one loaded
from the matcher cache answers without them (about 80 MB and a second less at start-up).
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from intents.errors import IntentsError
from intents.matching.ngrams import CharNgrams, WordNgrams
from intents.matching.stemming import stem_word
from intents.matching.tfidf_row import TfidfRow
from intents.text import normalize

if TYPE_CHECKING:
    from scipy import sparse
    from sklearn.linear_model import SGDClassifier
    from sklearn.svm import LinearSVC

__all__ = ["REJECT", "ClassifierConfig", "TextClassifier", "softmax"]

REJECT = "__reject__"
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ClassifierConfig:
    word_ngrams: tuple[int, int] = (1, 2)
    stem_words: bool = True  # the word block counts Snowball stems instead of surface words
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 1
    c: float = 1.0  # LinearSVC
    sgd_alpha: float = 1e-5  # SGDClassifier(modified_huber); 0 disables the second model
    reject_weight: float = 1.0
    balanced: bool = True  # class_weight="balanced": intents with fewer examples are not drowned
    max_iter: int = 10_000
    sgd_max_iter: int = 1_000
    sgd_jobs: int = 1  # threads for the SGD model's one-vs-rest problems (the same model)
    random_state: int = 0


def _fit_quietly(
    model: LinearSVC | SGDClassifier,
    matrix: sparse.csr_matrix,
    labels: list[str],
    weights: npt.NDArray[np.float64],
    max_iter: int,
) -> None:
    from sklearn.exceptions import ConvergenceWarning

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


def _model_makers(
    config: ClassifierConfig,
) -> list[Callable[[], LinearSVC | SGDClassifier]]:
    from sklearn.linear_model import SGDClassifier
    from sklearn.svm import LinearSVC

    def svm() -> LinearSVC:
        return LinearSVC(C=config.c, max_iter=config.max_iter, random_state=config.random_state)

    def sgd() -> SGDClassifier:
        return SGDClassifier(
            loss="modified_huber",
            alpha=config.sgd_alpha,
            max_iter=config.sgd_max_iter,
            tol=1e-4,
            n_jobs=config.sgd_jobs,
            random_state=config.random_state,
        )

    return [svm, sgd] if config.sgd_alpha > 0 else [svm]


class TextClassifier:
    """Margins and probabilities for a fixed set of labels (the reject label included).

    ``margins`` has one block of columns per model (``len(labels)`` columns each), already
    divided by that model's spread; :meth:`probabilities` turns each block into a softmax and
    averages them.
    """

    def __init__(
        self,
        blocks: tuple[TfidfRow, TfidfRow],
        labels: tuple[str, ...],
        coef: npt.NDArray[np.float32],
        intercept: npt.NDArray[np.float32],
        vocabulary: frozenset[str],
        *,
        stemmed: bool,
    ) -> None:
        self.labels = labels
        self._coef_t = np.ascontiguousarray(coef.T)
        # the per-message fast path (see :meth:`_row`): sklearn's ``transform`` validates its
        # input on every call, which costs more than the arithmetic for a single message; the
        # word block's columns come first, then the character block's
        self._blocks = blocks
        self._intercept = intercept
        self.models = coef.shape[0] // len(labels)
        self._vocabulary = vocabulary  # surface words seen in training (see :meth:`coverage`)
        self._words = sorted(self._vocabulary)
        self._stem: Callable[[str], str] = stem_word if stemmed else str
        self._word_columns = blocks[0].vocabulary
        self._idf = np.asarray(blocks[0].idf, dtype=np.float64)
        self._rarest = float(self._idf.max()) if len(self._idf) else 1.0
        self._typos: dict[str, bool] = {}
        self.temperature = 1.0

    def __getstate__(self) -> dict[str, object]:
        """What the matcher cache stores: the typo memo starts empty, the sorted words are
        rebuilt from the vocabulary."""
        state = dict(self.__dict__)
        state["_typos"] = {}
        del state["_words"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._words = sorted(self._vocabulary)

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        labels: Sequence[str],
        config: ClassifierConfig = ClassifierConfig(),
    ) -> TextClassifier:
        if len(set(labels)) < 2:
            raise IntentsError("the classifier needs at least two different labels to learn")
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        docs = [normalize(text) for text in texts]
        word = TfidfVectorizer(
            analyzer=WordNgrams(*config.word_ngrams, stem=config.stem_words),
            sublinear_tf=True,
            min_df=config.min_df,
            dtype=np.float32,
        )
        char = TfidfVectorizer(
            analyzer=CharNgrams(*config.char_ngrams),
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
        coefs: list[npt.NDArray[np.float32]] = []
        intercepts: list[npt.NDArray[np.float32]] = []
        classes: tuple[str, ...] = ()
        for make in _model_makers(config):
            model = make()  # one at a time: a fitted model's float64 weights go before the next
            max_iter = config.max_iter if isinstance(model, LinearSVC) else config.sgd_max_iter
            _fit_quietly(model, matrix, label_list, weights, max_iter)
            classes = tuple(str(label) for label in model.classes_)
            coef, intercept = _one_per_label(
                np.asarray(model.coef_, dtype=np.float32),
                np.asarray(model.intercept_, dtype=np.float32),
                len(classes),
            )
            del model
            # one scale for all models: the spread of this model's margins on its training data
            spread = float(np.std(matrix @ coef.T + intercept)) or 1.0
            coefs.append(coef / spread)
            intercepts.append(intercept / spread)
        vocabulary = _surface_words(docs, config.min_df)
        blocks = (TfidfRow.of(word, 0), TfidfRow.of(char, len(word.vocabulary_)))
        del word, char, matrix  # the vectorizers' copies of the vocabularies go with them
        return cls(
            blocks,
            classes,
            np.vstack(coefs),
            np.concatenate(intercepts),
            vocabulary,
            stemmed=config.stem_words,
        )

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The TF-IDF rows of ``texts`` as one sparse matrix (word block, then character block)."""
        from scipy import sparse

        rows = [self._row(normalize(text)) for text in texts]
        columns = self._blocks[1].offset + len(self._blocks[1].vocabulary)
        indptr = np.cumsum([0, *(len(cols) for cols, _ in rows)])
        indices = np.concatenate([cols for cols, _ in rows]) if rows else np.empty(0, np.intp)
        data = np.concatenate([vals for _, vals in rows]) if rows else np.empty(0, np.float32)
        return sparse.csr_matrix((data, indices, indptr), shape=(len(texts), columns))

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

        Each word weighs its idf in the word block (an unknown word as much as the rarest known
        one): a message whose only unknown word is its subject ("how cold will it get tonight")
        is mostly unknown, however familiar "will it" is. A word counts as seen when it is in
        the vocabulary or, for words of five letters or more, shares a stem with a vocabulary
        word ("заказами" → "заказ") or is a typo of one (``fuzz.ratio`` ≥ 90: "заказз").
        """
        words = [word for word in normalize(text).split() if len(word) > 1 or word.isdigit()]
        if not words:
            return 0.0
        weights = [self._weight(word) for word in words]
        seen = sum(weight for word, weight in zip(words, weights, strict=True) if self.known(word))
        return seen / sum(weights)

    def _weight(self, word: str) -> float:
        index = self._word_columns.get(self._stem(word))
        return self._rarest if index is None else float(self._idf[index])

    def known(self, word: str) -> bool:
        if word in self._vocabulary:
            return True
        if len(word) < 5:
            return False
        if self._stem(word) in self._word_columns:
            return True
        if word not in self._typos:
            match = process.extractOne(word, self._words, scorer=fuzz.ratio, score_cutoff=90)
            if len(self._typos) > 10_000:
                self._typos.clear()
            self._typos[word] = match is not None
        return self._typos[word]


def _surface_words(docs: Iterable[str], min_df: int) -> frozenset[str]:
    """The words of the normalised training texts found in at least ``min_df`` of them."""
    counts = Counter(word for doc in docs for word in set(doc.split()))
    return frozenset(word for word, count in counts.items() if count >= min_df)


def softmax(margins: FloatArray, temperature: float) -> FloatArray:
    scaled = margins / max(temperature, 1e-6)
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    result: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return result
