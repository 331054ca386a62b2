"""Messages both ways: copies, albums, notes, edits, and the failures Telegram reports."""

from __future__ import annotations

from bot.core.actions import (
    CopyMessages,
    CreateTopic,
    EditText,
    Failed,
    Failure,
    SendText,
)
from bot.core.events import Media
from handoff.model import Direction, TicketStatus
from tests.core.desk.world import ANNA, GROUP, customer_says, edit, make_world, operator_says


async def test_customer_text_and_photo_are_copied_into_the_topic() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    text = customer_says(ticket, "hello?")
    photo = customer_says(ticket, media=Media("photo", "file-1", "look"))
    await world.desk.customer_message(ticket.id, text)
    await world.desk.customer_message(ticket.id, photo)
    assert world.outbox.actions == [
        CopyMessages(501, (text.message_id,), GROUP, ticket.topic_id),
        CopyMessages(501, (photo.message_id,), GROUP, ticket.topic_id),
    ]


async def test_an_album_of_three_is_copied_as_one() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    parts = [customer_says(ticket, media=Media("photo", f"f{i}"), album="alb-1") for i in range(3)]
    after = customer_says(ticket, "and this")
    for part in parts:
        await world.desk.customer_message(ticket.id, part)
    await world.desk.customer_message(ticket.id, after)  # flushes the album first: order kept
    await world.desk.drain()
    ids = tuple(p.message_id for p in parts)
    assert world.outbox.actions == [
        CopyMessages(501, ids, GROUP, ticket.topic_id),
        CopyMessages(501, (after.message_id,), GROUP, ticket.topic_id),
    ]


async def test_album_alone_is_sent_after_the_wait() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    for i in range(3):
        part = customer_says(ticket, media=Media("photo", f"f{i}"), album="alb-2")
        await world.desk.customer_message(ticket.id, part)
    await world.desk.drain()
    (copy,) = world.outbox.actions
    assert isinstance(copy, CopyMessages)
    assert len(copy.message_ids) == 3


async def test_operator_reply_is_copied_to_the_customer_and_auto_takes() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.clock.advance(minutes=3)
    world.outbox.clear()
    reply = operator_says("Hi, checking", thread_id=ticket.topic_id)
    await world.desk.group_message(reply)

    copies = world.outbox.of(CopyMessages)
    assert copies == [CopyMessages(GROUP, (reply.message_id,), 501)]
    taken = await world.get(ticket.id)
    assert taken.status is TicketStatus.TAKEN
    assert taken.operator_id == ANNA.telegram_id
    assert taken.first_reply_at == world.clock.now()
    assert (Direction.OPERATOR, "Hi, checking") in await world.messages(ticket.id)
    assert "Anna has taken your request" in world.outbox.texts_to(501)[0]


async def test_operator_photo_is_copied() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    photo = operator_says(media=Media("photo", "op-file", "label"), thread_id=ticket.topic_id)
    await world.desk.group_message(photo)
    assert CopyMessages(GROUP, (photo.message_id,), 501) in world.outbox.actions


async def test_notes_are_stored_never_relayed() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says("! check the refund", thread_id=ticket.topic_id))
    await world.desk.group_message(operator_says("/note call later", thread_id=ticket.topic_id))
    assert world.outbox.actions == []
    stored = await world.messages(ticket.id)
    assert (Direction.NOTE, "check the refund") in stored
    assert (Direction.NOTE, "call later") in stored
    assert (await world.get(ticket.id)).status is TicketStatus.WAITING


async def test_replies_map_to_the_other_side() -> None:
    world = make_world()
    ticket = await world.ticket()
    asked = customer_says(ticket, "is it paid?")
    await world.desk.customer_message(ticket.id, asked)
    copy_in_group = world.outbox.actions[-1]
    assert isinstance(copy_in_group, CopyMessages)
    answer = operator_says("yes", thread_id=ticket.topic_id, reply_to=world.outbox.last_id(GROUP))
    await world.desk.group_message(answer)
    last = world.outbox.of(CopyMessages)[-1]
    assert last == CopyMessages(GROUP, (answer.message_id,), 501, reply_to=asked.message_id)


async def test_edits_are_mirrored_both_ways() -> None:
    world = make_world()
    ticket = await world.ticket()
    said = customer_says(ticket, "order 12")
    await world.desk.customer_message(ticket.id, said)
    answer = operator_says("ok <b>", thread_id=ticket.topic_id)
    await world.desk.group_message(answer)
    world.outbox.clear()

    await world.desk.customer_edited(ticket.id, edit(said, "order 13"))
    await world.desk.group_edit(edit(answer, "ok, fixed & done"))
    group_edit, customer_edit = world.outbox.actions
    assert isinstance(group_edit, EditText)
    assert (group_edit.chat_id, group_edit.text) == (GROUP, "order 13")
    assert isinstance(customer_edit, EditText)
    assert (customer_edit.chat_id, customer_edit.text) == (501, "ok, fixed &amp; done")


