"""The knowledge base: Markdown articles with front matter, and their rendering for Telegram."""

from kb.errors import ArticlesError, KbError, Problem
from kb.loader import load_articles
from kb.model import Article
from kb.render import TELEGRAM_TEXT_LIMIT, render_article

__all__ = [
    "TELEGRAM_TEXT_LIMIT",
    "Article",
    "ArticlesError",
    "KbError",
    "Problem",
    "load_articles",
    "render_article",
]
