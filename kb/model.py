"""Knowledge-base articles as loaded from Markdown files with front matter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["LANGS", "LANG_CODE", "Article", "Lang", "is_lang_code"]

Lang = str  # a language code as configured ("ru", "en", "de", ...): ISO 639-1 or 639-2
# The languages of the shipped content, and the default when a loader is given none; the bot
# itself uses the configured ``[languages] supported``.
LANGS: Final[tuple[Lang, ...]] = ("ru", "en")
LANG_CODE: Final = re.compile(r"^[a-z]{2,3}$")


def is_lang_code(value: object) -> bool:
    """True for a string that looks like a language code (two or three lowercase letters)."""
    return isinstance(value, str) and LANG_CODE.fullmatch(value) is not None


@dataclass(frozen=True)
class Article:
    """One article in one language; ``id`` is shared by its translations."""

    id: str
    lang: Lang
    title: str
    tags: tuple[str, ...]
    body: str
    file: Path
    url: str | None = None

    @property
    def key(self) -> tuple[str, Lang]:
        return (self.id, self.lang)
