"""Markdown article → Telegram HTML that fits one message, with a link to the rest when cut."""

from __future__ import annotations

import html
import re

from kb.model import Article, Lang

__all__ = ["TELEGRAM_TEXT_LIMIT", "markdown_to_html", "render_article"]

TELEGRAM_TEXT_LIMIT = 4096
_READ_MORE: dict[Lang, str] = {"ru": "Читать статью полностью", "en": "Read the full article"}

_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\(((?:https?://|mailto:|tg://)[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(
    r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\*)|(?<!\w)_(?=\S)([^_\n]+?)(?<=\S)_(?!\w)"
)
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+(.*)$")


def _inline_text(part: str) -> str:
    links: list[str] = []

    def keep_link(match: re.Match[str]) -> str:
        label = html.escape(match.group(1), quote=False)
        links.append(f'<a href="{html.escape(match.group(2))}">{label}</a>')
        return f"\x00{len(links) - 1}\x00"

    chunk = html.escape(_LINK.sub(keep_link, part), quote=False)
    chunk = _BOLD.sub(lambda m: f"<b>{m.group(1) or m.group(2)}</b>", chunk)
    chunk = _ITALIC.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", chunk)
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], chunk)


def _inline(text: str) -> str:
    """Escape HTML, then turn inline Markdown into Telegram tags (code spans stay literal)."""
    parts = _CODE.split(text)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<code>{html.escape(part, quote=False)}</code>")
            continue
        out.append(_inline_text(part))
    return "".join(out)


def markdown_to_html(markdown: str) -> list[str]:
    """Blocks of Telegram HTML (paragraphs, headings, list items), each self-contained."""
    blocks: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(_inline(" ".join(paragraph)))
            paragraph.clear()

    in_code = False
    code: list[str] = []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        if line.strip().startswith("```"):
            if in_code:
                blocks.append(f"<pre>{html.escape(chr(10).join(code), quote=False)}</pre>")
                code.clear()
            else:
                flush()
            in_code = not in_code
            continue
        if in_code:
            code.append(raw)
            continue
        if not line.strip():
            flush()
        elif heading := _HEADING.match(line):
            flush()
            blocks.append(f"<b>{_inline(heading.group(1).strip())}</b>")
        elif bullet := _BULLET.match(line):
            flush()
            blocks.append(f"• {_inline(bullet.group(1).strip())}")
        elif numbered := _NUMBERED.match(line):
            flush()
            blocks.append(f"{numbered.group(1)}. {_inline(numbered.group(2).strip())}")
        else:
            paragraph.append(line.strip())
    flush()
    if code:
        blocks.append(f"<pre>{html.escape(chr(10).join(code), quote=False)}</pre>")
    return blocks


def _join(blocks: list[str]) -> str:
    text = ""
    for index, block in enumerate(blocks):
        if index:
            list_item = block.startswith("• ") or block[:1].isdigit()
            previous_item = blocks[index - 1].startswith("• ") or blocks[index - 1][:1].isdigit()
            text += "\n" if list_item and previous_item else "\n\n"
        text += block
    return text


def _cut_plain(block: str, budget: int) -> str:
    plain = html.unescape(re.sub(r"<[^>]+>", "", block))
    size = budget
    while size > 0:
        cut = html.escape(plain[:size].rsplit(" ", 1)[0], quote=False)
        if len(cut) <= budget:
            return cut
        size -= max(1, size // 10)
    return ""


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _without_title_heading(body: str, title: str) -> str:
    """The body without a first ``# Title`` line that repeats the front matter's title (the
    rendered article starts with the title already)."""
    lines = body.lstrip("\n").splitlines()
    heading = _HEADING.match(lines[0].rstrip()) if lines else None
    if (
        heading
        and " ".join(heading.group(1).split()).casefold() == " ".join(title.split()).casefold()
    ):
        return "\n".join(lines[1:])
    return body


def render_article(
    article: Article,
    *,
    limit: int = TELEGRAM_TEXT_LIMIT,
    read_more_url: str | None = None,
    with_title: bool = True,
) -> str:
    """The article as Telegram HTML of at most ``limit`` characters.

    Whole blocks are kept while they fit; when something is cut, the text ends with "…" and a link
    to ``article.url`` (or ``read_more_url``). The link is also added when nothing is cut but the
    article has a URL, so the customer can open the original.
    """
    blocks = markdown_to_html(_without_title_heading(article.body, article.title))
    if with_title:
        blocks.insert(0, f"<b>{html.escape(article.title, quote=False)}</b>")
    url = article.url or read_more_url
    link = f'<a href="{html.escape(url)}">{_READ_MORE[article.lang]}</a>' if url is not None else ""
    full = _join(blocks)
    if len(full) + (len(link) + 2 if link else 0) <= limit:
        return f"{full}\n\n{link}" if link else full
    tail = f"…\n\n{link}" if link else "…"
    budget = limit - len(tail) - 2
    kept: list[str] = []
    for block in blocks:
        if len(_join([*kept, block])) > budget:
            room = budget - len(_join(kept)) - 2
            if room > 80 or not kept:  # cut the block's visible text; dropping tags keeps it valid
                kept.append(_cut_plain(block, room if kept else budget))
            break
        kept.append(block)
    return f"{_join(kept)}\n{tail}".strip()
