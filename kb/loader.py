"""Reading knowledge-base articles: ``<id>.<lang>.md`` files with YAML front matter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from kb.errors import ArticlesError, Problem
from kb.model import LANGS, Article, Lang, is_lang_code
from kb.yamlsource import YMap, read_front_matter

__all__ = ["collect_articles", "load_articles"]

# at most 48 characters: an id travels in Telegram's 64-byte button data ("a:" + id)
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")


def load_articles(
    kb_dir: Path, languages: Sequence[Lang] = LANGS
) -> dict[tuple[str, Lang], Article]:
    """The articles in ``languages`` under ``kb_dir`` keyed by ``(id, lang)``; raises
    :class:`ArticlesError`. Files in another language are skipped."""
    articles, problems = collect_articles(kb_dir, languages)
    if problems:
        raise ArticlesError(problems)
    return articles


def collect_articles(
    kb_dir: Path, languages: Sequence[Lang] = LANGS
) -> tuple[dict[tuple[str, Lang], Article], list[Problem]]:
    """Articles and the problems found, without raising (the content loader merges them).

    An article in a language that is not in ``languages`` is checked and skipped."""
    problems: list[Problem] = []
    articles: dict[tuple[str, Lang], Article] = {}
    if not kb_dir.is_dir():
        problems.append(
            Problem(kb_dir, 0, "the knowledge-base folder does not exist; create it or fix kb_dir")
        )
        return articles, problems
    for file in sorted(kb_dir.glob("*.md")):
        article = _read_article(file, problems)
        if article is None or article.lang not in languages:
            continue
        if article.key in articles:
            first = articles[article.key].file
            problems.append(
                Problem(
                    file,
                    2,
                    f"article id {article.id!r} in {article.lang!r} is already defined in "
                    f"{first.name}; give one of them another id",
                )
            )
            continue
        articles[article.key] = article
    return articles, problems


def _read_article(file: Path, problems: list[Problem]) -> Article | None:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(file, 0, f"cannot read the file ({exc}); save it as UTF-8"))
        return None
    lines = text.splitlines()
    found = read_front_matter(
        lines, file, problems, expected="the fields id, title, lang, tags, then '---'"
    )
    if found is None:
        return None
    meta, end = found
    body = "\n".join(lines[end + 1 :]).strip()
    return _article_from(meta, body, file, problems)


def _article_from(meta: YMap, body: str, file: Path, problems: list[Problem]) -> Article | None:
    before = len(problems)
    known = {"id", "title", "lang", "tags", "url"}
    for key in meta:
        if key not in known:
            problems.append(
                Problem(
                    file,
                    meta.line_for(key),
                    f"unknown field {key!r}; expected one of {', '.join(sorted(known))}",
                )
            )
    article_id = meta.get("id")
    if not isinstance(article_id, str) or not ID_RE.match(article_id):
        problems.append(
            Problem(
                file,
                meta.line_for("id"),
                "id must be lowercase letters, digits, '-' or '_', at most 48 characters "
                "(e.g. delivery-tracking)",
            )
        )
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem(file, meta.line_for("title"), "title is missing: add 'title: …'"))
    lang = meta.get("lang")
    if not is_lang_code(lang):
        problems.append(
            Problem(
                file,
                meta.line_for("lang"),
                "lang must be a language code of two or three lowercase letters (en, ru, de)",
            )
        )
    tags_raw = meta.get("tags", [])
    if not isinstance(tags_raw, list) or not all(isinstance(t, str) for t in tags_raw):
        problems.append(
            Problem(file, meta.line_for("tags"), "tags must be a list of words, e.g. [delivery]")
        )
        tags_raw = []
    url = meta.get("url")
    if url is not None and (
        not isinstance(url, str) or not url.startswith(("https://", "http://"))
    ):
        problems.append(
            Problem(file, meta.line_for("url"), "url must be a full http(s):// address")
        )
    if not body:
        problems.append(Problem(file, len(meta) + 2, "the article has no text after front matter"))
    if isinstance(article_id, str) and is_lang_code(lang):
        expected = f"{article_id}.{lang}.md"
        if file.name != expected:
            problems.append(
                Problem(
                    file,
                    meta.line_for("id"),
                    f"the file name should be {expected} (id and lang from the front matter)",
                )
            )
    if len(problems) > before:
        return None
    assert isinstance(article_id, str)
    assert isinstance(title, str)
    assert isinstance(lang, str)
    return Article(
        id=article_id,
        lang=lang,
        title=title.strip(),
        tags=tuple(str(t).strip() for t in tags_raw),
        body=body,
        file=file,
        url=url if isinstance(url, str) else None,
    )
