"""The desk polished (issue 14): a confirmation before closing a ticket nobody answered, the
desk's own language, the customer's photos where the ticket moves."""

from __future__ import annotations

from bot.core import callbacks as cb
from bot.core.actions import AnswerButton, CopyMessages, EditKeyboard, SendText
from bot.core.desk.callbacks import ConfirmClose, KeepOpen, encode_desk
from handoff.model import Direction, NewMessage, TicketStatus
from tests.core.desk.world import GROUP, LINE2_GROUP, make_world, operator_says, press


async def test_one_tap_on_close_asks_first_when_nobody_answered() -> None:
    """Regression: one tap closed a ticket nobody answered; the customer got a survey."""
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_button(press(cb.encode(cb.CloseTicket(ticket.id))))
    assert (await world.get(ticket.id)).status is TicketStatus.WAITING
    assert world.outbox.texts_to(501) == []
    [question] = [a for a in world.outbox.of(SendText) if a.chat_id == GROUP]  # type: ignore[attr-defined]
    assert "Nobody has answered" in question.text  # type: ignore[attr-defined]
    data = [b.data for row in question.keyboard for b in row]  # type: ignore[attr-defined]
    assert data == [encode_desk(ConfirmClose(ticket.id)), encode_desk(KeepOpen(ticket.id))]

    world.outbox.clear()
    await world.desk.group_button(press(data[1] or "", message_id=55))
    assert (await world.get(ticket.id)).status is TicketStatus.WAITING
    assert EditKeyboard(GROUP, 55, ()) in world.outbox.actions

    await world.desk.group_button(press(data[0] or "", message_id=55))
    assert (await world.get(ticket.id)).status is TicketStatus.RESOLVED
    assert "is closed" in world.outbox.texts_to(501)[0]


async def test_close_after_an_answer_needs_one_tap() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("Found it", thread_id=ticket.topic_id))
    await world.desk.group_button(press(cb.encode(cb.CloseTicket(ticket.id))))
    assert (await world.get(ticket.id)).status is TicketStatus.RESOLVED
    assert any(isinstance(a, AnswerButton) for a in world.outbox.actions)


async def test_the_desk_speaks_its_own_language() -> None:
    """Regression: the desk spoke the customers' default language; it is a setting now."""
    world = make_world(desk_language="ru")
    ticket = await world.ticket()  # an English-speaking customer
    card = world.outbox.of(SendText)[0]
    assert "<b>Клиент:</b>" in card.text  # type: ignore[attr-defined]
    await world.desk.group_message(operator_says("Hello", thread_id=ticket.topic_id))
    assert world.outbox.texts_to(501)[0] == "Anna has taken your request and will answer here."


async def test_a_ticket_moved_to_the_line_2_group_brings_the_customers_photo() -> None:
    """Regression: line 2 saw "[photo]" in the transcript but not the photo."""
    world = make_world(line_groups={2: LINE2_GROUP})
    ticket = await world.ticket()
    async with world.store.unit_of_work() as uow:
        await uow.messages.add(
            NewMessage(
                conversation_id=ticket.conversation_id,
                direction=Direction.CUSTOMER,
                chat_id=501,
                telegram_message_id=777,
                text="the receipt",
                created_at=world.clock.now(),
                media_kind="photo",
                media_file_id="file-777",
            )
        )
    world.outbox.clear()
    await world.desk.group_button(press(cb.encode(cb.Escalate(ticket.id))))
    copies = [a for a in world.outbox.of(CopyMessages) if a.to_chat_id == LINE2_GROUP]  # type: ignore[attr-defined]
    assert [c.message_ids for c in copies] == [(777,)]  # type: ignore[attr-defined]
    transcript = world.outbox.texts_to(LINE2_GROUP)
    assert any("[photo] the receipt" in text for text in transcript)
