"""/kb for operators: the best knowledge-base articles and intent answers for a few words, from
the live engine, in the customer's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from kb import LANGS, Lang

if TYPE_CHECKING:
    from intents import Engine  # the matcher loads with the content, not with the core

__all__ = ["INTENT_MARK", "BrainArticles", "Found"]

INTENT_MARK = "@"  # an intent's id in a /kb button, told apart from an article's: "@order_status"


class _Brain(Protocol):
    @property
    def engine(self) -> Engine: ...


@dataclass(frozen=True, slots=True)
class Found:
    id: str  # an article's id, or INTENT_MARK + an intent's id
    title: str

    @property
    def is_intent(self) -> bool:
        return self.id.startswith(INTENT_MARK)


def _lang(lang: str) -> Lang:
    for known in LANGS:
        if known == lang:
            return known
    return LANGS[0]


class BrainArticles:
    """Reads the engine at each call, so a /reload is seen at once."""

    def __init__(self, brain: _Brain) -> None:
        self._brain = brain

    def search(self, query: str, lang: str) -> list[Found]:
        """The engine's top hits (at most five), articles and intents with an answer."""
        engine = self._brain.engine
        code = _lang(lang)
        found: list[Found] = []
        for candidate in engine.rank(query, code):
            if candidate.kind == "article":
                article = engine.content.article(candidate.id, code)
                if article is not None:
                    found.append(Found(candidate.id, article.title))
                continue
            intent = engine.content.intents.get(candidate.id)
            if intent is not None and not intent.is_system and intent.answer.get(code):
                title = intent.title.get(code) or intent.id
                found.append(Found(INTENT_MARK + intent.id, title))
        return found

    def render(self, article_id: str, lang: str) -> tuple[str, str] | None:
        engine = self._brain.engine
        code = _lang(lang)
        if article_id.startswith(INTENT_MARK):
            intent = engine.content.intents.get(article_id.removeprefix(INTENT_MARK))
            answer = intent.answer.get(code) if intent else None
            if intent is None or not answer:
                return None
            return intent.title.get(code) or intent.id, answer.strip()
        article = engine.content.article(article_id, code)
        body = engine.article_html(article_id, code)
        if article is None or body is None:
            return None
        return article.title, body
