"""Button payloads that only the desk makes: ``ka:<ticket>:<article>`` sends a KB article,
``kc:<ticket>`` closes a ticket nobody answered after all, ``kk:<ticket>`` keeps it open,
``kt:<ticket>:<template>`` sends an answer template.

Decoded before :func:`bot.core.callbacks.decode`, which does not know the ``ka`` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.callbacks import MAX_BYTES, parse_id

__all__ = [
    "ConfirmClose",
    "DeskCallback",
    "KeepOpen",
    "SendArticle",
    "SendTemplate",
    "decode_desk",
    "encode_desk",
]

_PREFIX = "ka:"


@dataclass(frozen=True, slots=True)
class SendArticle:
    """ "Send to customer" under an article an operator found with /kb."""

    ticket_id: int
    article_id: str


@dataclass(frozen=True, slots=True)
class ConfirmClose:
    """ "Close anyway" under the question asked before closing a ticket nobody answered."""

    ticket_id: int


@dataclass(frozen=True, slots=True)
class KeepOpen:
    """ "Keep it open" under the same question."""

    ticket_id: int


@dataclass(frozen=True, slots=True)
class SendTemplate:
    """A template's button under /t: one tap sends it, filled, to the customer."""

    ticket_id: int
    template_id: str


DeskCallback = SendArticle | ConfirmClose | KeepOpen | SendTemplate
_CLOSE, _KEEP, _TEMPLATE = "kc:", "kk:", "kt:"


def encode_desk(value: DeskCallback) -> str | None:
    """The callback data, or None when the article id is too long to fit 64 bytes."""
    match value:
        case ConfirmClose(ticket_id):
            return f"{_CLOSE}{ticket_id}"
        case KeepOpen(ticket_id):
            return f"{_KEEP}{ticket_id}"
        case SendTemplate(ticket_id, template_id):
            data = f"{_TEMPLATE}{ticket_id}:{template_id}"
            return data if len(data.encode()) <= MAX_BYTES else None
    data = f"{_PREFIX}{value.ticket_id}:{value.article_id}"
    return data if len(data.encode()) <= MAX_BYTES else None


def decode_desk(data: str) -> DeskCallback | None:
    for prefix, kind in ((_CLOSE, ConfirmClose), (_KEEP, KeepOpen)):
        if data.startswith(prefix):
            number = data.removeprefix(prefix)
            return kind(int(number)) if number.isdigit() else None
    if data.startswith(_TEMPLATE):
        ticket, sep, template = data.removeprefix(_TEMPLATE).partition(":")
        if not sep or not template or not ticket.isdigit():
            return None
        return SendTemplate(int(ticket), template)
    if not data.startswith(_PREFIX):
        return None
    ticket, sep, article = data.removeprefix(_PREFIX).partition(":")
    if not sep or not article or not ticket.isdigit():
        return None
    return SendArticle(parse_id(ticket), article)
