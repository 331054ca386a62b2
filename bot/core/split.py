"""Split Telegram HTML into messages that fit the 4096-character limit.

Cuts at paragraph, then line, then word boundaries; never inside a tag or an entity; tags open
at a cut are closed at the end of one part and reopened at the start of the next.
"""

from __future__ import annotations

import re

__all__ = ["TEXT_LIMIT", "split_html"]

TEXT_LIMIT = 4096
_TOKEN = re.compile(r"<[^>]*>|&[#\w]+;|\s+|[^<&\s]+|[<&]")
_OPEN = re.compile(r"<([a-zA-Z-]+)(?:\s[^>]*)?>")
_CLOSE = re.compile(r"</([a-zA-Z-]+)\s*>")


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    stack: list[tuple[str, str]] = []  # (name, opening tag)
    reserve = 0  # room for closing tags

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(stack))

    for token in _tokens(text, limit // 2):
        if len(current) + len(token) + reserve > limit and current.strip():
            parts.append((current + closing()).strip())
            current = "".join(tag for _, tag in stack)
        current += token
        if opened := _OPEN.fullmatch(token):
            stack.append((opened.group(1).lower(), token))
        elif closed := _CLOSE.fullmatch(token):
            name = closed.group(1).lower()
            for index in range(len(stack) - 1, -1, -1):
                if stack[index][0] == name:
                    del stack[index]
                    break
        reserve = len(closing())
    if current.strip():
        parts.append((current + closing()).strip())
    return parts


def _tokens(text: str, longest: int) -> list[str]:
    """Tokens, with paragraph breaks preferred as cut points; over-long words are chopped."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        while len(token) > longest:
            out.append(token[:longest])
            token = token[longest:]
        out.append(token)
    return out
