"""What the operator group sees of a ticket: the topic name, the card with its buttons, the
transcript, and short phrases (ages) — all in the group's language, from the UI text files."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import fields
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.core import callbacks as cb
from bot.core.actions import Button, Keyboard
from bot.core.texts import Texts
from handoff import (
    Customer,
    Labels,
    StoredMessage,
    Ticket,
    TicketStatus,
    render_card,
    render_transcript,
)
from handoff.tickets import MAX_LINE

__all__ = [
    "BUTTON_ANSWER_LIMIT",
    "TOPIC_NAME_LIMIT",
    "age_text",
    "button_answer",
    "card_keyboard",
    "card_text",
    "escape",
    "labels_for",
    "topic_name",
    "transcript_chunks",
]

TOPIC_NAME_LIMIT = 128  # Telegram's limit for a forum topic name
BUTTON_ANSWER_LIMIT = 200  # Telegram's limit for the text of answerCallbackQuery
_TAG = re.compile(r"<[^>]*>")


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def button_answer(html_text: str) -> str:
    """A Telegram HTML text as the plain text a button's answer shows (Telegram does not parse
    it), cut to the limit with "…"."""
    text = html.unescape(_TAG.sub("", html_text))
    if len(text) <= BUTTON_ANSWER_LIMIT:
        return text
    return text[: BUTTON_ANSWER_LIMIT - 1] + "…"


def labels_for(texts: Texts, lang: str) -> Labels:
    """The card and transcript words from the ``card_*`` keys of the UI texts (a word without a
    key keeps the English default of :class:`~handoff.transcript.Labels`)."""
    known = texts.by_lang.get(texts.default, {})
    values: dict[str, object] = {}
    for item in fields(Labels):
        if item.name not in ("statuses", "priorities") and f"card_{item.name}" in known:
            values[item.name] = texts(lang, f"card_{item.name}")
    values["statuses"] = {s.value: texts(lang, f"card_status_{s.value}") for s in TicketStatus}
    values["priorities"] = {
        name: texts(lang, f"card_priority_{name}") for name in ("normal", "high", "urgent")
    }
    return Labels(**values)  # type: ignore[arg-type]  # built field by field from Labels itself


def topic_name(ticket: Ticket, customer: Customer) -> str:
    """``#<n> <customer name> — <subject>`` (without the dash when there is no subject), cut to
    Telegram's 128 characters."""
    subject = ticket.subject.strip().strip("—").strip()
    name = f"#{ticket.id} {customer.name}" + (f" — {subject}" if subject else "")
    name = " ".join(name.split())
    if len(name) <= TOPIC_NAME_LIMIT:
        return name
    return name[: TOPIC_NAME_LIMIT - 1].rstrip() + "…"


def card_text(ticket: Ticket, customer: Customer, texts: Texts, lang: str, zone: ZoneInfo) -> str:
    return render_card(ticket, customer, labels=labels_for(texts, lang), zone=zone)


def card_keyboard(ticket: Ticket, texts: Texts, lang: str) -> Keyboard:
    """Take / Close / Escalate while the ticket is open; nothing once it is closed."""
    if not ticket.status.is_open:
        return ()
    row: list[Button] = []
    if ticket.status is TicketStatus.WAITING:
        row.append(Button(texts(lang, "button_take"), data=cb.encode(cb.TakeTicket(ticket.id))))
    row.append(Button(texts(lang, "button_close"), data=cb.encode(cb.CloseTicket(ticket.id))))
    if ticket.line < MAX_LINE:
        row.append(Button(texts(lang, "button_escalate"), data=cb.encode(cb.Escalate(ticket.id))))
    return (tuple(row),)


def transcript_chunks(
    messages: Sequence[StoredMessage],
    customer: Customer,
    texts: Texts,
    lang: str,
    zone: ZoneInfo,
) -> list[str]:
    return render_transcript(
        messages, customer_name=customer.name, zone=zone, labels=labels_for(texts, lang)
    )


def age_text(age: timedelta, texts: Texts, lang: str) -> str:
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return texts(lang, "desk_age_minutes", minutes=minutes)
    return texts(lang, "desk_age_hours", hours=minutes // 60, minutes=minutes % 60)
