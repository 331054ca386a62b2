"""The words of the content, per language: what a message's words are checked against."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from intents.matching.stemming import stem_word
from intents.text import tokens
from intents.understanding.morphology import lemmas

__all__ = ["Lexicon", "is_cyrillic", "is_latin"]

_CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg"})


def is_cyrillic(word: str) -> bool:
    return any("а" <= c <= "я" or c == "ё" for c in word)


def is_latin(word: str) -> bool:
    return any("a" <= c <= "z" for c in word) and not is_cyrillic(word)


@dataclass(frozen=True)
class Lexicon:
    """One language's words (with how often each occurs), their stems and, for a language with
    a morphological dictionary, each lemma's most frequent word ("ошибиться" → "ошибся")."""

    lang: str
    counts: Mapping[str, int]
    stems: frozenset[str]
    by_lemma: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, lang: str, phrases: Iterable[str]) -> Lexicon:
        counts: Counter[str] = Counter()
        for phrase in phrases:
            counts.update(word for word in tokens(phrase) if not word.isdigit())
        by_lemma: dict[str, str] = {}
        for word, _ in counts.most_common():
            for lemma in lemmas(word, lang):
                by_lemma.setdefault(lemma, word)
        return cls(lang, dict(counts), frozenset(stem_word(word) for word in counts), by_lemma)

    def knows(self, word: str) -> bool:
        """The word or, for words of five letters or more, its stem occurs in the content."""
        return word in self.counts or (len(word) >= 5 and stem_word(word) in self.stems)

    def same_lemma(self, word: str) -> str | None:
        """The content's most frequent word sharing a lemma with ``word`` ("чехла" → "чехол")."""
        found = sorted(
            (self.by_lemma[lemma] for lemma in lemmas(word, self.lang) if lemma in self.by_lemma),
            key=lambda known: (-self.counts[known], known),
        )
        return found[0] if found else None

    @property
    def cyrillic(self) -> bool:
        """The language is written in Cyrillic (known codes, else most of its words are)."""
        if self.lang in _CYRILLIC_LANGS:
            return True
        cyr = sum(n for word, n in self.counts.items() if is_cyrillic(word))
        return cyr * 2 > sum(self.counts.values())
