"""Text as Telegram stores it: HTML parse mode turned into plain text plus entities.

Offsets and lengths of entities count UTF-16 code units, as the Bot API does. Markdown parse
modes are kept as plain text (the emulator does not interpret them).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from telegram_emulator.errors import ApiError

__all__ = ["command_entities", "parse_text", "utf16_len"]

_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _HtmlToEntities(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.offset = 0
        self.stack: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            raise ApiError(400, f'can\'t parse entities: Unsupported start tag "{tag}"')
        self.stack.append((tag, self.offset, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise ApiError(400, f'can\'t parse entities: Unmatched end tag "{tag}"')
        _, start, attrs = self.stack.pop()
        length = self.offset - start
        if length == 0:
            return
        entity: dict[str, Any] = {"type": _TAGS[tag], "offset": start, "length": length}
        if tag == "a":
            entity["url"] = attrs.get("href") or ""
        if tag == "pre" and self.entities and self.entities[-1]["type"] == "code":
            inner = self.entities[-1]
            if inner["offset"] == start and inner["length"] == length:
                self.entities.pop()
                language = str(inner.get("_class") or "").removeprefix("language-")
                if language:
                    entity["language"] = language
        if tag == "code" and attrs.get("class"):
            entity["_class"] = attrs["class"]
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.offset += utf16_len(data)


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Return the text the chat shows and its entities."""
    if (parse_mode or "").lower() != "html":
        return text, []
    parser = _HtmlToEntities()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise ApiError(
            400,
            f"can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.stack[-1][0]}"',
        )
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    for entity in entities:
        entity.pop("_class", None)
    return "".join(parser.text), entities


def command_entities(text: str) -> list[dict[str, Any]]:
    """The ``bot_command`` entity a client attaches to a text starting with a command."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
