"""Escalation, the queue, /take N, /kb, SLA reminders, and the group without topics."""

from __future__ import annotations

from bot.core import callbacks as cb
from bot.core.actions import AnswerButton, CloseTopic, CopyMessages, CreateTopic, EditText, SendText
from bot.core.desk.callbacks import SendArticle, decode_desk, encode_desk
from handoff.model import TicketStatus
from tests.core.desk.world import (
    ANNA,
    GROUP,
    LINE2_GROUP,
    customer_says,
    make_world,
    operator_says,
    press,
)


async def test_escalate_relabels_and_tells_the_customer() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says("/escalate", thread_id=ticket.topic_id))
    moved = await world.get(ticket.id)
    assert moved.line == 2
    assert moved.topic_id == ticket.topic_id
    (card,) = world.outbox.of(EditText)
    assert "<b>Line:</b> 2" in card.text  # type: ignore[attr-defined]
    assert world.outbox.texts_to(501)[-1] == (
        f"Your request #{ticket.id} has been passed to our more experienced specialists; "
        "they will answer here."
    )


async def test_escalate_to_a_line_group_moves_the_ticket_there() -> None:
    world = make_world(line_groups={2: LINE2_GROUP})
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_button(press(cb.encode(cb.Escalate(ticket.id))))
    moved = await world.get(ticket.id)
    assert moved.group_chat_id == LINE2_GROUP
    assert moved.status is TicketStatus.WAITING
    assert CloseTopic(GROUP, ticket.topic_id or 0) in world.outbox.actions
    assert [a.chat_id for a in world.outbox.of(CreateTopic)] == [LINE2_GROUP]  # type: ignore[attr-defined]
    # relay now goes to the new group
    world.outbox.clear()
    await world.desk.customer_message(ticket.id, customer_says(moved, "hello?"))
    (copy,) = world.outbox.of(CopyMessages)
    assert copy.to_chat_id == LINE2_GROUP  # type: ignore[attr-defined]


async def test_escalate_past_the_last_line_is_refused() -> None:
    world = make_world()
    ticket = await world.ticket(line=3)
    world.outbox.clear()
    await world.desk.group_message(operator_says("/escalate", thread_id=ticket.topic_id))
    assert "Cannot escalate" in world.outbox.texts_to(GROUP)[-1]


async def test_queue_lists_waiting_tickets_with_age() -> None:
    world = make_world()
    first = await world.ticket()
    world.clock.advance(minutes=7)
    second = await world.ticket(await world.customer(502, "Bob"), subject="refund")
    world.outbox.clear()
    await world.desk.group_message(operator_says("/queue"))
    text = world.outbox.texts_to(GROUP)[-1]
    assert f"#{first.id} · normal · line 1 · waiting 7 min · Alice Customer" in text
    assert f"#{second.id} · normal · line 1 · waiting 0 min · Bob — refund" in text
    assert text.index(f"#{first.id}") < text.index(f"#{second.id}")


async def test_take_by_number_from_the_general_chat() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says(f"/take {ticket.id}"))
    taken = await world.get(ticket.id)
    assert taken.operator_id == ANNA.telegram_id
    assert f"You took ticket #{ticket.id}." in world.outbox.texts_to(GROUP)


async def test_kb_offers_an_article_and_its_button_sends_it() -> None:
    world = make_world()
    world.articles.found["return"] = ("returns-policy", "Returns", "<b>Returns</b> within 14 days")
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says("/kb return a parcel", thread_id=ticket.topic_id))
    offer = world.outbox.of(SendText)[-1]
    assert isinstance(offer, SendText)
    assert offer.text.splitlines()[1] == "1. 📄 <b>Returns</b> — within 14 days"
    data = offer.keyboard[0][0].data
    assert data == f"ka:{ticket.id}:returns-policy"
    world.outbox.clear()
    await world.desk.group_button(press(data or ""))
    answer = world.outbox.actions[0]
    assert isinstance(answer, AnswerButton)
    assert world.outbox.texts_to(501) == ["<b>Returns</b> within 14 days"]