async def test_caption_edit_posts_a_note() -> None:
    world = make_world()
    ticket = await world.ticket()
    photo = customer_says(ticket, media=Media("photo", "f", "old"))
    await world.desk.customer_message(ticket.id, photo)
    world.outbox.clear()
    await world.desk.customer_edited(ticket.id, edit(photo, caption="new caption"))
    (note,) = world.outbox.actions
    assert isinstance(note, SendText)
    assert note.text == "✏️ edited: new caption"
    assert note.thread_id == ticket.topic_id


async def test_too_long_caption_sends_text_separately_and_tells_the_operator() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.scripted.append(
        (lambda a: isinstance(a, CopyMessages) and a.to_chat_id == 501, Failed(Failure.TOO_LONG))
    )
    world.outbox.clear()
    doc = operator_says(media=Media("document", "d", "x" * 1500), thread_id=ticket.topic_id)
    await world.desk.group_message(doc)
    assert world.outbox.texts_to(501)[-1] == "x" * 1500
    notices = world.outbox.texts_to(GROUP, ticket.topic_id)
    assert any("caption was too long" in n and "document" in n for n in notices)


async def test_deleted_topic_gets_a_new_one_and_relay_continues() -> None:
    world = make_world()
    ticket = await world.ticket()
    old_topic = ticket.topic_id
    assert old_topic is not None
    world.outbox.deleted_topics.add(old_topic)
    world.outbox.clear()
    said = customer_says(ticket, "still there?")
    await world.desk.customer_message(ticket.id, said)

    moved = await world.get(ticket.id)
    assert moved.topic_id not in (None, old_topic)
    assert isinstance(world.outbox.actions[1], CreateTopic)
    card = world.outbox.actions[2]
    assert isinstance(card, SendText)
    assert card.thread_id == moved.topic_id
    assert moved.card_message_id is not None
    assert world.outbox.actions[-1] == CopyMessages(501, (said.message_id,), GROUP, moved.topic_id)
    # the operator answers in the new topic and it reaches the customer
    world.outbox.clear()
    await world.desk.group_message(operator_says("yes", thread_id=moved.topic_id))
    assert world.outbox.of(CopyMessages)


async def test_blocked_customer_gives_a_notice_and_is_marked() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.blocked.add(501)
    world.outbox.clear()
    await world.desk.group_message(operator_says("hello", thread_id=ticket.topic_id))
    topic = world.outbox.texts_to(GROUP, ticket.topic_id)
    assert sum("Customer has blocked the bot" in text for text in topic) == 1  # told once
    assert topic[-1] == "A message could not be delivered (blocked)."  # and this one failed
    async with world.store.unit_of_work() as uow:
        customer = await uow.customers.get(ticket.customer_id)
    assert customer is not None
    assert customer.blocked


async def test_reachability_notices() -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.customer_reachability(ticket.id, True)
    await world.desk.customer_reachability(ticket.id, False)
    blocked, back = world.outbox.texts_to(GROUP, ticket.topic_id)
    assert "blocked" in blocked
    assert "restarted" in back


async def test_a_restarted_desk_keeps_relaying() -> None:
    world = make_world()
    ticket = await world.ticket()
    said = customer_says(ticket, "hi")
    await world.desk.customer_message(ticket.id, said)
    copy_id = world.outbox.last_id(GROUP)
    restarted = world.new_desk()
    world.outbox.clear()
    answer = operator_says("hello again", thread_id=ticket.topic_id, reply_to=copy_id)
    await restarted.group_message(answer)
    await restarted.customer_edited(ticket.id, edit(said, "hi!"))
    assert world.outbox.of(CopyMessages)[0] == CopyMessages(
        GROUP, (answer.message_id,), 501, reply_to=said.message_id
    )
    assert EditText(GROUP, copy_id, "hi!") in world.outbox.actions


async def test_operator_writing_to_a_closed_ticket_is_told() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/close", thread_id=ticket.topic_id))
    world.outbox.clear()
    await world.desk.group_message(operator_says("one more thing", thread_id=ticket.topic_id))
    assert world.outbox.of(CopyMessages) == []
    assert "not sent to the customer" in world.outbox.texts_to(GROUP)[-1]


async def test_redelivered_group_update_is_ignored() -> None:
    world = make_world()
    ticket = await world.ticket()
    answer = operator_says("once", thread_id=ticket.topic_id)
    await world.desk.group_message(answer)
    world.outbox.clear()
    await world.desk.group_message(answer)
    assert world.outbox.actions == []


async def test_ordinary_group_chat_is_ignored() -> None:
    world = make_world()
    await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says("lunch?"))
    assert world.outbox.actions == []
