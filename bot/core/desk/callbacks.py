"""Button payloads that only the desk makes: ``ka:<ticket>:<article>`` sends a KB article.

Decoded before :func:`bot.core.callbacks.decode`, which does not know the ``ka`` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callbacks import MAX_BYTES

__all__ = ["SendArticle", "decode_desk", "encode_desk"]

_PREFIX = "ka:"


@dataclass(frozen=True, slots=True)
class SendArticle:
    """ "Send to customer" under an article an operator found with /kb."""

    ticket_id: int
    article_id: str


def encode_desk(value: SendArticle) -> str | None:
    """The callback data, or None when the article id is too long to fit 64 bytes."""
    data = f"{_PREFIX}{value.ticket_id}:{value.article_id}"
    return data if len(data.encode()) <= MAX_BYTES else None


def decode_desk(data: str) -> SendArticle | None:
    if not data.startswith(_PREFIX):
        return None
    ticket, sep, article = data.removeprefix(_PREFIX).partition(":")
    if not sep or not article or not ticket.isdigit():
        return None
    return SendArticle(int(ticket), article)
