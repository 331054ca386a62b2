"""Text normalisation shared by the loader (duplicate examples) and the matcher."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "tokens"]

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(text: str) -> str:
    """Lowercase, ``ё`` → ``е``, punctuation to single spaces, trimmed."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    return _NON_WORD.sub(" ", text).replace("_", " ").strip()


def tokens(text: str) -> list[str]:
    return _WORD.findall(normalize(text))
