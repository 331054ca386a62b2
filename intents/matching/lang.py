"""Per-message language detection by script (Cyrillic or Latin letters), among given languages."""

from __future__ import annotations

from collections.abc import Sequence

from intents.model import LANGS, Lang

__all__ = ["CYRILLIC_LANGS", "detect_language"]

# Languages written in Cyrillic; any other configured language is taken to be written in Latin.
CYRILLIC_LANGS = frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "tg", "mn"})


def detect_language(text: str, default: Lang = "en", languages: Sequence[Lang] = LANGS) -> Lang:
    """The language of ``text`` among ``languages`` (the configured ones), by its script.

    A message counts as Cyrillic when at least 30 % of its letters are Cyrillic (Latin product
    names inside Russian text, "где мой iPhone", stay Russian), else as Latin. The answer is
    ``default`` when it is written in that script, else the first of ``languages`` that is;
    a message without letters (digits, emoji, "?"), or in a script no language has, gets
    ``default`` (callers pass a configured language). Two languages of one script are not told
    apart: the default, or the first listed, wins.
    """
    cyrillic = latin = 0
    for char in text.lower():
        if "а" <= char <= "я" or char == "ё":
            cyrillic += 1
        elif "a" <= char <= "z":
            latin += 1
    if cyrillic + latin == 0:
        return default
    in_cyrillic = cyrillic / (cyrillic + latin) >= 0.3
    if (default in CYRILLIC_LANGS) == in_cyrillic:
        return default
    same_script = (lang for lang in languages if (lang in CYRILLIC_LANGS) == in_cyrillic)
    return next(same_script, default)
