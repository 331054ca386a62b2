"""Calling a person: the ticket's subject, priority and line come from what the customer asked."""

from __future__ import annotations

from dataclasses import replace

from bot.core.customer.turn import Turn
from bot.core.deps import Deps
from bot.core.handoff_flow import HandoffRequest, hand_off
from bot.core.replies import PRESSED, as_lang
from handoff.categories import categorize, earlier_tickets, route
from handoff.model import Direction, Priority
from handoff.ports import UnitOfWork
from intents import Intent

__all__ = ["call_person", "remember_intent"]

_LAST_INTENT = "last_intent"  # in the dialog state: the conversation's last recognised question


async def call_person(
    uow: UnitOfWork,
    deps: Deps,
    turn: Turn,
    *,
    subject: str,
    intent_id: str | None,
    score: float | None,
) -> None:
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
    routed = route(
        rules,
        category,
        Priority.parse(intent.priority) if intent else Priority.NORMAL,
        intent.line if intent else 1,
    )
    request = HandoffRequest(
        customer=turn.customer,
        conversation_id=turn.conversation_id,
        priority=routed.priority,
        line=routed.line,
        subject=_subject(intent, turn.lang, subject),
        intent=intent_id,
        confidence=score,
    )
    result = await hand_off(uow, deps, request)
    turn.say(result.reply)
    turn.ticket_id = result.ticket.id
    if result.kind in ("new", "reopened"):
        turn.opened.append((result.ticket.id, result.kind))


async def remember_intent(uow: UnitOfWork, turn: Turn, intent_id: str, score: float) -> None:
    """Keep the intent of a recognised question, so a hand-off asked for after it (a button, a
    command, "a human please") still shows the operator what the customer was asking about."""
    state = dict(turn.customer.state)
    state[_LAST_INTENT] = {
        "conversation": turn.conversation_id,
        "intent": intent_id,
        "score": round(score, 4),
    }
    await uow.customers.save_state(turn.customer.id, state)
    turn.customer = replace(turn.customer, state=state)


def _remembered(turn: Turn) -> tuple[str, float | None] | None:
    kept = turn.customer.state.get(_LAST_INTENT)
    if not isinstance(kept, dict) or kept.get("conversation") != turn.conversation_id:
        return None
    intent, score = kept.get("intent"), kept.get("score")
    if not isinstance(intent, str):
        return None
    return intent, float(score) if isinstance(score, int | float) else None


def _subject(intent: Intent | None, lang: str, fallback: str) -> str:
    if intent is not None:
        return intent.title.get(as_lang(lang)) or intent.id
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
