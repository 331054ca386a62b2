"""Greetings and thanks around a question: "привет, где мой заказ", "where is my order, thanks".

A message that opens with a greeting or closes with thanks or a goodbye carries those words into
the matcher, where they pull towards the small-talk intents ("hi, any update on my order" scored
the greeting above the order status). The framing phrases are the content's own: the examples of
the small-talk intents of at most three words, none of which occurs in another intent's
examples once their own opening and closing phrases are taken off ("hi i ordered a laptop…"
leaves "hi" a greeting; "is there delivery in the evening" makes "evening" a topic word, so it
frames nothing). The shorter text is kept only when it matches a question better. The reader
matches the message without them too and keeps the better match (:mod:`.reader`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from intents.model import Content
from intents.text import normalize

__all__ = ["SMALL_TALK", "Framing"]

SMALL_TALK = frozenset({"greeting", "thanks", "goodbye"})
_OPENING = frozenset({"greeting"})
_CLOSING = frozenset({"thanks", "goodbye"})
_MAX_WORDS = 3


@dataclass(frozen=True)
class Framing:
    """Per language, the phrases that may open and close a question (as word tuples)."""

    openings: Mapping[str, frozenset[tuple[str, ...]]]
    closings: Mapping[str, frozenset[tuple[str, ...]]]

    @classmethod
    def build(cls, content: Content) -> Framing:
        openings: dict[str, frozenset[tuple[str, ...]]] = {}
        closings: dict[str, frozenset[tuple[str, ...]]] = {}
        for lang in content.languages:
            opening = _phrases(content, lang, _OPENING)
            closing = _phrases(content, lang, _CLOSING)
            # the words the other intents' examples use once their own framing is taken off
            topical: set[str] = set()
            for intent in content.intents.values():
                if intent.id in SMALL_TALK:
                    continue
                for example in intent.examples.get(lang, ()):
                    topical.update(_topic_words(example, opening, closing))
            openings[lang] = frozenset(p for p in opening if not topical.intersection(p))
            closings[lang] = frozenset(p for p in closing if not topical.intersection(p))
        return cls(openings, closings)

    def strip(self, text: str, lang: str) -> str | None:
        """``text`` (normalised) without its opening greeting and closing thanks; None when it
        has neither or nothing else."""
        words = normalize(text).split()
        start = _longest(words, self.openings.get(lang, frozenset()), at_start=True)
        end = len(words) - _longest(words[start:], self.closings.get(lang, frozenset()), False)
        if (start == 0 and end == len(words)) or end <= start:
            return None
        return " ".join(words[start:end])


def _phrases(content: Content, lang: str, intents: Iterable[str]) -> frozenset[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for intent_id in intents:
        intent = content.intents.get(intent_id)
        for example in intent.examples.get(lang, ()) if intent is not None else ():
            words = tuple(normalize(example).split())
            if 0 < len(words) <= _MAX_WORDS:
                found.add(words)
    return frozenset(found)


def _topic_words(
    example: str, opening: frozenset[tuple[str, ...]], closing: frozenset[tuple[str, ...]]
) -> list[str]:
    """The example's words without its own opening and closing phrases ("hi i ordered…" gives
    no "hi"; "is there delivery in the evening" gives "evening")."""
    words = normalize(example).split()
    start = _longest(words, opening, at_start=True)
    end = len(words) - _longest(words[start:], closing, at_start=False)
    return words[start:end]


def _longest(words: list[str], phrases: frozenset[tuple[str, ...]], at_start: bool) -> int:
    """How many words the longest phrase found at the start (or the end) of ``words`` covers."""
    for n in range(min(_MAX_WORDS, len(words)), 0, -1):
        if tuple(words[:n] if at_start else words[-n:]) in phrases:
            return n
    return 0
