"""Latin-script Russian ("gde moi zakaz", "skol'ko stoit") back to Cyrillic.

The common schemes are read at once: ``ya``/``ja`` → я, ``yu``/``ju`` → ю, ``yo``/``jo`` → ё,
``zh`` → ж, ``kh``/``h`` → х, ``ts``/``c`` → ц (but ``tsya``/``tsja`` → тся), ``ch`` → ч,
``sh`` → ш, ``sch``/``shch`` → щ, ``y`` → ы (й after a vowel), a final ``yi`` → ый,
``j`` → й, ``'`` → ь. The result need not be perfect spelling: the typo correction and the
character n-grams of the matcher absorb the rest ("moi" → "мои").
"""

from __future__ import annotations

import re

__all__ = ["to_cyrillic"]

# longest first: the first pattern that matches at a position wins
_MULTI: tuple[tuple[str, str], ...] = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    # the reflexive ending: "otkryvaetsya" is "открывается", not "открываеця"
    ("tsya", "тся"),
    ("tsja", "тся"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("ya", "я"),
    ("ja", "я"),
    ("yu", "ю"),
    ("ju", "ю"),
    ("yo", "ё"),
    ("jo", "ё"),
    ("ye", "е"),
    ("je", "е"),
    ("iy", "ий"),
    ("yy", "ый"),
    ("ij", "ий"),
)
_SINGLE = {
    "a": "а",
    "b": "б",
    "c": "ц",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "х",
    "i": "и",
    "j": "й",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "к",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "w": "в",
    "x": "кс",
    "z": "з",
    "'": "ь",
    "`": "ь",
}
_VOWELS = frozenset("aeiouy")
_WORD = re.compile(r"[a-z'`]+")


def _word(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        if word[i:] == "yi":  # an adjective's ending: "dobryi" is "добрый", not "добрыи"
            out.append("ый")
            break
        for latin, cyrillic in _MULTI:
            if word.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            char = word[i]
            if char == "y":
                after_vowel = i > 0 and word[i - 1] in _VOWELS
                out.append("й" if after_vowel or i == 0 else "ы")
            else:
                out.append(_SINGLE.get(char, char))
            i += 1
    return "".join(out).strip("ь")


def to_cyrillic(text: str) -> str:
    """Every Latin word of ``text`` (lower-cased) written in Cyrillic; the rest is kept."""
    return _WORD.sub(lambda m: _word(m.group(0)), text.lower())
