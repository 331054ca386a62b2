from __future__ import annotations

from pathlib import Path

import pytest

from kb import TELEGRAM_TEXT_LIMIT, Article, ArticlesError, load_articles, render_article
from tests.matching.conftest import CONTENT


def _article(body: str, url: str | None = "https://shop.example/a") -> Article:
    return Article("a", "en", "Title <x>", (), body, Path("a.en.md"), url)


def test_loads_both_translations() -> None:
    articles = load_articles(CONTENT / "kb")
    assert set(articles) == {("tracking", "en"), ("tracking", "ru")}
    assert articles[("tracking", "en")].url == "https://shop.example/help/tracking"
    assert articles[("tracking", "ru")].tags == ("доставка", "трекинг")


def test_front_matter_problems_have_lines(tmp_path: Path) -> None:
    (tmp_path / "x.en.md").write_text("---\nid: y\ntitle: T\nlang: German\n---\nbody\n", "utf-8")
    with pytest.raises(ArticlesError) as info:
        load_articles(tmp_path)
    assert f"{tmp_path / 'x.en.md'}:4: lang must be a language code" in str(info.value)


def test_articles_in_languages_not_configured_are_checked_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "y.de.md").write_text("---\nid: y\ntitle: T\nlang: de\n---\nText\n", "utf-8")
    (tmp_path / "y.en.md").write_text("---\nid: y\ntitle: T\nlang: en\n---\nText\n", "utf-8")
    assert set(load_articles(tmp_path)) == {("y", "en")}  # ru and en by default
    assert set(load_articles(tmp_path, ("en", "de"))) == {("y", "en"), ("y", "de")}
    (tmp_path / "z.de.md").write_text("---\nid: y\ntitle: T\nlang: de\n---\nText\n", "utf-8")
    with pytest.raises(ArticlesError, match=r"file name should be y\.de\.md"):
        load_articles(tmp_path)  # checked although German is not configured


def test_markdown_becomes_escaped_telegram_html() -> None:
    html = render_article(
        _article("# Head\n\nA **b** *i* `<c>` & [l](https://x.example)\n\n- one\n- two")
    )
    assert html.startswith("<b>Title &lt;x&gt;</b>\n\n<b>Head</b>")
    assert (
        'A <b>b</b> <i>i</i> <code>&lt;c&gt;</code> &amp; <a href="https://x.example">l</a>' in html
    )
    assert "• one\n• two" in html
    assert html.endswith('<a href="https://shop.example/a">Read the full article</a>')


def test_long_article_is_cut_within_limit_with_read_more() -> None:
    body = "\n\n".join(f"Paragraph {i} " + "word " * 80 for i in range(40))
    html = render_article(_article(body))
    assert len(html) <= TELEGRAM_TEXT_LIMIT
    assert "…" in html
    assert html.endswith("Read the full article</a>")
    assert "Paragraph 39" not in html


def test_one_huge_block_is_cut_without_broken_tags() -> None:
    html = render_article(_article("**" + "x&y " * 3000 + "**", url=None), limit=500)
    assert len(html) <= 500
    assert html.count("<b>") == html.count("</b>")
    assert "&amp" in html
    assert not html.rstrip("…").endswith("&")


def test_a_body_heading_repeating_the_title_is_shown_once() -> None:
    """Regression: the front matter's title and the body's ``# Title`` both reached customers."""
    article = Article(
        id="a",
        lang="en",
        title="Returns",
        tags=(),
        body="# Returns\n\nWithin 14 days.\n\n# Other\n\nx",
        file=Path("a.en.md"),
    )
    text = render_article(article)
    assert text.count("Returns") == 1
    assert text.startswith("<b>Returns</b>\n\nWithin 14 days.")
    assert "<b>Other</b>" in text
