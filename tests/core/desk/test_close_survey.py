"""Closing a ticket and the survey that follows, answered end to end."""

from __future__ import annotations

from bot.core import callbacks as cb
from bot.core.actions import (
    AnswerButton,
    CloseTopic,
    CreateTopic,
    EditKeyboard,
    EditText,
    ReopenTopic,
    SendText,
)
from bot.core.events import ButtonPressed, MessageReceived, Person
from handoff.dialog import DialogState, SurveyState, SurveyStep
from handoff.model import TicketStatus
from tests.core.desk.world import GROUP, NOON, World, make_world, operator_says, press

CUSTOMER = Person(501, "Alice Customer")


def customer_press(data: str, n: int) -> ButtonPressed:
    return ButtonPressed(
        update_id=90_000 + n,
        callback_id=f"s{n}",
        chat_id=501,
        private=True,
        sender=CUSTOMER,
        message_id=300 + n,
        data=data,
        date=NOON,
    )


def customer_text(text: str) -> MessageReceived:
    return MessageReceived(
        update_id=91_000,
        chat_id=501,
        private=True,
        sender=CUSTOMER,
        message_id=400,
        date=NOON,
        text=text,
    )


async def state(world: World) -> DialogState:
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(501)
    assert customer is not None
    return customer.state


def surveying(ticket_id: int, step: SurveyStep) -> DialogState:
    return DialogState(survey=SurveyState(ticket_id, step))


async def test_close_edits_card_closes_topic_tells_customer_and_starts_survey() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says("/close", thread_id=ticket.topic_id))

    closed = await world.get(ticket.id)
    assert closed.status is TicketStatus.RESOLVED
    (card,) = world.outbox.of(EditText)
    assert isinstance(card, EditText)
    assert card.message_id == ticket.card_message_id
    assert card.keyboard == ()
    assert "closed" in card.text
    assert world.outbox.of(CloseTopic) == [CloseTopic(GROUP, ticket.topic_id or 0)]
    to_customer = [a for a in world.outbox.actions if isinstance(a, SendText) and a.chat_id == 501]
    assert (
        to_customer[0].text
        == f"Your request #{ticket.id} is closed. If something is left, just write again."
    )
    csat = to_customer[1]
    assert [b.data for b in csat.keyboard[0]] == [
        cb.encode(cb.Csat(ticket.id, score)) for score in range(1, 6)
    ]
    assert await state(world) == surveying(ticket.id, SurveyStep.CSAT)


async def test_close_by_button_answers_the_press() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("On it", thread_id=ticket.topic_id))
    world.outbox.clear()
    await world.desk.group_button(press(cb.encode(cb.CloseTicket(ticket.id))))
    answer = world.outbox.actions[0]
    assert isinstance(answer, AnswerButton)
    assert (await world.get(ticket.id)).status is TicketStatus.RESOLVED


async def test_survey_answered_end_to_end_is_stored_and_shown_to_operators() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/close", thread_id=ticket.topic_id))
    flow = world.survey
    await flow.button(customer_press(cb.encode(cb.Csat(ticket.id, 4)), 1), cb.Csat(ticket.id, 4))
    assert "Was your issue solved?" in world.outbox.texts_to(501)[-1]
    await flow.button(
        customer_press(cb.encode(cb.Solved(ticket.id, True)), 2), cb.Solved(ticket.id, True)
    )
    assert await state(world) == surveying(ticket.id, SurveyStep.COMMENT)
    assert await flow.comment(customer_text("fast & kind"), await state(world))
    assert world.outbox.texts_to(501)[-1] == "Thank you for the feedback!"

    async with world.store.unit_of_work() as uow:
        answer = await uow.surveys.get(ticket.id)
    assert answer is not None
    assert (answer.csat, answer.solved, answer.comment) == (4, True, "fast & kind")
    assert await state(world) == DialogState()
    in_topic = world.outbox.texts_to(GROUP, ticket.topic_id)
    assert in_topic[-3:] == [
        "Survey: satisfaction 4/5.",
        "Survey: the issue is solved.",
        "Survey comment: fast &amp; kind",
    ]
    # each answered question loses its buttons
    assert EditKeyboard(501, 301, ()) in world.outbox.actions


async def test_skip_comment_and_no_second_survey() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/close", thread_id=ticket.topic_id))
    flow = world.survey
    await flow.button(customer_press("x", 1), cb.Csat(ticket.id, 2))
    await flow.button(customer_press("x", 2), cb.Solved(ticket.id, False))
    await flow.button(customer_press("x", 3), cb.SkipComment(ticket.id))
    assert world.outbox.texts_to(501)[-1] == "Thank you for the feedback!"
    assert world.outbox.texts_to(GROUP)[-1] == "Survey: no comment."
    world.outbox.clear()
    await flow.start(ticket.id)  # once per ticket
    assert world.outbox.actions == []


async def test_stale_survey_button_is_only_answered() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/close", thread_id=ticket.topic_id))
    flow = world.survey
    world.outbox.clear()
    await flow.button(customer_press("x", 1), cb.Solved(ticket.id, True))  # CSAT comes first
    assert world.outbox.of(SendText) == []
    assert isinstance(world.outbox.actions[0], AnswerButton)
    assert await state(world) == surveying(ticket.id, SurveyStep.CSAT)


async def test_comment_is_not_consumed_without_a_survey() -> None:
    world = make_world()
    await world.customer()
    assert not await world.survey.comment(customer_text("hello"), DialogState())


async def test_cancelled_ticket_updates_card_and_closes_topic() -> None:
    world = make_world()
    ticket = await world.ticket()
    async with world.store.unit_of_work() as uow:
        await uow.tickets.set_status(ticket.id, TicketStatus.CANCELLED, now=world.clock.now())
    world.outbox.clear()
    await world.desk.ticket_cancelled(ticket.id)
    card = world.outbox.actions[0]
    assert isinstance(card, EditText)
    assert card.keyboard == ()
    assert "withdrew" in world.outbox.texts_to(GROUP)[-1]
    assert isinstance(world.outbox.actions[-1], CloseTopic)


async def test_reopened_ticket_continues_in_its_own_topic_with_only_the_new_messages() -> None:
    """Regression: a reopened ticket got a second topic of the same name and the whole
    transcript again; now its topic is reopened and only what came since is posted."""
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/close", thread_id=ticket.topic_id))
    world.clock.advance(minutes=5)
    world.outbox.clear()
    reopened = await world.ticket(history=("one more question",))
    assert reopened.id == ticket.id
    assert reopened.status is TicketStatus.WAITING
    assert reopened.topic_id == ticket.topic_id
    assert world.outbox.of(CreateTopic) == []
    assert world.outbox.of(ReopenTopic) == [ReopenTopic(GROUP, ticket.topic_id)]
    [posted] = world.outbox.texts_to(GROUP, ticket.topic_id)
    assert posted.startswith(f"The customer wrote again: ticket #{ticket.id} is reopened.")
    assert "one more question" in posted
    assert "where is my parcel?" not in posted  # the earlier conversation is in the topic above
