"""Ticket card and transcript as Telegram HTML, split to fit one message each.

Everything a customer or operator typed is escaped with :func:`html.escape`; the only tags are our
own ``<b>``, ``<i>`` and ``<a>``, and a chunk boundary never falls inside one of them or inside an
entity such as ``&amp;``. Lengths are counted in UTF-16 code units, as Telegram counts them, so a
chunk of ``limit`` is within the limit for emoji too.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from types import MappingProxyType

from handoff.model import Customer, Direction, StoredMessage, Ticket, TicketStatus

__all__ = [
    "MIN_LIMIT",
    "TELEGRAM_LIMIT",
    "Labels",
    "plain_text",
    "render_card",
    "render_transcript",
]

TELEGRAM_LIMIT = 4096
MIN_LIMIT = 512  # room for the longest header (a 64-character name, fully escaped) and some text
_NAME_MAX = 64
_MIN_PIECE = 64  # a long message starts in a fresh chunk rather than with a sliver of it
_TOKENS = re.compile(r"\s+|\S+")
_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, slots=True)
class Labels:
    """The UI words of the card and transcript; pass a translated copy to localise."""

    ticket: str = "Ticket"
    customer: str = "Customer"
    language: str = "Language"
    intent: str = "Intent"
    subject: str = "Subject"
    priority: str = "Priority"
    line: str = "Line"
    status: str = "Status"
    taken_by: str = "Taken by"
    previous_operator: str = "Previous operator"
    previous_ticket: str = "Follows ticket"
    created: str = "Created"
    taken: str = "Taken"
    first_reply: str = "First reply"
    resolved: str = "Resolved"
    nobody: str = "—"
    unknown_intent: str = "not recognised"
    bot: str = "Bot"
    operator: str = "Operator"
    note: str = "Note"
    empty: str = "[empty message]"
    statuses: Mapping[str, str] = field(
        default_factory=lambda: _frozen(
            {
                "waiting": "waiting",
                "taken": "taken",
                "resolved": "resolved",
                "cancelled": "cancelled",
            }
        )
    )
    priorities: Mapping[str, str] = field(
        default_factory=lambda: _frozen({"normal": "normal", "high": "high", "urgent": "urgent"})
    )


_ENGLISH = Labels()


def _size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _short(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= _NAME_MAX else name[: _NAME_MAX - 1] + "…"


# --- transcript -------------------------------------------------------------------------------


def render_transcript(
    messages: Sequence[StoredMessage],
    *,
    customer_name: str,
    zone: tzinfo,
    limit: int = TELEGRAM_LIMIT,
    labels: Labels = _ENGLISH,
) -> list[str]:
    """The conversation as HTML chunks of at most ``limit``, oldest first.

    One line per message, ``<b>HH:MM Who</b>: text``, with an italic date line whenever the day
    changes. Cards and notices sent to the operator group (``SYSTEM``) are left out; notes are in,
    marked as notes. A message longer than a chunk continues in the next one, split on whitespace
    (or inside a word only when a single word is longer than a chunk).
    """
    if limit < MIN_LIMIT:
        raise ValueError(f"limit {limit} is too small: use at least {MIN_LIMIT}")
    lines: list[tuple[str, str]] = []  # (HTML header, raw body)
    day: date | None = None
    for message in messages:
        if message.direction is Direction.SYSTEM:
            continue
        local = message.created_at.astimezone(zone)
        if local.date() != day:
            day = local.date()
            lines.append((f"<i>{day.isoformat()}</i>", ""))
        header = f"<b>{local:%H:%M} {_esc(_who(message, customer_name, labels))}</b>: "
        lines.append((header, _body(message, labels)))
    return _pack(lines, limit)


def _who(message: StoredMessage, customer_name: str, labels: Labels) -> str:
    if message.direction is Direction.CUSTOMER:
        return _short(customer_name)
    if message.direction is Direction.BOT:
        return labels.bot
    author = _short(message.author_name) if message.author_name else labels.operator
    if message.direction is Direction.NOTE:
        return f"{labels.note} ({author})"
    return author


def plain_text(html_text: str) -> str:
    """The bot's own Telegram HTML as the plain text it shows: tags dropped, entities decoded,
    a link kept as ``label (address)`` so the operator sees where it pointed."""

    def link(match: re.Match[str]) -> str:
        href, label = html.unescape(match.group(1)), match.group(2)
        shown = html.unescape(_TAG.sub("", label))
        return shown if shown == href or href.startswith("tg://") else f"{shown} ({href})"

    return html.unescape(_TAG.sub("", _LINK.sub(link, html_text)))


def _body(message: StoredMessage, labels: Labels) -> str:
    """Raw (unescaped) text of a line; the bot's messages were stored as the HTML sent, and are
    shown as the text the customer saw (escaping them again would show the tags)."""
    text = (message.text or "").strip()
    if message.direction is Direction.BOT:
        text = plain_text(text).strip()
    if message.media_kind:
        return f"[{message.media_kind}] {text}".rstrip()
    return text or labels.empty


def _wrap(text: str, *, first: int, rest: int) -> Iterator[str]:
    """Escaped pieces of ``text``: the first fits in ``first``, the others in ``rest``."""
    room = first
    current = ""
    gap = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            gap = _esc(token)
            continue
        word = _esc(token)
        if _size(current) + _size(gap) + _size(word) <= room:
            current += gap + word
        else:
            if current:
                yield current
                room = rest
            current = ""
            for part in _hard_split(token, room, rest):
                if _size(current) + _size(part) > room:
                    yield current
                    room = rest
                    current = ""
                current += part
        gap = ""
    yield current


def _hard_split(word: str, room: int, rest: int) -> Iterator[str]:
    """Escaped parts of one word, cut between characters so no entity is broken."""
    part = ""
    for char in word:
        piece = _esc(char)
        if _size(part) + _size(piece) > room:
            yield part
            part = ""
            room = rest
        part += piece
    yield part


def _pack(lines: list[tuple[str, str]], limit: int) -> list[str]:
    """Lines joined by newlines into chunks; a line longer than a chunk fills the current chunk
    and continues in the next ones."""
    chunks: list[str] = []
    current = ""

    def room() -> int:
        return limit - _size(current) - (1 if current else 0)

    def add(text: str) -> None:
        nonlocal current
        current = f"{current}\n{text}" if current else text

    def flush() -> None:
        nonlocal current
        if current:
            chunks.append(current)
        current = ""

    for header, body in lines:
        line = header + _esc(body)
        if _size(line) <= room():
            add(line)
            continue
        if _size(line) <= limit:
            flush()
            add(line)
            continue
        if room() - _size(header) < _MIN_PIECE:
            flush()
        first, *rest = _wrap(body, first=room() - _size(header), rest=limit)
        add(header + first)
        for piece in rest:
            flush()
            add(piece)
    flush()
    return chunks


# --- card -------------------------------------------------------------------------------------


def render_card(
    ticket: Ticket,
    customer: Customer,
    *,
    labels: Labels = _ENGLISH,
    zone: tzinfo = UTC,
) -> str:
    """The ticket card for the operator group (well under the 4096 limit).

    A WAITING ticket that still names an operator was reopened or escalated: the card shows them
    as the previous operator, so they can be pinged.
    """
    who = f'<a href="tg://user?id={customer.telegram_id}">{_esc(_short(customer.name))}</a>'
    if customer.username:
        who += f" @{_esc(customer.username)}"
    who += f" (id {customer.telegram_id})"
    if ticket.intent:
        intent = _esc(ticket.intent)
        if ticket.confidence is not None:
            intent += f" ({ticket.confidence:.0%})"
    else:
        intent = _esc(labels.unknown_intent)
    rows = [
        (labels.customer, who),
        (labels.language, _esc(ticket.language)),
        (labels.subject, _esc(ticket.subject)),
        (labels.intent, intent),
        (
            labels.priority,
            _esc(labels.priorities.get(ticket.priority.label, ticket.priority.label)),
        ),
        (labels.line, str(ticket.line)),
        (labels.status, _esc(labels.statuses.get(ticket.status.value, ticket.status.value))),
    ]
    operator = _esc(_short(ticket.operator_name)) if ticket.operator_name else None
    if ticket.status is TicketStatus.WAITING:
        if operator:
            rows.append((labels.previous_operator, operator))
    else:
        rows.append((labels.taken_by, operator or _esc(labels.nobody)))
    if ticket.previous_ticket_id is not None:
        rows.append((labels.previous_ticket, f"#{ticket.previous_ticket_id}"))
    for label, moment in (
        (labels.created, ticket.created_at),
        (labels.taken, ticket.taken_at),
        (labels.first_reply, ticket.first_reply_at),
        (labels.resolved, ticket.resolved_at),
    ):
        if moment is not None:
            rows.append((label, _when(moment, zone)))
    lines = [f"<b>{_esc(labels.ticket)} #{ticket.id}</b>"]
    lines.extend(f"<b>{_esc(label)}:</b> {value}" for label, value in rows)
    return "\n".join(lines)


def _when(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
