"""Intents and the loaded content as typed, frozen values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from kb import LANGS, Article, Lang

__all__ = [
    "LANGS",
    "SYSTEM_INTENTS",
    "Button",
    "Content",
    "Intent",
    "Lang",
    "Priority",
]

Priority = Literal["normal", "high", "urgent"]
SYSTEM_INTENTS: tuple[str, ...] = ("greeting", "thanks", "goodbye", "human_request")


@dataclass(frozen=True)
class Button:
    """A quick reply under an answer: jumps to another intent or opens a URL."""

    title: Mapping[Lang, str]
    intent: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Intent:
    id: str
    title: Mapping[Lang, str]
    examples: Mapping[Lang, tuple[str, ...]]
    answer: Mapping[Lang, str]
    buttons: tuple[Button, ...] = ()
    articles: tuple[str, ...] = ()
    always_handoff: bool = False
    priority: Priority = "normal"
    line: int = 1
    file: Path | None = field(default=None, compare=False)

    @property
    def is_system(self) -> bool:
        return self.id in SYSTEM_INTENTS


@dataclass(frozen=True)
class Content:
    """Everything the matcher needs: intents by id and articles by ``(id, lang)``, in the
    ``languages`` they were loaded for (the configured ones; every intent has each of them)."""

    intents: Mapping[str, Intent]
    articles: Mapping[tuple[str, Lang], Article]
    languages: tuple[Lang, ...] = LANGS
    default_lang: Lang = "en"  # the configured default: a language the content lacks means it

    def article(self, article_id: str, lang: Lang) -> Article | None:
        """The article in ``lang``, else another translation, else None."""
        found = self.articles.get((article_id, lang))
        if found is None:
            for other in self.languages:
                found = found or self.articles.get((article_id, other))
        return found

    def lang(self, code: str) -> Lang:
        """``code`` when the content has that language, else the configured default."""
        return code if code in self.languages else self.default_lang

    @property
    def article_ids(self) -> frozenset[str]:
        return frozenset(article_id for article_id, _ in self.articles)
