"""Per-message language detection for ru/en: the share of Cyrillic letters, with a fallback."""

from __future__ import annotations

from intents.model import Lang

__all__ = ["detect_language"]


def detect_language(text: str, default: Lang = "en") -> Lang:
    """``ru`` when at least 30 % of the letters are Cyrillic, ``en`` when letters are Latin.

    A message without letters (digits, emoji, "?") gets ``default``; callers pass the
    conversation's previous language. Latin product names inside Russian text ("где мой iPhone")
    stay Russian thanks to the 30 % share.
    """
    cyrillic = latin = 0
    for char in text.lower():
        if "а" <= char <= "я" or char == "ё":
            cyrillic += 1
        elif "a" <= char <= "z":
            latin += 1
    if cyrillic + latin == 0:
        return default
    return "ru" if cyrillic / (cyrillic + latin) >= 0.3 else "en"
