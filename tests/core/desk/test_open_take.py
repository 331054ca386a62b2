"""Hand-off reaches the group: a topic, the card, the transcript; taking is atomic."""

from __future__ import annotations

import asyncio

from bot.core import callbacks as cb
from bot.core.actions import AnswerButton, CreateTopic, EditText, SendText
from bot.core.desk.cards import TOPIC_NAME_LIMIT
from handoff.model import TicketStatus
from handoff.tickets import OpenKind
from tests.core.desk.world import ANNA, BORIS, GROUP, make_world, operator_says, press


async def test_open_creates_topic_then_card_with_buttons_then_escaped_transcript() -> None:
    world = make_world()
    customer = await world.customer(name="Alice <b>")
    ticket = await world.ticket(customer, history=("my order #12 & more <tags>",))

    create, card, transcript = world.outbox.actions
    assert isinstance(create, CreateTopic)
    assert create.chat_id == GROUP
    assert create.name == f"#{ticket.id} Alice <b> — Where is my parcel?"
    assert isinstance(card, SendText)
    assert card.thread_id == ticket.topic_id
    assert "Alice &lt;b&gt;" in card.text
    assert "order_status (42%)" in card.text
    data = [b.data for row in card.keyboard for b in row]
    assert data == [
        cb.encode(cb.TakeTicket(ticket.id)),
        cb.encode(cb.CloseTicket(ticket.id)),
        cb.encode(cb.Escalate(ticket.id)),
    ]
    assert isinstance(transcript, SendText)
    assert transcript.text.startswith(f"<b>Conversation so far</b> (ticket #{ticket.id}):\n")
    assert transcript.thread_id == ticket.topic_id
    assert "my order #12 &amp; more &lt;tags&gt;" in transcript.text
    assert ticket.group_chat_id == GROUP
    assert ticket.card_message_id == 1  # the first message the bot sent into the group


async def test_opening_twice_posts_one_card() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.ticket_opened(ticket.id, OpenKind.NEW)
    assert world.outbox.actions == []


async def test_topic_name_is_cut_to_telegram_limit() -> None:
    world = make_world()
    await world.ticket(subject="x" * 300)
    name = world.outbox.of(CreateTopic)[0].name  # type: ignore[attr-defined]
    assert len(name) == TOPIC_NAME_LIMIT
    assert name.endswith("…")


async def test_two_operators_take_at_once_one_wins_the_other_is_told_who() -> None:
    world = make_world()
    ticket = await world.ticket()
    other_replica = world.new_desk()  # no shared memory: the storage decides
    world.outbox.clear()
    await asyncio.gather(
        world.desk.group_button(press(cb.encode(cb.TakeTicket(ticket.id)), who=ANNA)),
        other_replica.group_button(press(cb.encode(cb.TakeTicket(ticket.id)), who=BORIS)),
    )
    taken = await world.get(ticket.id)
    assert taken.status is TicketStatus.TAKEN
    answers = world.outbox.of(AnswerButton)
    assert len(answers) == 2
    loser = [a for a in answers if a.alert]  # type: ignore[attr-defined]
    assert len(loser) == 1
    assert taken.operator_name in (loser[0].text or "")  # type: ignore[attr-defined]
    # the card shows the owner, the customer is told by first name
    edits = world.outbox.of(EditText)
    assert len(edits) == 1
    assert taken.operator_name in edits[0].text  # type: ignore[attr-defined]
    first = (taken.operator_name or "").split()[0]
    assert world.outbox.texts_to(501) == [f"{first} has taken your request and will answer here."]


async def test_take_closed_ticket_alerts() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/close", thread_id=ticket.topic_id))
    world.outbox.clear()
    await world.desk.group_button(press(cb.encode(cb.TakeTicket(ticket.id))))
    (answer,) = world.outbox.actions
    assert isinstance(answer, AnswerButton)
    assert answer.alert
    assert "already closed" in (answer.text or "")


async def test_buttons_outside_operator_chats_are_refused() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_button(
        press(cb.encode(cb.TakeTicket(ticket.id)), chat_id=999, private=True)
    )
    (answer,) = world.outbox.actions
    assert isinstance(answer, AnswerButton)
    assert answer.alert
    assert (await world.get(ticket.id)).status is TicketStatus.WAITING


async def test_no_group_configured_posts_nothing() -> None:
    world = make_world()
    object.__setattr__(world.deps.config, "operator_group_id", 0)
    await world.ticket()
    assert world.outbox.actions == []


async def test_a_ticket_without_subject_has_a_topic_without_dangling_dashes() -> None:
    """Regression: a hand-off with no subject made a topic named "#2 Bob — —"."""
    world = make_world()
    ticket = await world.ticket(subject="—")
    [create] = world.outbox.of(CreateTopic)
    assert create.name == f"#{ticket.id} Alice Customer"  # type: ignore[attr-defined]
