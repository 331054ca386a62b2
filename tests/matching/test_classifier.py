from __future__ import annotations

import numpy as np

from intents import Engine


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
