"""The customer's buttons: a topic, an article, feedback on an answer, a person, a language."""

from __future__ import annotations

from bot.core import callbacks as cb
from bot.core.customer.person import call_person, remember_intent
from bot.core.customer.questions import HUMAN_REQUEST
from bot.core.customer.turn import Turn
from bot.core.deps import Deps
from bot.core.events import ButtonPressed
from bot.core.replies import Reply, answer_article, answer_intent, person_row
from handoff import Cause, UnitOfWork

__all__ = ["press"]


async def press(
    uow: UnitOfWork, deps: Deps, turn: Turn, event: ButtonPressed, payload: cb.Callback | None
) -> str | None:
    """Act on the button; returns the short notice to show on the button, if any."""
    content, texts = deps.brain.content, deps.texts
    match payload:
        case cb.Person():
            await call_person(
                uow, deps, turn, subject="", intent_id=None, score=None, cause=Cause.ASKED
            )
        case cb.ShowIntent(intent_id) if intent_id == HUMAN_REQUEST:
            await call_person(
                uow, deps, turn, subject="", intent_id=None, score=None, cause=Cause.ASKED
            )
        case cb.ShowIntent(intent_id) if intent_id in content.intents:
            intent = content.intents[intent_id]
            decision = await _chosen(uow, deps, turn, intent=intent_id)
            if not intent.is_system:
                await remember_intent(uow, turn, intent_id, 1.0)
            turn.say(
                answer_intent(
                    content,
                    intent,
                    turn.lang,
                    texts,
                    decision_id=decision,
                    handing_off=intent.always_handoff,
                )
            )
            if intent.always_handoff:
                await call_person(
                    uow,
                    deps,
                    turn,
                    subject="",
                    intent_id=intent_id,
                    score=1.0,
                    cause=Cause.AUTOMATIC,
                )
        case cb.Article(article_id):
            decision = await _chosen(uow, deps, turn, article=article_id)
            reply = answer_article(content, article_id, turn.lang, texts, decision_id=decision)
            if reply is not None:
                turn.say(reply)
        case cb.Feedback(decision_id, helped):
            return await _feedback(uow, deps, turn, event, decision_id, helped)
        case cb.Rephrase():
            return texts(turn.lang, "miss_first")
        case cb.AddExample(decision_id, intent_id):
            if event.sender.telegram_id not in deps.config.admin_ids:
                turn.say(Reply(texts(turn.lang, "not_admin")))
            else:
                turn.add_example = (decision_id, intent_id)  # written and reloaded after commit
        case cb.Language(code) if code in deps.config.languages:
            await uow.customers.set_language(turn.customer.id, code)
            turn.speak(code)
            turn.say(Reply(texts(code, "language_set")))
    return None


async def _chosen(
    uow: UnitOfWork,
    deps: Deps,
    turn: Turn,
    *,
    intent: str | None = None,
    article: str | None = None,
) -> int:
    """Record a topic the customer picked from buttons as a certain decision; its id."""
    record = await uow.decisions.add(
        conversation_id=turn.conversation_id,
        text=f"[{intent or article}]",
        language=turn.lang,
        action="answer",
        intent=intent,
        article=article,
        score=1.0,
        now=deps.clock.now(),
    )
    return record.id


async def _feedback(
    uow: UnitOfWork, deps: Deps, turn: Turn, event: ButtonPressed, decision_id: int, helped: bool
) -> str | None:
    """Record the feedback on the customer's own answer; a notice for the button when the
    decision is missing or another customer's (a forged or stale button)."""
    texts, lang = deps.texts, turn.lang
    found = await uow.decisions.get(decision_id)
    conversation = await uow.conversations.get(found.conversation_id) if found else None
    if conversation is None or conversation.customer_id != turn.customer.id:
        return texts(lang, "feedback_unknown")
    decision = await uow.decisions.set_feedback(decision_id, helped)
    if event.message_id is not None:
        turn.strip.append((event.chat_id, event.message_id))  # feedback is given once
    if helped:
        await uow.conversations.mark_resolved_by_bot(turn.conversation_id)
        turn.say(Reply(texts(lang, "feedback_thanks")))
        return None
    intent = deps.brain.content.intents.get(decision.intent or "") if decision else None
    if decision is not None and intent is not None and intent.line > 1:
        # a second-line topic (corporate sales, app bugs): straight to that line's people
        await call_person(
            uow,
            deps,
            turn,
            subject=decision.text,
            intent_id=intent.id,
            score=decision.score,
            cause=Cause.NOT_HELPED,
        )
        return None
    turn.say(Reply(texts(lang, "not_helped"), (person_row(texts, lang, rephrase=True),)))
    return None
