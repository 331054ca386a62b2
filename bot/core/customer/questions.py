"""A customer's question in words: answer it, ask what was meant, or bring in a person."""

from __future__ import annotations

from dataclasses import replace

from bot.core.customer.person import call_person, remember_intent
from bot.core.customer.turn import Turn
from bot.core.customer.understanding import details, remember, switch_language, understand
from bot.core.deps import Deps
from bot.core.events import MessageReceived
from bot.core.replies import (
    Choice,
    Reply,
    answer_article,
    answer_intent,
    as_lang,
    clarify,
    person_row,
    topics_menu,
)
from handoff import Cause, Ticket, TicketStatus, UnitOfWork
from intents.understanding import Understanding

__all__ = ["HUMAN_REQUEST", "answer_question", "reopen_if_recent"]

HUMAN_REQUEST = "human_request"
_SMALL_TALK = frozenset({"greeting", "thanks", "goodbye"})


async def answer_question(uow: UnitOfWork, deps: Deps, turn: Turn, text: str) -> None:
    understood = understand(deps, turn, text)  # sticky language, slots, typos, follow-ups
    decision = understood.decision
    if understood.switched and understood.language in deps.config.languages:
        await switch_language(uow, turn, understood.language)
    lang = turn.lang
    if understood.follow_up is not None:
        await _follow_up(uow, deps, turn, understood)
        return
    record = await uow.decisions.add(
        conversation_id=turn.conversation_id,
        text=text,
        language=lang,
        action=decision.action,
        intent=decision.intent_id,
        article=decision.article,
        score=float(decision.score),
        now=deps.clock.now(),
    )
    await remember(uow, deps, turn, decision.intent_id, understood.slots)
    facts = details(understood.slots)
    content = deps.brain.content
    intent = decision.intent
    if decision.intent_id == HUMAN_REQUEST:
        await call_person(
            uow,
            deps,
            turn,
            subject=text,
            intent_id=None,
            score=decision.score,
            cause=Cause.ASKED,
            details=facts,
        )
        return
    if decision.action in ("answer", "handoff"):
        await _count_miss(uow, turn, reset=True)
        if intent is not None:
            handing_off = intent.always_handoff or decision.action == "handoff"
            if not intent.is_system:
                await remember_intent(uow, turn, intent.id, float(decision.score))
            turn.say(
                answer_intent(
                    content,
                    intent,
                    lang,
                    deps.texts,
                    decision_id=record.id,
                    values=understood.values,
                    handing_off=handing_off,
                )
            )
            if handing_off:
                await call_person(
                    uow,
                    deps,
                    turn,
                    subject=text,
                    intent_id=intent.id,
                    score=decision.score,
                    cause=Cause.AUTOMATIC,
                    details=facts,
                )
            return
        if decision.article is not None:
            article = answer_article(
                content, decision.article, lang, deps.texts, decision_id=record.id
            )
            if article is not None:
                turn.say(article)
                return
    if decision.action == "clarify":
        choices = [Choice(c.kind, c.id) for c in (decision.options or decision.candidates)]
        turn.say(clarify(content, choices[:3], lang, deps.texts))
        return
    misses = await _count_miss(uow, turn)
    threshold = deps.config.misses_before_handoff
    if misses > threshold:  # confidence stays low: a person takes over
        await _count_miss(uow, turn, reset=True)
        await call_person(
            uow,
            deps,
            turn,
            subject=text,
            intent_id=None,
            score=decision.score,
            cause=Cause.LOW_CONFIDENCE,
            details=facts,
        )
    elif misses == threshold:
        offer = person_row(deps.texts, lang, rephrase=True)
        turn.say(Reply(deps.texts(lang, "miss_offer"), (offer,)))
    else:
        menu = topics_menu(content, lang, deps.config.popular_intents)
        turn.say(
            Reply(deps.texts(lang, "miss_first"), (*menu.keyboard, person_row(deps.texts, lang)))
        )


async def _follow_up(uow: UnitOfWork, deps: Deps, turn: Turn, understood: Understanding) -> None:
    """Small talk after an answer: "ok" / "👍" is acknowledged, "?" re-offers the last answer's
    options. Never a miss; recorded as a ``smalltalk`` decision."""
    lang = turn.lang
    last = understood.decision.intent_id or _last_intent(turn)
    await uow.decisions.add(
        conversation_id=turn.conversation_id,
        text=understood.text,
        language=lang,
        action="smalltalk",
        intent=last,
        article=None,
        score=1.0,
        now=deps.clock.now(),
    )
    await _count_miss(uow, turn, reset=True)
    content = deps.brain.content
    intent = content.intents.get(last) if last else None
    if understood.follow_up == "nudge" and intent is not None:
        answer = answer_intent(content, intent, lang, deps.texts, decision_id=None)
        title = intent.title.get(as_lang(lang, content)) or intent.id
        turn.say(Reply(deps.texts(lang, "followup_again", title=title), answer.keyboard))
        return
    turn.say(Reply(deps.texts(lang, "followup_ack")))


def _last_intent(turn: Turn) -> str | None:
    return turn.customer.state.last_intent


async def reopen_if_recent(
    uow: UnitOfWork, deps: Deps, turn: Turn, event: MessageReceived, last: Ticket
) -> bool:
    """Writing again soon after ``last`` (the customer's newest ticket) was closed reopens it
    (a "thanks" or "bye" does not)."""
    if last.status is not TicketStatus.RESOLVED or last.resolved_at is None:
        return False
    if deps.clock.now() - last.resolved_at > deps.config.reopen_window:
        return False
    if event.text is not None:
        decision = deps.brain.decide(event.text)
        if decision.action == "answer" and decision.intent_id in _SMALL_TALK:
            return False
    await call_person(
        uow,
        deps,
        turn,
        subject=last.subject,
        intent_id=last.intent,
        score=last.confidence,
        cause=last.handoff_cause or Cause.ASKED,
    )
    return True


async def _count_miss(uow: UnitOfWork, turn: Turn, *, reset: bool = False) -> int:
    before = turn.customer.state.misses  # consecutive messages the bot could not place
    misses = 0 if reset else before + 1
    turn.keep_state(replace(turn.customer.state, misses=misses))
    return misses
