"""Snowball stems for the word n-gram block: "cards" → "card"; "заказа", "заказы" → "заказ".

The word block of the classifier counts stems, not surface words, so an inflection seen once in
training ("arrived") also matches its siblings ("arriving", "arrive"); the character block keeps
the surface details. Each word is stemmed by the script it is written in (Cyrillic → Russian,
anything else → English), so a message mixing both is handled word by word.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Protocol

import snowballstemmer  # type: ignore[import-untyped]

__all__ = ["stem_text", "stem_word"]

_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[а-яё]")
# a Snowball stemmer keeps the word being stemmed in its own state: one pair per thread (the
# engine is trained in a worker thread while the event loop keeps scoring messages)
_LOCAL = threading.local()


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # the library's name


def _stemmer(russian: bool) -> _Stemmer:
    pair: tuple[_Stemmer, _Stemmer] | None = getattr(_LOCAL, "stemmers", None)
    if pair is None:
        pair = (snowballstemmer.stemmer("english"), snowballstemmer.stemmer("russian"))
        _LOCAL.stemmers = pair
    return pair[russian]


@lru_cache(maxsize=100_000)
def stem_word(word: str) -> str:
    """The Snowball stem of one lower-case word (digits and unknown scripts come back as is)."""
    stemmer = _stemmer(_CYRILLIC.search(word) is not None)
    return stemmer.stemWord(word)


def stem_text(text: str) -> str:
    """A normalised text with every word replaced by its stem, separated by single spaces."""
    return " ".join(stem_word(word) for word in _WORD.findall(text))
