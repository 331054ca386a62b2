"""The hot paths cost one transaction before their sends and one after (bot/core/sender.py),
and the one after is shared by the updates finishing at the same time (bot/core/finishing.py):
what is recorded about the sends (the replies with their Telegram ids, the relay links) rides
with the finish of the work, and nothing of it is lost or recorded wrongly."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from bot.core import callbacks as cb
from bot.core.actions import Action, CopyMessages, CreateTopic, Result, SendText
from bot.core.events import MessageReceived, Person
from bot.core.views import TicketView
from handoff import Direction, TicketChanges, UnitOfWork, UnitOfWorkFactory
from tests.core.desk.test_outbox_resume import Bot, make_bot, run, says
from tests.core.desk.world import GROUP, customer_says, make_world, operator_says, press


@dataclass
class Counting:
    """The store's unit of work factory, counting the transactions opened."""

    inner: UnitOfWorkFactory
    opened: int = 0

    def __call__(self) -> UnitOfWork:
        self.opened += 1
        return self.inner()


def counted() -> tuple[Bot, Counting]:
    plain = make_bot()
    counting = Counting(plain.world.store.unit_of_work)
    return replace(plain, uow=counting), counting


async def _taken_ticket(bot: Bot) -> tuple[int, int]:
    """Alice has a ticket an operator took; returns (ticket, topic)."""
    core = await run(bot, [says("operator please")])
    async with bot.uow() as uow:
        customer = await uow.customers.get_by_telegram_id(501)
        assert customer is not None
        ticket = await uow.tickets.open_for_customer(customer.id)
    assert ticket is not None
    assert ticket.topic_id is not None
    await core.handle(press(cb.encode(cb.TakeTicket(ticket.id)) or ""))
    return ticket.id, ticket.topic_id


async def test_an_answer_takes_one_transaction_and_one_after_its_send() -> None:
    bot, counting = counted()
    core = await run(bot, [says("hello")])  # warm: the customer exists
    before, sent = counting.opened, len(bot.made)
    await core.handle(says("hello again"))
    assert counting.opened - before == 2
    [reply] = [a for a in bot.made[sent:] if isinstance(a, SendText)]
    # the reply is stored with the id Telegram gave it, in the same conversation
    async with bot.uow() as uow:
        stored = await uow.messages.find(501, bot.world.outbox.last_id(501))
    assert stored is not None
    assert stored.direction is Direction.BOT
    assert stored.text == reply.text
    assert await bot.pending() == 0


class Slow:
    """An outbox whose calls take a moment, as Telegram's do: handlings overlap."""

    def __init__(self, inner: object) -> None:
        self.inner = inner

    async def __call__(self, action: Action) -> Result:
        await asyncio.sleep(0.001)
        return await self.inner(action)  # type: ignore[operator]


async def test_answers_finishing_together_share_one_transaction_after_their_sends() -> None:
    bot, counting = counted()
    bot = replace(bot, outbox=Slow(bot.outbox))  # type: ignore[arg-type]
    # the batch goes when every handling in hand waits: a long delay keeps a slow machine from
    # sending it early, between two handlings that finish a few milliseconds apart
    core = bot.core(finish_delay_s=5.0)
    customers = [Person(600 + n, f"Customer {n}", language_code="en") for n in range(10)]

    def hello(person: Person, update_id: int) -> MessageReceived:
        return MessageReceived(
            update_id=update_id,
            chat_id=person.telegram_id,
            private=True,
            sender=person,
            message_id=update_id,
            date=says("-").date,
            text="hello",
        )

    await asyncio.gather(
        *(core.handle(hello(p, 90_000 + p.telegram_id)) for p in customers)
    )  # known
    before, sent = counting.opened, len(bot.made)
    await asyncio.gather(*(core.handle(hello(p, 91_000 + p.telegram_id)) for p in customers))
    # ten turns; the ten finishes (each a reply's record and a deletion) in one transaction
    assert counting.opened - before == len(customers) + 1
    replies = [a for a in bot.made[sent:] if isinstance(a, SendText)]
    assert sorted(r.chat_id for r in replies) == [p.telegram_id for p in customers]
    async with bot.uow() as uow:
        for person in customers:
            stored = await uow.messages.find(
                person.telegram_id, bot.world.outbox.last_id(person.telegram_id)
            )
            assert stored is not None
            assert stored.direction is Direction.BOT
    assert await bot.pending() == 0


async def test_a_relayed_customer_message_is_linked_to_its_copy_with_the_finish() -> None:
    bot, counting = counted()
    ticket_id, topic = await _taken_ticket(bot)
    core = bot.core()
    before, sent = counting.opened, len(bot.made)
    message = says("the blue kettle")
    await core.handle(message)
    assert counting.opened - before == 2  # the turn (which read the ticket), after the copy
    [copy] = [a for a in bot.made[sent:] if isinstance(a, CopyMessages)]
    assert (copy.to_chat_id, copy.thread_id) == (GROUP, topic)
    async with bot.uow() as uow:
        [link] = await uow.relays.by_source(501, message.message_id)
    assert link.ticket_id == ticket_id
    assert (link.target_chat_id, link.target_message_id) == (GROUP, bot.world.outbox.last_id(GROUP))
    assert await bot.pending() == 0


