from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.svm import LinearSVC

from intents import Content, Engine
from intents.matching.classifier import ClassifierConfig, TextClassifier
from intents.matching.ngrams import CharNgrams, WordNgrams
from intents.text import normalize


def test_fast_margins_match_the_sparse_product(engine: Engine) -> None:
    """The per-message path gives the numbers a sparse matrix product gives (the rows' equality
    with sklearn's analyzers is in test_ngrams.py, with its transform in test_articles.py)."""
    classifier = engine.scorer("ru").classifier
    texts = [
        "где мой заказ?",
        "Как ОПЛАТИТЬ картой 2 раза",
        "",
        "!!!",
        "zzzz qqqq",
        "заказз",
        "заказами оплатили",  # inflections: the word block counts stems
    ]
    expected = classifier.features(texts) @ classifier._coef_t + classifier._intercept
    np.testing.assert_allclose(classifier.margins(texts), expected, atol=1e-5)


def test_word_block_counts_stems(engine: Engine) -> None:
    classifier = engine.scorer("ru").classifier
    inflected, plain = classifier.features(["заказами"]), classifier.features(["заказ"])
    words = len(classifier._blocks[0].vocabulary)
    assert inflected[:, :words].nnz == 1
    assert (inflected[:, :words] != plain[:, :words]).nnz == 0


def test_coverage_weighs_words_by_idf(engine: Engine) -> None:
    classifier = engine.scorer("ru").classifier
    assert classifier.coverage("где мой заказ") == 1.0
    assert classifier.coverage("заказами") == 1.0  # an unseen inflection of a known word
    assert classifier.coverage("zzzz qqqq") == 0.0
    # one unknown word in four, but it is the subject: it weighs more than a quarter
    assert classifier.coverage("где мой заказ барабулька") < 0.75


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_margins_are_the_fitted_models_decision_function(
    sample_content: Content, lang: str
) -> None:
    """What a trained classifier keeps (vocabularies, idf, coefficients: no scikit-learn object,
    so one loaded from the matcher cache answers without scikit-learn) scores every example of the
    sample content as the fitted scikit-learn pipeline does: the vectorizers' ``transform``, then
    each model's ``decision_function`` divided by its spread on the training set. The stored
    coefficients are float32, hence the tolerance."""
    config = ClassifierConfig()
    texts = [t for i in sample_content.intents.values() for t in i.examples.get(lang, ())]
    labels = [i.id for i in sample_content.intents.values() for _ in i.examples.get(lang, ())]
    ours = TextClassifier.fit(texts, labels, config).margins(texts)

    docs = [normalize(text) for text in texts]
    word = TfidfVectorizer(
        analyzer=WordNgrams(*config.word_ngrams, stem=config.stem_words),
        sublinear_tf=True,
        dtype=np.float32,
    )
    char = TfidfVectorizer(
        analyzer=CharNgrams(*config.char_ngrams), sublinear_tf=True, dtype=np.float32
    )
    matrix = sparse.hstack([word.fit_transform(docs), char.fit_transform(docs)]).tocsr()
    names, counts = np.unique(labels, return_counts=True)  # class_weight="balanced"
    share = dict(zip(names.tolist(), (len(labels) / (len(names) * counts)).tolist(), strict=True))
    weights = np.array([share[label] for label in labels])
    models = [
        LinearSVC(C=config.c, max_iter=config.max_iter, random_state=config.random_state),
        SGDClassifier(
            loss="modified_huber",
            alpha=config.sgd_alpha,
            max_iter=config.sgd_max_iter,
            tol=1e-4,
            random_state=config.random_state,
        ),
    ]
    n = len(names)
    assert ours.shape == (len(texts), len(models) * n)
    for block, model in enumerate(models):
        model.fit(matrix, labels, sample_weight=weights)
        decision = model.decision_function(matrix)
        expected = decision / np.std(decision)
        margins = ours[:, block * n : (block + 1) * n]
        np.testing.assert_allclose(margins, expected, atol=2e-5, rtol=0)
        assert (margins.argmax(axis=1) == expected.argmax(axis=1)).all()
