"""The desk wired to the customer dialog, as the composition root does it."""

from __future__ import annotations

import itertools
from dataclasses import replace

from bot.core import callbacks as cb
from bot.core.actions import CopyMessages, CreateTopic, SendText
from bot.core.desk import OperatorDesk
from bot.core.events import ButtonPressed, MessageReceived, Person
from bot.core.service import SupportCore
from bot.core.survey_flow import SurveyFlow
from handoff.model import TicketStatus
from tests.core.desk.world import GROUP, NOON, make_world, operator_says
from tests.core.fakes import ScriptedBrain

ALICE = Person(501, "Alice Customer", language_code="en")
_ids = itertools.count(50_000)


def says(text: str) -> MessageReceived:
    n = next(_ids)
    return MessageReceived(
        update_id=n, chat_id=501, private=True, sender=ALICE, message_id=n, date=NOON, text=text
    )


async def test_customer_to_operator_and_back_through_the_core() -> None:
    world = make_world()
    brain = ScriptedBrain(rules={"operator please": ("handoff", "human_request", 0.95, ())})
    deps = replace(world.deps, brain=brain)  # type: ignore[arg-type]
    survey = SurveyFlow(deps)
    desk = OperatorDesk(deps, survey.start, album_wait=0, articles=world.articles)
    core = SupportCore(deps, desk, survey)

    await core.handle(says("operator please"))
    create = world.outbox.of(CreateTopic)
    assert len(create) == 1
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(501)
        assert customer is not None
        ticket = await uow.tickets.open_for_customer(customer.id)
    assert ticket is not None
    assert ticket.topic_id is not None

    follow_up = says("my order is late")
    await core.handle(follow_up)
    assert world.outbox.actions[-1] == CopyMessages(
        501, (follow_up.message_id,), GROUP, ticket.topic_id
    )
    await core.handle(operator_says("on it", thread_id=ticket.topic_id))
    assert world.outbox.of(CopyMessages)[-1].to_chat_id == 501  # type: ignore[attr-defined]
    await core.handle(operator_says("/close", thread_id=ticket.topic_id))
    assert (await world.get(ticket.id)).status is TicketStatus.RESOLVED
    csat = [a for a in world.outbox.of(SendText) if a.chat_id == 501][-1]  # type: ignore[attr-defined]
    assert isinstance(csat, SendText)
    data = csat.keyboard[0][4].data or ""
    n = next(_ids)
    await core.handle(ButtonPressed(n, f"q{n}", 501, True, ALICE, 99, data, NOON))
    async with world.store.unit_of_work() as uow:
        answer = await uow.surveys.get(ticket.id)
    assert answer is not None
    assert answer.csat == 5
    assert cb.decode(data) == cb.Csat(ticket.id, 5)


async def test_an_unknown_command_with_a_ticket_open_is_relayed_to_the_operator() -> None:
    """A customer whose ticket an operator has may type "/close 6193" or "/note": no command of
    the bot's, so it reaches the topic like any message instead of vanishing."""
    world = make_world()
    brain = ScriptedBrain(rules={"operator please": ("handoff", "human_request", 0.95, ())})
    deps = replace(world.deps, brain=brain)  # type: ignore[arg-type]
    survey = SurveyFlow(deps)
    desk = OperatorDesk(deps, survey.start, album_wait=0, articles=world.articles)
    core = SupportCore(deps, desk, survey)
    await core.handle(says("operator please"))
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(501)
        assert customer is not None
        ticket = await uow.tickets.open_for_customer(customer.id)
    assert ticket is not None
    assert ticket.topic_id is not None
    world.outbox.clear()

    odd = says("/close 6193")
    await core.handle(odd)
    assert world.outbox.actions == [CopyMessages(501, (odd.message_id,), GROUP, ticket.topic_id)]
    assert (await world.get(ticket.id)).status.is_open  # the customer closes nothing


async def test_an_unknown_command_without_a_ticket_is_answered() -> None:
    world = make_world()
    deps = replace(world.deps, brain=ScriptedBrain(rules={}))  # type: ignore[arg-type]
    survey = SurveyFlow(deps)
    desk = OperatorDesk(deps, survey.start, album_wait=0, articles=world.articles)
    core = SupportCore(deps, desk, survey)
    await core.handle(says("/frobnicate"))
    (answer,) = world.outbox.actions
    assert isinstance(answer, SendText)
    assert answer.chat_id == 501
    assert answer.text == deps.texts("en", "unknown_command")
