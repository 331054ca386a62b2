"""An operator's message in a topic whose ticket was looked up before goes the hot way (the
remembered ticket's lock, its view read with the message's record); when the topic no longer
holds that ticket, nothing is stored for it and the message is handled as in a fresh process."""

from __future__ import annotations

from bot.core.actions import CopyMessages
from handoff.model import Direction, TicketChanges
from tests.core.desk.world import GROUP, make_world, operator_says


async def test_a_topic_given_to_another_ticket_relays_to_that_ticket_customer() -> None:
    world = make_world()
    alice = await world.ticket()
    bob = await world.ticket(await world.customer(502, "Bob Customer"))
    assert alice.topic_id is not None
    assert bob.topic_id is not None
    first = operator_says("hello Alice", thread_id=alice.topic_id)
    await world.desk.group_message(first)  # the topic's ticket looked up and remembered
    # the topic now holds Bob's ticket (Alice's moved to a new topic)
    async with world.store.unit_of_work() as uow:
        await uow.tickets.update(alice.id, TicketChanges(topic_id=alice.topic_id + 1000))
        await uow.tickets.update(bob.id, TicketChanges(topic_id=alice.topic_id))
    world.outbox.clear()
    second = operator_says("hello Bob", thread_id=alice.topic_id)
    await world.desk.group_message(second)
    assert world.outbox.of(CopyMessages) == [
        CopyMessages(GROUP, (second.message_id,), 502),
    ]
    assert (Direction.OPERATOR, "hello Bob") in await world.messages(bob.id)
    assert (Direction.OPERATOR, "hello Bob") not in await world.messages(alice.id)
    third = operator_says("and again", thread_id=alice.topic_id)
    await world.desk.group_message(third)  # remembered as Bob's now
    assert world.outbox.of(CopyMessages)[-1] == CopyMessages(GROUP, (third.message_id,), 502)


async def test_a_topic_that_lost_its_ticket_relays_nothing() -> None:
    world = make_world()
    ticket = await world.ticket()
    assert ticket.topic_id is not None
    await world.desk.group_message(operator_says("hello", thread_id=ticket.topic_id))
    async with world.store.unit_of_work() as uow:
        await uow.tickets.update(ticket.id, TicketChanges(topic_id=ticket.topic_id + 1000))
    world.outbox.clear()
    await world.desk.group_message(operator_says("anyone?", thread_id=ticket.topic_id))
    assert world.outbox.of(CopyMessages) == []
    assert (Direction.OPERATOR, "anyone?") not in await world.messages(ticket.id)
    # redelivered: still nothing, and no error
    await world.desk.group_message(operator_says("anyone?", thread_id=ticket.topic_id))
    assert world.outbox.of(CopyMessages) == []
