"""Wrong keyboard layout: "ghbdtn" is "привет" typed with the English layout on, "цруку" is
"where" typed with the Russian one. The standard ЙЦУКЕН ↔ QWERTY key map, both ways."""

from __future__ import annotations

__all__ = ["en_keys_to_ru", "ru_keys_to_en"]

_EN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,."
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю"
_TO_RU = str.maketrans(_EN, _RU)
_TO_EN = str.maketrans(_RU, _EN)


def en_keys_to_ru(text: str) -> str:
    """What the keys typed in ``text`` (English layout on) would have given in Russian."""
    return text.lower().translate(_TO_RU)


def ru_keys_to_en(text: str) -> str:
    """What the keys typed in ``text`` (Russian layout on) would have given in English."""
    return text.lower().translate(_TO_EN)
