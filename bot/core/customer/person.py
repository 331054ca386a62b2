"""Calling a person: the ticket's subject, priority and line come from what the customer asked."""

from __future__ import annotations

from dataclasses import replace

from bot.core.customer.turn import Turn
from bot.core.deps import Deps
from bot.core.handoff_flow import HandoffRequest, hand_off
from bot.core.replies import PRESSED, as_lang
from handoff import (
    Direction,
    LastQuestion,
    Priority,
    TicketChanges,
    UnitOfWork,
    categorize,
    earlier_tickets,
    route,
)
from handoff.tickets import OpenKind
from intents import Intent

__all__ = ["call_person", "remember_intent"]


async def call_person(
    uow: UnitOfWork,
    deps: Deps,
    turn: Turn,
    *,
    subject: str,
    intent_id: str | None,
    score: float | None,
    cause: str,
    details: str = "",
) -> None:
    """Open (or reopen) the customer's ticket; ``cause`` (a :class:`handoff.Cause`) is stored on
    a new ticket for the reports. ``details`` (the message's order number, email…) go on the card
    with the subject. An intent that hands off a second time in a row (the customer's previous
    ticket was about the same, e.g. a second double charge) gets one step more priority than its
    content says."""
    intent = deps.brain.content.intents.get(intent_id) if intent_id else None
    if intent_id is None:  # 👎 → 🙋, /operator, "a human please": the question before it
        intent_id, score = _remembered(turn) or (None, score)
    if not subject.strip() or subject.startswith("/"):
        subject = await _last_question(uow, turn.conversation_id) or subject
    # the intent sets priority and line; the customer's category may raise both (configured)
    rules = deps.config.categories
    earlier = await earlier_tickets(uow, turn.customer.id)
    said = [
        m.text
        for m in await uow.messages.for_conversation(turn.conversation_id)
        if m.direction is Direction.CUSTOMER and m.text
    ]
    category = categorize(rules, turn.customer.telegram_id, len(earlier), said)
    priority = Priority.parse(intent.priority) if intent else Priority.NORMAL
    if intent is not None and intent.always_handoff:
        previous = earlier[0] if earlier else None
        if previous is not None and previous.intent == intent.id:
            priority = Priority(min(priority + 1, Priority.URGENT))
    routed = route(rules, category, priority, intent.line if intent else 1)
    subject = _subject(intent, as_lang(turn.lang, deps.brain.content), subject)
    request = HandoffRequest(
        customer=turn.customer,
        conversation_id=turn.conversation_id,
        priority=routed.priority,
        line=routed.line,
        subject=f"{subject} · {details}" if details else subject,
        intent=intent_id,
        confidence=score,
    )
    result = await hand_off(uow, deps, request)
    if result.kind is OpenKind.NEW:
        await uow.tickets.update(result.ticket.id, TicketChanges(handoff_cause=cause))
    turn.say(result.reply)
    turn.ticket_id = result.ticket.id
    if result.kind in (OpenKind.NEW, OpenKind.REOPENED):
        turn.opened.append((result.ticket.id, result.kind))


async def remember_intent(uow: UnitOfWork, turn: Turn, intent_id: str, score: float) -> None:
    """Keep the intent of a recognised question, so a hand-off asked for after it (a button, a
    command, "a human please") still shows the operator what the customer was asking about."""
    asked = LastQuestion(turn.conversation_id, intent_id, round(score, 4))
    if turn.customer.state.last_question == asked:
        return
    turn.keep_state(replace(turn.customer.state, last_question=asked))


def _remembered(turn: Turn) -> tuple[str, float | None] | None:
    kept = turn.customer.state.last_question
    if kept is None or kept.conversation_id != turn.conversation_id:
        return None
    return kept.intent, kept.score


def _subject(intent: Intent | None, lang: str, fallback: str) -> str:
    if intent is not None:
        return intent.title.get(lang) or intent.id
    return fallback.strip()[:60] or "—"


async def _last_question(uow: UnitOfWork, conversation_id: int) -> str | None:
    """The customer's last words that were not a command: the best subject for a ticket."""
    for message in reversed(await uow.messages.for_conversation(conversation_id)):
        if (
            message.direction is Direction.CUSTOMER
            and message.media_kind != PRESSED  # a button pressed is no question
            and message.text
            and not message.text.startswith("/")
        ):
            return message.text
    return None
