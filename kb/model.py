"""Knowledge-base articles as loaded from Markdown files with front matter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["LANGS", "Article", "Lang"]

Lang = Literal["ru", "en"]
LANGS: tuple[Lang, ...] = ("ru", "en")


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
