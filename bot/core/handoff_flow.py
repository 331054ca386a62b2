"""Handing a dialog to people: open (or reopen) the ticket and tell the customer, honestly,
where they stand — their place in the queue and the wait, or when operators are back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.deps import Deps
from bot.core.replies import Reply
from handoff.model import Customer, Priority, Ticket
from handoff.ports import UnitOfWork
from handoff.queue import queue_status
from handoff.tickets import OpenKind, open_ticket

__all__ = ["HandoffRequest", "HandoffResult", "hand_off", "when_back", "zone_label"]


@dataclass(frozen=True, slots=True)
class HandoffRequest:
    customer: Customer
    conversation_id: int
    priority: Priority
    line: int
    subject: str
    intent: str | None
    confidence: float | None


@dataclass(frozen=True, slots=True)
class HandoffResult:
    ticket: Ticket
    kind: str  # new | existing | reopened
    reply: Reply


async def hand_off(uow: UnitOfWork, deps: Deps, request: HandoffRequest) -> HandoffResult:
    now = deps.clock.now()
    customer = request.customer
    opened = await open_ticket(
        uow,
        customer_id=customer.id,
        conversation_id=request.conversation_id,
        priority=request.priority,
        line=request.line,
        language=customer.language,
        subject=request.subject,
        intent=request.intent,
        confidence=request.confidence,
        now=now,
        reopen_window=deps.config.reopen_window,
    )
    ticket = opened.ticket
    lang = customer.language
    texts = deps.texts
    if opened.kind is OpenKind.EXISTING:
        text = texts(lang, "handoff_existing", ticket=ticket.id)
    elif not deps.hours.is_open(now):
        back = deps.hours.next_opening(now)
        when = when_back(back, now, lang)
        text = texts(lang, "handoff_offhours", ticket=ticket.id, when=when, zone=zone_label(back))
    elif opened.kind is OpenKind.REOPENED:
        text = texts(lang, "handoff_reopened", ticket=ticket.id)
    elif not deps.config.operator_group_id:  # no operator group yet: no queue to speak of
        text = texts(lang, "handoff_no_desk", ticket=ticket.id)
    else:
        status = await queue_status(uow, ticket.id, now=now)
        text = texts(lang, "handoff_queued", ticket=ticket.id, position=status.position)
        if status.estimate is not None:
            minutes = max(1, round(status.estimate.total_seconds() / 60))
            text += "\n" + texts(lang, "handoff_wait", minutes=minutes)
        else:
            text += "\n" + texts(lang, "handoff_wait_unknown")
    return HandoffResult(ticket=ticket, kind=opened.kind.value, reply=Reply(text))


_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "ru": (
        "в понедельник",
        "во вторник",
        "в среду",
        "в четверг",
        "в пятницу",
        "в субботу",
        "в воскресенье",
    ),
}


def zone_label(moment: datetime) -> str:
    """The operators' time zone as a customer anywhere can read it: "UTC+3, Moscow"."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"
    key = getattr(moment.tzinfo, "key", None)
    place = key.rsplit("/", 1)[-1].replace("_", " ") if isinstance(key, str) else None
    return f"{utc}, {place}" if place and place != "UTC" else utc


def when_back(back: datetime, now: datetime, lang: str) -> str:
    """A human phrase for the next opening in the operators' zone: "at 09:00 on Monday"."""
    local_now = now.astimezone(back.tzinfo)
    clock = back.strftime("%H:%M")
    days = (back.date() - local_now.date()).days
    if lang == "ru":
        if days == 0:
            return f"сегодня в {clock}"
        if days == 1:
            return f"завтра в {clock}"
        return f"{_WEEKDAYS['ru'][back.weekday()]} ({back:%d.%m}) в {clock}"
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    return f"on {_WEEKDAYS['en'][back.weekday()]} ({back:%d %b}) at {clock}"
