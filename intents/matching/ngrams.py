"""The classifier's analyzers: text → word or character n-grams, without scikit-learn.

The same n-grams as ``TfidfVectorizer(analyzer="word", token_pattern=…)`` and
``TfidfVectorizer(analyzer="char_wb")`` (tests compare them on the sample content). They are
given to the vectorizer as its ``analyzer`` when training, so training and answering use one
function by construction; and they are plain picklable objects, so a matcher loaded from the
on-disk cache (:mod:`.cache`) answers without importing scikit-learn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from intents.matching.stemming import stem_text

__all__ = ["CharNgrams", "WordNgrams"]

_WHITE_SPACES = re.compile(r"\s\s+")


@dataclass(frozen=True)
class WordNgrams:
    """Word n-grams (``low``..``high`` words, joined by a space) over Snowball stems when
    ``stem``, else over the lower-cased words; words are matches of ``pattern``."""

    low: int = 1
    high: int = 2
    stem: bool = True
    pattern: str = r"(?u)\b\w+\b"

    def __call__(self, doc: str) -> list[str]:
        text = stem_text(doc) if self.stem else doc.lower()
        words: list[str] = _compiled(self.pattern).findall(text)
        grams = list(words) if self.low == 1 else []
        for n in range(max(self.low, 2), min(self.high + 1, len(words) + 1)):
            grams.extend(" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return grams


@dataclass(frozen=True)
class CharNgrams:
    """Character n-grams inside word boundaries, each word padded with a space (``char_wb``)."""

    low: int = 2
    high: int = 5

    def __call__(self, doc: str) -> list[str]:
        grams: list[str] = []
        append = grams.append
        for word in _WHITE_SPACES.sub(" ", doc.lower()).split():
            padded = f" {word} "
            length = len(padded)
            for n in range(self.low, self.high + 1):
                offset = 0
                append(padded[:n])
                while offset + n < length:
                    offset += 1
                    append(padded[offset : offset + n])
                if offset == 0:  # a word shorter than n counts once
                    break
        return grams


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    compiled = _PATTERNS.get(pattern)
    if compiled is None:
        compiled = _PATTERNS[pattern] = re.compile(pattern)
    return compiled
