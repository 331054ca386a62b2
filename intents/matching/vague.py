"""Vague messages: one to three words that several intents share ("delivery", "my account").

A linear model is sure of *something* even for a single word, because the word leans toward one
intent more than the others; but "оплата" may mean payment methods, a failed payment or a double
charge. Such a message gets "did you mean" with the intents that share its words, never a
confident answer.

The test looks at how many of each intent's examples contain every word of the message (words
compared by a five-letter prefix, enough for Russian endings: "оплата", "оплаты", "оплатить" →
"оплат"). When at least two intents use those words in a tenth or more of their examples (and
in at least three examples each), the message is vague and those intents are its candidates. A
message that is literally one of the examples is never vague.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from intents.text import normalize, tokens

__all__ = ["VagueDetector"]

_STEM = 5
_MAX_WORDS = 3
_MIN_EXAMPLES = 3  # an intent shares the words when at least this many of its examples
_SHARE = 0.1  # ... and at least this share of its examples contain them all


def _stems(text: str) -> frozenset[str]:
    return frozenset(word[:_STEM] for word in tokens(text) if not word.isdigit())


class VagueDetector:
    def __init__(self, examples: Mapping[str, Sequence[str]]) -> None:
        self._exact = frozenset(normalize(p) for phrases in examples.values() for p in phrases)
        self._sizes = {intent: len(phrases) for intent, phrases in examples.items()}
        # the intent of each example, and per stem the examples using it: the stems themselves
        # are not kept (a frozenset per example weighed 2.5 MB per language on the sample content)
        owners: list[str] = []
        index: dict[str, list[int]] = {}
        for intent, phrases in examples.items():
            for phrase in phrases:
                for stem in _stems(phrase):
                    index.setdefault(stem, []).append(len(owners))
                owners.append(intent)
        self._owners = tuple(owners)
        self._index = {stem: tuple(rows) for stem, rows in index.items()}

    def candidates(self, text: str) -> tuple[str, ...]:
        """The intents a vague message may mean, most frequent first; empty when not vague."""
        words = tokens(text)
        if not words or len(words) > _MAX_WORDS or normalize(text) in self._exact:
            return ()
        stems = _stems(text)
        if not stems or any(stem not in self._index for stem in stems):
            return ()
        rows = set.intersection(*(set(self._index[stem]) for stem in stems))
        owners = Counter(self._owners[i] for i in rows)
        found = tuple(
            intent
            for intent, n in owners.most_common()
            if n >= _MIN_EXAMPLES and n >= _SHARE * self._sizes[intent]
        )
        return found if len(found) >= 2 else ()
