"""What to send for an intent or an article: text (Telegram HTML), buttons, linked articles."""

from __future__ import annotations

from dataclasses import dataclass

from intents.model import Content, Intent, Lang
from kb import TELEGRAM_TEXT_LIMIT, render_article

__all__ = ["Answer", "AnswerButton", "ArticleLink", "render_intent_answer", "render_kb_article"]


@dataclass(frozen=True)
class AnswerButton:
    """A quick reply: ``intent`` (show that intent's answer) or ``url`` (open a link)."""

    title: str
    intent: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class ArticleLink:
    """A linked KB article: the core shows it as a button that sends the article."""

    id: str
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Answer:
    text: str
    buttons: tuple[AnswerButton, ...]
    articles: tuple[ArticleLink, ...]


def render_intent_answer(content: Content, intent: Intent, lang: Lang) -> Answer:
    """The intent's answer in ``lang`` (validated to exist), its buttons and article links."""
    text = intent.answer[lang][:TELEGRAM_TEXT_LIMIT]
    buttons = tuple(
        AnswerButton(title=button.title[lang], intent=button.intent, url=button.url)
        for button in intent.buttons
    )
    links: list[ArticleLink] = []
    for article_id in intent.articles:
        article = content.article(article_id, lang)
        if article is not None:
            links.append(ArticleLink(article.id, article.title, article.url))
    return Answer(text=text, buttons=buttons, articles=tuple(links))


def render_kb_article(
    content: Content,
    article_id: str,
    lang: Lang,
    *,
    limit: int = TELEGRAM_TEXT_LIMIT,
    read_more_url: str | None = None,
) -> str | None:
    """The article as Telegram HTML within ``limit`` (translation fallback), None if unknown."""
    article = content.article(article_id, lang)
    if article is None:
        return None
    return render_article(article, limit=limit, read_more_url=read_more_url)
