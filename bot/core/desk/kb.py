"""/kb for operators: the best knowledge-base article for a few words, from the live engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from intents.matching.engine import Engine

__all__ = ["BrainArticles", "Found"]


class _Brain(Protocol):
    @property
    def engine(self) -> Engine: ...


@dataclass(frozen=True, slots=True)
class Found:
    id: str
    title: str


class BrainArticles:
    """Reads the engine at each call, so a /reload is seen at once."""

    def __init__(self, brain: _Brain) -> None:
        self._brain = brain

    def find(self, query: str, lang: str) -> Found | None:
        engine = self._brain.engine
        code = lang if lang in engine.content.languages else engine.default_lang
        for candidate in engine.rank(query, code):
            if candidate.kind == "article":
                article = engine.content.article(candidate.id, code)
                return Found(candidate.id, article.title if article else candidate.id)
        return None

    def render(self, article_id: str, lang: str) -> tuple[str, str] | None:
        engine = self._brain.engine
        code = lang if lang in engine.content.languages else engine.default_lang
        article = engine.content.article(article_id, code)
        body = engine.article_html(article_id, code)
        if article is None or body is None:
            return None
        return article.title, body