async def test_an_operator_reply_is_linked_and_counted_as_the_first_reply() -> None:
    bot, counting = counted()
    ticket_id, topic = await _taken_ticket(bot)
    core = bot.core()
    before = counting.opened
    reply = operator_says("which kettle?", thread_id=topic)
    await core.handle(reply)
    # the topic's ticket; its view read with the update's record and the message; after
    assert counting.opened - before == 3
    async with bot.uow() as uow:
        [link] = await uow.relays.by_source(GROUP, reply.message_id)
        ticket = await uow.tickets.get(ticket_id)
    assert (link.target_chat_id, link.target_message_id) == (501, bot.world.outbox.last_id(501))
    assert ticket is not None
    assert ticket.first_reply_at is not None
    assert await bot.pending() == 0
    # the customer answers the copy: the answer is relayed as a reply to the operator's message
    answer = replace(says("the blue one"), reply_to_message_id=link.target_message_id)
    await core.handle(answer)
    copy = bot.made[-1]
    assert isinstance(copy, CopyMessages)
    assert copy.reply_to == reply.message_id


async def test_a_further_operator_reply_in_the_topic_takes_one_transaction_and_the_finish() -> None:
    bot, counting = counted()
    _ticket_id, topic = await _taken_ticket(bot)
    core = bot.core()
    await core.handle(operator_says("which kettle?", thread_id=topic))
    before, sent = counting.opened, len(bot.made)
    again = operator_says("and which colour?", thread_id=topic)
    await core.handle(again)
    # the topic's ticket is known from the first reply: the lock is taken on it, and the
    # update's record, the topic's ticket read again, the message; then the finish
    assert counting.opened - before == 2
    [copy] = [a for a in bot.made[sent:] if isinstance(a, CopyMessages)]
    assert (copy.to_chat_id, copy.message_ids) == (501, (again.message_id,))
    async with bot.uow() as uow:
        [link] = await uow.relays.by_source(GROUP, again.message_id)
        stored = await uow.messages.find(GROUP, again.message_id)
    assert link.target_message_id == bot.world.outbox.last_id(501)
    assert stored is not None
    assert stored.direction is Direction.OPERATOR
    assert await bot.pending() == 0
    await core.handle(again)  # redelivered: not copied twice
    assert len([a for a in bot.made[sent:] if isinstance(a, CopyMessages)]) == 1


async def test_a_topic_no_longer_its_ticket_s_is_not_relayed_on_the_remembered_ticket() -> None:
    bot = make_bot()
    ticket_id, topic = await _taken_ticket(bot)
    core = bot.core()
    await core.handle(operator_says("which kettle?", thread_id=topic))
    async with bot.uow() as uow:  # the ticket moved to another topic meanwhile
        await uow.tickets.update(ticket_id, TicketChanges(topic_id=topic + 1000))
    sent = len(bot.made)
    late = operator_says("still there?", thread_id=topic)
    await core.handle(late)
    assert not [a for a in bot.made[sent:] if isinstance(a, CopyMessages)]
    async with bot.uow() as uow:
        assert await uow.messages.find(GROUP, late.message_id) is None  # ordinary talk
    moved = operator_says("here is the answer", thread_id=topic + 1000)
    await core.handle(moved)
    [copy] = [a for a in bot.made[sent:] if isinstance(a, CopyMessages)]
    assert copy.message_ids == (moved.message_id,)


async def test_a_step_is_written_before_the_work_s_next_call() -> None:
    # a hand-off makes several calls; a crash before the second finds the first recorded
    bot = make_bot()
    bot.outbox.crash_at = 2
    await run(bot, [says("operator please")])
    async with bot.uow() as uow:
        [work] = await uow.outbox.pending()
    assert len(work.steps) == 1


async def test_a_view_gone_stale_before_the_relay_falls_back_to_storage() -> None:
    # the customer's transaction read the ticket in its first topic; before the relay took the
    # ticket's lock, an operator deleted that topic and the desk moved the ticket to a new one
    world = make_world()
    ticket = await world.ticket()
    customer = await world.customer()
    stale = TicketView(ticket, customer)
    assert ticket.topic_id is not None
    world.outbox.deleted_topics.add(ticket.topic_id)
    moved = await world.desk._board.recover(stale)
    world.outbox.clear()
    message = customer_says(ticket, "still there?")
    await world.desk.customer_message(ticket.id, message, stale)
    copies = world.outbox.of(CopyMessages)
    assert [c.thread_id for c in copies] == [ticket.topic_id, moved.ticket.topic_id]
    assert world.outbox.of(CreateTopic) == []  # no third topic: the ticket was read again
    async with world.store.unit_of_work() as uow:
        [link] = await uow.relays.by_source(customer.chat_id, message.message_id)
    assert link.target_message_id == world.outbox.last_id(GROUP)


async def test_a_stale_view_of_a_ticket_moved_to_another_line_is_not_trusted() -> None:
    world = make_world(line_groups={2: GROUP - 1})
    ticket = await world.ticket()
    customer = await world.customer()
    moved_line = TicketView(replace(ticket, line=2), customer)  # escalated, not yet re-placed
    world.outbox.clear()
    await world.desk.customer_message(ticket.id, customer_says(ticket, "hello?"), moved_line)
    [copy] = world.outbox.of(CopyMessages)
    assert (copy.to_chat_id, copy.thread_id) == (GROUP, ticket.topic_id)  # as storage has it
