from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from intents import Content
from intents.matching.articles import _CAP, _FLOOR, _SPAN, ArticleIndex, _stems
from intents.matching.tfidf_row import TfidfRow

QUERIES = ["как отследить посылку", "Отслеживание ПОСЫЛОК, трек-номер!", "", "!!!", "zzzz qqqq"]


def _ru(content: Content) -> tuple[list[str], list[str], ArticleIndex]:
    articles = sorted((a for a in content.articles.values() if a.lang == "ru"), key=lambda a: a.id)
    docs = [" ".join([a.title] * 3 + list(a.tags) * 2 + [a.body]) for a in articles]
    background = [t for intent in content.intents.values() for t in intent.examples.get("ru", ())]
    return docs, background, ArticleIndex(articles, background)


def test_tfidf_row_matches_sklearn_transform(content: Content) -> None:
    docs, background, _ = _ru(content)
    vectorizer = TfidfVectorizer(analyzer=_stems, sublinear_tf=True, dtype=np.float32)
    vectorizer.fit([*docs, *background])
    row = TfidfRow.of(vectorizer, offset=0)
    for query in QUERIES:
        expected = vectorizer.transform([query]).toarray().ravel()
        terms, values = row.row(query)
        actual = np.zeros_like(expected)
        actual[terms] = values
        np.testing.assert_allclose(actual, expected, atol=1e-6)


def test_article_scores_are_the_rescaled_cosine(content: Content) -> None:
    docs, background, index = _ru(content)
    vectorizer = TfidfVectorizer(analyzer=_stems, sublinear_tf=True, dtype=np.float32)
    vectorizer.fit([*docs, *background])
    cosine = (vectorizer.transform(QUERIES[:2]) @ vectorizer.transform(docs).T).toarray()
    for query, row in zip(QUERIES[:2], cosine, strict=True):
        rescaled = {
            article_id: round(min(_CAP, _CAP * (float(value) - _FLOOR) / _SPAN), 4)
            for article_id, value in zip(index.ids, row, strict=True)
        }
        expected = {article_id: score for article_id, score in rescaled.items() if score > 0}
        assert expected, query
        actual = index.scores(query)
        assert actual.keys() == expected.keys()
        assert all(abs(actual[k] - expected[k]) <= 2e-4 for k in expected)
    for query in QUERIES[2:]:
        assert index.scores(query) == {}
