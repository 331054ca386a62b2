"""Regressions of the operator desk's first review (issue 14), on the customer's side of the core:
what the ticket and its transcript learn from the dialog before the hand-off."""

from __future__ import annotations

import pytest

from bot.core import callbacks as cb
from handoff.model import Direction
from tests.core.fakes import ScriptedBrain, World, make_world
from tests.core.test_customer_dialog import CHAT, buttons, open_ticket, press, say


@pytest.fixture
def world() -> World:
    brain = ScriptedBrain(
        rules={
            "where is my order": ("answer", "order_status", 0.87, ()),
            "i was charged twice": ("handoff", "double_charge", 0.9, ()),
            "delivery?": ("clarify", None, 0.4, ("delivery_time", "order_status")),
            "human please": ("handoff", "human_request", 0.95, ()),
        }
    )
    return make_world(brain=brain)


async def stored(world: World) -> list[tuple[Direction, str | None, str | None]]:
    ticket = await open_ticket(world)
    assert ticket is not None
    async with world.store.unit_of_work() as uow:
        messages = await uow.messages.for_conversation(ticket.conversation_id)
    return [(m.direction, m.media_kind, m.text) for m in messages]


@pytest.mark.parametrize("how", ["not helped, then a person", "/operator", "human please"])
async def test_the_card_keeps_the_last_recognised_intent_when_a_person_is_asked_for(
    world: World, how: str
) -> None:
    """Regression: the card said "Intent: not recognised" after 👎 → 🙋, /operator or "human
    please" although the question before was recognised."""
    await say(world, "where is my order")
    if how == "not helped, then a person":
        not_helped = next(d for d in buttons(world.outbox.last_to(CHAT)) if d.endswith(":0"))
        await press(world, not_helped)
        await press(world, cb.encode(cb.Person()))
    else:
        await say(world, how)
    ticket = await open_ticket(world)
    assert ticket is not None
    assert (ticket.intent, ticket.confidence) == ("order_status", 0.87)


async def test_a_person_asked_for_without_a_recognised_question_has_no_intent(
    world: World,
) -> None:
    await say(world, "/operator")
    ticket = await open_ticket(world)
    assert ticket is not None
    assert ticket.intent is None


async def test_an_automatic_hand_off_answer_has_no_feedback_or_person_buttons(
    world: World,
) -> None:
    """Regression: 👍/👎/"Talk to a person" sat right above "I've passed your question"."""
    await say(world, "i was charged twice")
    answer, passed = world.outbox.actions[-2:]
    assert answer.text == "Answer about double_charge."  # type: ignore[attr-defined]
    assert buttons(answer) == []  # type: ignore[arg-type]
    assert "passed your question" in passed.text  # type: ignore[attr-defined]


async def test_the_transcript_keeps_what_a_clarify_offered_and_the_buttons_pressed(
    world: World,
) -> None:
    """Regression: the transcript lost the clarify's options and the customer's presses."""
    await say(world, "delivery?")
    await press(world, cb.encode(cb.ShowIntent("order_status")))
    not_helped = next(d for d in buttons(world.outbox.last_to(CHAT)) if d.endswith(":0"))
    await press(world, not_helped)
    await press(world, cb.encode(cb.Person()))
    lines = await stored(world)
    clarify = next(
        text for d, _, text in lines if d is Direction.BOT and "not sure" in (text or "")
    )
    assert "[Delivery Time] · [Order Status] · [🙋 Talk to a person]" in clarify
    pressed = [text for d, kind, text in lines if d is Direction.CUSTOMER and kind == "button"]
    assert pressed == ["Order Status", "👎 Didn't help", "🙋 Talk to a person"]
    ticket = await open_ticket(world)
    assert ticket is not None
    assert ticket.subject == "delivery?"  # the last question, not the words of a button
