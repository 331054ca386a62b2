"""Follow-ups after an answer: acknowledgements ("ok", "👍", "понятно") and nudges ("?", "ну и?").

They are small talk, never misses: an acknowledgement is acknowledged, a nudge re-offers the last
answer's options. Only short messages qualify; anything with a question in words is a question.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["FollowUp", "follow_up"]

FollowUp = Literal["ack", "nudge"]

_ACK_WORDS = frozenset(
    {
        "ok",
        "okay",
        "okey",
        "k",
        "kk",
        "fine",
        "got",
        "it",
        "cool",
        "great",
        "nice",
        "alright",
        "sure",
        "understood",
        "clear",
        "good",
        "yes",
        "yep",
        "yeah",
        "i",
        "see",
        "thanks",
        "thank",
        "you",
        "thx",
        "ty",
        "noted",
        "perfect",
        "ок",
        "окей",
        "оке",
        "хорошо",
        "ладно",
        "понятно",
        "понял",
        "поняла",
        "ясно",
        "ага",
        "угу",
        "спасибо",
        "спс",
        "отлично",
        "супер",
        "класс",
        "норм",
        "да",
        "принято",
        "благодарю",
        "ясненько",
        "понятненько",
        "пон",
        "хор",
        "лады",
        "оки",
        "jr",  # "ок" typed with the English layout on
    }
)
_NUDGE_WORDS = frozenset(
    {
        "и",
        "ну",
        "так",
        "а",
        "дальше",
        "и что",
        "so",
        "and",
        "well",
        "hello",
        "then",
        "что",
        "hm",
        "хм",
        "эм",
        "эээ",
        "ау",
        "алло",
    }
)
_PUNCT_ONLY = re.compile(r"^[\s?!.¿…]*$")


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk", "Mn", "Cf") or char in "\u200d\ufe0f"


def follow_up(text: str) -> FollowUp | None:
    """What kind of follow-up ``text`` is, or None if it is not one."""
    stripped = text.strip()
    if not stripped:
        return None
    if _PUNCT_ONLY.match(stripped):
        return "nudge" if "?" in stripped else None
    letters = "".join(c for c in stripped if not _is_emoji(c)).strip()
    if not letters or _PUNCT_ONLY.match(letters):
        return "ack"  # emoji reactions (with or without punctuation)
    words = re.findall(r"\w+", letters.lower())
    if not words or len(words) > 4:
        return None
    if all(word in _ACK_WORDS for word in words) and "?" not in letters:
        return "ack"
    if "?" in letters and all(word in _NUDGE_WORDS for word in words):
        return "nudge"
    return None
