"""What the message reader needs from the dialog state, and what it leaves there.

Kept in one place so the dialog-state keys it uses are easy to find: ``language`` (the language
the customer's messages clearly switched to; Telegram's ``language_code`` until then, and
``/language`` overrides both), ``last_intent`` (the intent the bot answered last) and
``awaiting_order`` (the intent whose answer asked for an order number).
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.customer.turn import Turn
from bot.core.deps import Deps
from bot.core.reader import live_reader
from handoff import Customer, UnitOfWork
from intents.understanding import Context, Slot, Understanding

__all__ = [
    "details",
    "follow_language",
    "remember",
    "spoken_language",
    "switch_language",
    "understand",
]

_ORDER_PLACEHOLDER = "{order_id}"


def spoken_language(customer: Customer, languages: tuple[str, ...]) -> str:
    """The language to speak with ``customer``: chosen with /language, else the one their
    messages switched to, else Telegram's."""
    followed = customer.state.language
    if not customer.language_chosen and followed is not None and followed in languages:
        return followed
    return customer.language


def follow_language(turn: Turn, languages: tuple[str, ...]) -> None:
    """At the start of a turn: speak the language the customer's messages switched to."""
    spoken = spoken_language(turn.customer, languages)
    if spoken != turn.customer.language:
        turn.speak(spoken)


async def switch_language(uow: UnitOfWork, turn: Turn, language: str) -> None:
    """The customer's messages clearly switched language: follow them from now on."""
    turn.keep_state(replace(turn.customer.state, language=language))
    turn.speak(language)


def understand(deps: Deps, turn: Turn, text: str) -> Understanding:
    customer = turn.customer
    context = Context(
        language=customer.language,
        language_chosen=customer.language_chosen,
        last_intent=customer.state.last_intent,
        awaiting_order_for=customer.state.awaiting_order,
    )
    return live_reader(deps).understand(text, context)


async def remember(
    uow: UnitOfWork, deps: Deps, turn: Turn, intent_id: str | None, slots: tuple[Slot, ...]
) -> None:
    """After a reply: the intent answered (None: nothing was) and whether its answer asked for an
    order number the message did not give (the answer's text uses ``{order_id}``)."""
    before = turn.customer.state
    intent = deps.brain.content.intents.get(intent_id) if intent_id else None
    asks = intent is not None and any(_ORDER_PLACEHOLDER in text for text in intent.answer.values())
    has_order = any(slot.name == "order_id" for slot in slots)
    state = replace(
        before, last_intent=intent_id, awaiting_order=intent_id if asks and not has_order else None
    )
    turn.keep_state(state)


def details(slots: tuple[Slot, ...]) -> str:
    """The slots for a ticket's subject: "order_id 458812, email a@b.c"."""
    return ", ".join(f"{slot.name} {slot.value}" for slot in slots)
