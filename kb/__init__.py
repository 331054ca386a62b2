"""The knowledge base: Markdown articles with front matter, and their rendering for Telegram."""

from kb.errors import ArticlesError, KbError, Problem, format_problems
from kb.loader import collect_articles, load_articles
from kb.model import LANGS, Article, Lang, is_lang_code
from kb.render import TELEGRAM_TEXT_LIMIT, render_article
from kb.templates import Template, collect_templates, fill, missing_values

__all__ = [
    "LANGS",
    "TELEGRAM_TEXT_LIMIT",
    "Article",
    "ArticlesError",
    "KbError",
    "Lang",
    "Problem",
    "Template",
    "collect_articles",
    "collect_templates",
    "fill",
    "format_problems",
    "is_lang_code",
    "load_articles",
    "missing_values",
    "render_article",
]
