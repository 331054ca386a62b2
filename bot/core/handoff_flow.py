"""Handing a dialog to people: open (or reopen) the ticket and tell the customer, honestly,
where they stand — their place in the queue and the wait, or when operators are back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.deps import Deps
from bot.core.hours_text import zone_label
from bot.core.replies import Reply
from bot.core.texts import Texts
from handoff import Customer, NewTicket, Priority, Ticket, UnitOfWork, queue_status
from handoff.tickets import OpenKind, open_ticket

__all__ = ["HandoffRequest", "HandoffResult", "hand_off", "when_back"]


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
    kind: OpenKind
    reply: Reply


async def hand_off(uow: UnitOfWork, deps: Deps, request: HandoffRequest) -> HandoffResult:
    now = deps.clock.now()
    customer = request.customer
    new = NewTicket(
        customer_id=customer.id,
        conversation_id=request.conversation_id,
        priority=request.priority,
        line=request.line,
        language=customer.language,
        subject=request.subject,
        intent=request.intent,
        confidence=request.confidence,
        created_at=now,
    )
    opened = await open_ticket(uow, new, reopen_window=deps.config.reopen_window)
    ticket = opened.ticket
    lang = customer.language
    texts = deps.texts
    if opened.kind is OpenKind.EXISTING:
        text = texts(lang, "handoff_existing", ticket=ticket.id)
    elif not deps.hours.is_open(now):
        back = deps.hours.next_opening(now)
        when = when_back(back, now, lang, texts)
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
    return HandoffResult(ticket=ticket, kind=opened.kind, reply=Reply(text))


def when_back(back: datetime, now: datetime, lang: str, texts: Texts) -> str:
    """A human phrase for the next opening in the operators' zone: "at 09:00 on Monday".

    The words and the date format are the language's texts (``when_*``, ``weekday_0`` = Monday).
    """
    local_now = now.astimezone(back.tzinfo)
    clock = back.strftime("%H:%M")
    days = (back.date() - local_now.date()).days
    if days == 0:
        return texts(lang, "when_today", time=clock)
    if days == 1:
        return texts(lang, "when_tomorrow", time=clock)
    weekday = texts(lang, f"weekday_{back.weekday()}")
    date = back.strftime(texts(lang, "when_date_format"))
    return texts(lang, "when_weekday", weekday=weekday, date=date, time=clock)
