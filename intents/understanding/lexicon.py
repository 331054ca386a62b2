"""The words of the content, per language: what a message's words are checked against."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice, pairwise, takewhile

from intents.matching.stemming import stem_word
from intents.text import tokens
from intents.understanding.morphology import is_abroad, is_place, lemmas, place_cases

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
    place: str | None = None  # the content's most frequent place name in Russia ("москве")
    # per grammatical case, the content's most frequent place name in Russia in that case after
    # a preposition: a town it does not name stands for one in the same case ("в туле" →
    # "в москве", not the more frequent "россии", a genitive first)
    places: Mapping[str, str] = field(default_factory=dict)
    # the same for places abroad ("доставляете в казахстан"): a place abroad the content does not
    # name stands only for one of these ("в армению" → "в казахстан"), never for a place in Russia
    abroad: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, lang: str, phrases: Iterable[str]) -> Lexicon:
        counts: Counter[str] = Counter()
        # place names as the content writes them after a preposition: only there is a word a
        # place for sure ("оплатить сплитом" has a town's reading too); by (abroad, case) where
        # the preposition leaves one case ("по россии" may be dative or locative)
        home: list[str] = []
        named: dict[tuple[bool, str], list[str]] = {}
        for phrase in phrases:
            words = tokens(phrase)
            counts.update(word for word in words if not word.isdigit())
            for before, word in pairwise(words):
                cases = place_cases(word, before)
                if not cases or not is_place(word, lang):
                    continue
                far = is_abroad(word)
                if not far:
                    home.append(word)
                if len(cases) == 1:
                    named.setdefault((far, cases[0]), []).append(word)
        by_lemma: dict[str, str] = {}
        for word, _ in counts.most_common():
            for lemma in lemmas(word, lang):
                by_lemma.setdefault(lemma, word)

        def most_frequent(abroad: bool) -> dict[str, str]:
            return {
                case: max(words, key=lambda word: counts[word])
                for (far, case), words in named.items()
                if far == abroad
            }

        place = max(home, key=lambda word: counts[word]) if home else None
        stems = frozenset(stem_word(word) for word in counts)
        return cls(
            lang, dict(counts), stems, by_lemma, place, most_frequent(False), most_frequent(True)
        )

    def place_for(self, cases: Iterable[str], abroad: bool = False) -> str | None:
        """The content's place name standing for an unnamed place of one of ``cases`` (likeliest
        first; known after a preposition): in Russia, the most frequent place name when none
        agrees; ``abroad``, one abroad in one of the cases, else none."""
        named = self.abroad if abroad else self.places
        found = next((named[case] for case in cases if case in named), None)
        return found if found is not None or abroad else self.place

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

    @property
    def cyrillic(self) -> bool:
        """The language is written in Cyrillic (known codes, else most of its words are)."""
        if self.lang in _CYRILLIC_LANGS:
            return True
        cyr = sum(n for word, n in self.counts.items() if is_cyrillic(word))
        return cyr * 2 > sum(self.counts.values())