async def test_kb_without_a_hit_says_so() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/kb <nothing>", thread_id=ticket.topic_id))
    assert world.outbox.texts_to(GROUP)[-1] == "No article found for “&lt;nothing&gt;”."


def test_send_article_payload_round_trips_within_64_bytes() -> None:
    data = encode_desk(SendArticle(12345, "delivery-times"))
    assert data is not None
    assert decode_desk(data) == SendArticle(12345, "delivery-times")
    assert encode_desk(SendArticle(1, "x" * 80)) is None
    assert decode_desk("ka:x:y") is None
    assert cb.decode(data) is None  # the core's decoder leaves it to the desk


async def test_overdue_tickets_are_reminded_once_per_sla() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.clock.advance(minutes=10)
    assert await world.desk.remind_overdue() == 0
    world.clock.advance(minutes=6)
    world.outbox.clear()
    assert await world.desk.remind_overdue() == 1
    reminder = world.outbox.of(SendText)[0]
    assert isinstance(reminder, SendText)
    assert reminder.thread_id == ticket.topic_id
    assert "waiting for 16 min" in reminder.text
    assert reminder.keyboard[0][0].data == cb.encode(cb.TakeTicket(ticket.id))
    world.clock.advance(minutes=5)
    assert await world.desk.remind_overdue() == 0
    world.clock.advance(minutes=10)
    assert await world.desk.remind_overdue() == 1


async def test_taken_tickets_are_not_reminded() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_button(press(cb.encode(cb.TakeTicket(ticket.id))))
    world.clock.advance(minutes=30)
    assert await world.desk.remind_overdue() == 0


async def test_without_topics_the_card_and_replies_carry_the_ticket() -> None:
    world = make_world(use_topics=False)
    ticket = await world.ticket()
    assert world.outbox.of(CreateTopic) == []
    assert ticket.topic_id is None
    card_id = ticket.card_message_id
    assert card_id is not None
    said = customer_says(ticket, "hello")
    await world.desk.customer_message(ticket.id, said)
    assert world.outbox.actions[-1] == CopyMessages(501, (said.message_id,), GROUP, None, card_id)
    copy_id = world.outbox.last_id(GROUP)
    world.outbox.clear()
    # a reply to the card and a reply to the relayed message both reach the customer
    await world.desk.group_message(operator_says("first", reply_to=card_id))
    await world.desk.group_message(operator_says("second", reply_to=copy_id))
    copies = world.outbox.of(CopyMessages)
    assert len(copies) == 2
    assert copies[1].reply_to == said.message_id  # type: ignore[attr-defined]
    # /close as a reply to the card
    await world.desk.group_message(operator_says("/close", reply_to=card_id))
    assert (await world.get(ticket.id)).status is TicketStatus.RESOLVED
    assert world.outbox.of(CloseTopic) == []


async def test_unknown_command_in_a_topic_shows_help_and_is_not_relayed() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says("/help", thread_id=ticket.topic_id))
    assert world.outbox.of(CopyMessages) == []
    assert world.outbox.texts_to(GROUP)[-1].startswith("Desk commands:")


async def test_kb_offers_the_top_five_hits_with_previews_one_button_each() -> None:
    world = make_world()
    for n in range(7):
        world.articles.found[f"w{n}"] = (f"a{n}", f"Article {n}", f"<b>Article {n}</b> body {n}")
    ticket = await world.ticket()
    world.outbox.clear()
    query = "/kb " + " ".join(f"w{n}" for n in range(7))
    await world.desk.group_message(operator_says(query, thread_id=ticket.topic_id))
    offer = world.outbox.of(SendText)[-1]
    assert isinstance(offer, SendText)
    lines = offer.text.splitlines()
    assert lines[0].startswith("<b>Found for “w0")
    assert lines[1:] == [f"{n + 1}. 📄 <b>Article {n}</b> — body {n}" for n in range(5)]
    assert [row[0].data for row in offer.keyboard] == [f"ka:{ticket.id}:a{n}" for n in range(5)]
