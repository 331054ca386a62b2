"""The words of the content, per language: what a message's words are checked against."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice, takewhile

from intents.matching.stemming import stem_word
from intents.text import tokens
from intents.understanding.morphology import is_abroad, is_place, lemmas

__all__ = ["Lexicon", "is_cyrillic", "is_latin"]

COGNATE_PREFIX = 5  # a lemma that begins another one is its cognate from this length on
_CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg"})


def is_cyrillic(word: str) -> bool:
    return any("а" <= c <= "я" or c == "ё" for c in word)


def is_latin(word: str) -> bool:
    return any("a" <= c <= "z" for c in word) and not is_cyrillic(word)


@dataclass(frozen=True)
class Lexicon:
    """One language's words (with how often each occurs), their stems and, for a language with
    a morphological dictionary, each lemma's most frequent word ("ошибиться" → "ошибся") and
    the most frequent place name."""

    lang: str
    counts: Mapping[str, int]
    stems: frozenset[str]
    by_lemma: Mapping[str, str] = field(default_factory=dict)
    # the content's most frequent place name in Russia ("россии") and abroad ("казахстана"): a
    # town it does not name stands for the first ("в туле" → "в россии"), a place abroad only for
    # the second ("из турции" is not "из россии": calls and deliveries from abroad have their
    # own answers), else stays as typed
    place: str | None = None
    place_abroad: str | None = None

    @classmethod
    def build(cls, lang: str, phrases: Iterable[str]) -> Lexicon:
        counts: Counter[str] = Counter()
        for phrase in phrases:
            counts.update(word for word in tokens(phrase) if not word.isdigit())
        by_lemma: dict[str, str] = {}
        for word, _ in counts.most_common():
            for lemma in lemmas(word, lang):
                by_lemma.setdefault(lemma, word)
        named = [word for word, _ in counts.most_common() if is_place(word, lang)]
        home = next((word for word in named if not is_abroad(word)), None)
        far = next((word for word in named if is_abroad(word)), None)
        stems = frozenset(stem_word(word) for word in counts)
        return cls(lang, dict(counts), stems, by_lemma, home, far)

    def place_for(self, abroad: bool) -> str | None:
        """The content's place name standing for one it does not name (see :attr:`place`)."""
        return self.place_abroad if abroad else self.place

    def knows(self, word: str) -> bool:
        """The word or, for words of five letters or more, its stem occurs in the content."""
        return word in self.counts or (len(word) >= 5 and stem_word(word) in self.stems)

    def same_lemma(self, word: str) -> str | None:
        """The content's most frequent word sharing a lemma with ``word`` ("чехла" → "чехол"),
        else one whose lemma begins with the word's, or the other way round, by at least
        :data:`COGNATE_PREFIX` letters ("запуске" → "запускается")."""
        own = lemmas(word, self.lang)
        found = [self.by_lemma[lemma] for lemma in own if lemma in self.by_lemma]
        if not found:
            found = [self.by_lemma[other] for lemma in own for other in self._cognates(lemma)]
        if not found:
            return None
        return min(found, key=lambda known: (-self.counts[known], known))

    def _cognates(self, lemma: str) -> list[str]:
        """The content's lemmas that begin with ``lemma`` or that it begins with."""
        if len(lemma) < COGNATE_PREFIX:
            return []
        shorter = [
            lemma[:n] for n in range(COGNATE_PREFIX, len(lemma)) if lemma[:n] in self.by_lemma
        ]
        start = bisect_left(self._sorted_lemmas, lemma)
        following = islice(self._sorted_lemmas, start, None)
        longer = list(takewhile(lambda o: o.startswith(lemma), following))
        return shorter + longer

    @cached_property
    def _sorted_lemmas(self) -> list[str]:
        return sorted(self.by_lemma)

    @cached_property  # read for every word of every message: counted once
    def cyrillic(self) -> bool:
        """The language is written in Cyrillic (known codes, else most of its words are)."""
        if self.lang in _CYRILLIC_LANGS:
            return True
        cyr = sum(n for word, n in self.counts.items() if is_cyrillic(word))
        return cyr * 2 > sum(self.counts.values())
