"""The classifier's own analyzers give exactly scikit-learn's n-grams, so a matcher that answers
without scikit-learn (loaded from the cache) scores as one trained with its analyzers would."""

from __future__ import annotations

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from intents import Content
from intents.matching.ngrams import CharNgrams, WordNgrams
from intents.matching.stemming import stem_text
from intents.text import normalize

ODD = ["", "  ", "a", "ab", "Как  ОПЛАТИТЬ\tкартой 2 раза", "где мой заказ??", "x\ny  z", "ёлка"]


def _texts(content: Content) -> list[str]:
    texts = [
        text
        for intent in content.intents.values()
        for ex in intent.examples.values()
        for text in ex
    ]
    return [*texts, *ODD, *(normalize(text) for text in texts[:200])]


@pytest.mark.parametrize(("low", "high", "stem"), [(1, 2, True), (1, 2, False), (2, 3, True)])
def test_word_ngrams_are_sklearns(sample_content: Content, low: int, high: int, stem: bool) -> None:
    reference = TfidfVectorizer(
        analyzer="word",
        preprocessor=stem_text if stem else None,
        ngram_range=(low, high),
        token_pattern=r"(?u)\b\w+\b",
    ).build_analyzer()
    ours = WordNgrams(low, high, stem=stem)
    for text in _texts(sample_content):
        assert ours(text) == reference(text), text


@pytest.mark.parametrize(("low", "high"), [(2, 5), (1, 3), (3, 6)])
def test_char_ngrams_are_sklearns_char_wb(sample_content: Content, low: int, high: int) -> None:
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high)).build_analyzer()
    ours = CharNgrams(low, high)
    for text in _texts(sample_content):
        assert ours(text) == reference(text), text
