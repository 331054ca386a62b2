"""Customer context on the card (issue 14): category, earlier tickets with outcome and CSAT,
the order number from the conversation; a category's route set by configuration."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.actions import SendText
from bot.core.deps import CoreConfig
from handoff.categories import CategoryRules, Route, categorize
from handoff.model import Priority, TicketStatus
from tests.core.desk.world import GROUP, make_world, operator_says
from tests.core.fakes import ScriptedBrain
from tests.core.fakes import make_world as make_dialog_world
from tests.core.test_customer_dialog import open_ticket, say

RULES = CategoryRules(
    listed={42: "corporate"},
    corporate_words=("VAT", "юрлиц"),
    experienced_after=2,
    routes={"corporate": Route(Priority.HIGH, 2)},
)


@pytest.mark.parametrize(
    ("telegram_id", "earlier", "said", "expected"),
    [
        (42, 0, ["hi"], "corporate"),  # the admins' list
        (1, 0, ["we need an invoice with VAT"], "corporate"),
        (1, 0, ["я юрлицо"], "corporate"),
        (1, 0, ["a private order"], "newcomer"),  # "VAT" is not inside "private"
        (1, 2, ["hi"], "experienced"),
    ],
)
def test_categories(telegram_id: int, earlier: int, said: list[str], expected: str) -> None:
    assert categorize(RULES, telegram_id, earlier, said) == expected


async def test_the_card_shows_category_earlier_tickets_with_csat_and_the_order() -> None:
    world = make_world()
    first = await world.ticket()
    await world.desk.group_message(operator_says("Sorted", thread_id=first.topic_id))
    await world.desk.group_message(operator_says("/close", thread_id=first.topic_id))
    async with world.store.unit_of_work() as uow:
        await uow.surveys.save(first.id, csat=4, now=world.clock.now())
    world.clock.advance(hours=2)  # past the reopen window: a new ticket
    world.outbox.clear()
    second = await world.ticket(history=("order VM-220931 again",))
    assert second.id != first.id
    card = next(a for a in world.outbox.of(SendText) if a.chat_id == GROUP)  # type: ignore[attr-defined]
    lines = card.text.splitlines()  # type: ignore[attr-defined]
    assert "<b>Category:</b> newcomer" in lines
    assert f"<b>Earlier tickets:</b> #{first.id} ✅ closed · CSAT 4/5" in lines
    assert "<b>Order:</b> VM-220931" in lines
    assert "<b>Intent:</b> order_status (42%)" in lines


async def test_a_corporate_customer_is_routed_to_line_2_with_high_priority() -> None:
    brain = ScriptedBrain(rules={"invoice please": ("answer", "order_status", 0.9, ())})
    config = replace(CoreConfig(operator_group_id=-100500), categories=RULES)
    world = make_dialog_world(brain=brain, config=config)
    await say(world, "we need an invoice with VAT for our company")
    await say(world, "/operator")
    ticket = await open_ticket(world)
    assert ticket is not None
    assert (ticket.priority, ticket.line) == (Priority.HIGH, 2)
    assert ticket.status is TicketStatus.WAITING
