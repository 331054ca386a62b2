"""Knowledge-base retrieval: stemmed word TF-IDF, cosine similarity, rescaled to a score.

Words are cut to their first five letters, a crude stemmer that is enough for Russian endings
("заказа", "заказом" → "заказ"). Inverse document frequencies are learnt from the articles *and*
the intent examples of the language, so words every customer writes ("my", "как") weigh little.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from intents.matching.tfidf_row import TfidfRow
from intents.text import tokens
from kb import Article

__all__ = ["ArticleIndex"]

_STEM = 5
# Cosine below FLOOR scores 0; at FLOOR + SPAN it reaches CAP. Articles are matched by their
# own prose, not by how customers ask, so a perfect article score stays below a sure intent.
_FLOOR, _SPAN, _CAP = 0.12, 0.5, 0.9


def _stems(text: str) -> list[str]:
    return [token[:_STEM] for token in tokens(text) if len(token) > 1 or token.isdigit()]


class ArticleIndex:
    def __init__(self, articles: Sequence[Article], background: Sequence[str]) -> None:
        self.ids: tuple[str, ...] = tuple(article.id for article in articles)
        self._row: TfidfRow | None = None
        if not articles:
            return
        from sklearn.feature_extraction.text import TfidfVectorizer  # training only

        docs = [
            " ".join([article.title] * 3 + list(article.tags) * 2 + [article.body])
            for article in articles
        ]
        vectorizer = TfidfVectorizer(
            analyzer=_stems, sublinear_tf=True, ngram_range=(1, 1), dtype=np.float32
        )
        vectorizer.fit([*docs, *background])
        self._row = TfidfRow.of(vectorizer, offset=0)
        # term x article weights, dense: a few thousand stems by a few dozen articles
        self._weights = vectorizer.transform(docs).T.toarray()

    def scores(self, text: str) -> dict[str, float]:
        """Score in 0..CAP per article id (only articles with a positive score)."""
        if self._row is None:
            return {}
        terms, values = self._row.row(text)
        if not terms.size:
            return {}
        cosine = values @ self._weights[terms]
        result: dict[str, float] = {}
        for article_id, value in zip(self.ids, cosine, strict=True):
            score = min(_CAP, _CAP * (float(value) - _FLOOR) / _SPAN)
            if score > 0:
                result[article_id] = round(score, 4)
        return result
