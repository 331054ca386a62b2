"""The transactional outbox: a crash between an update's commit and its sends loses nothing.

A crash is simulated by an outbox that raises at its n-th call: before making the call (the
process died before sending) or after making it (the call was in flight: its answer is lost).
A new core on the same store then carries on the pending work, as it does at start-up.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core import callbacks as cb
from bot.core.actions import Action, CopyMessages, CreateTopic, Result, SendText
from bot.core.desk import OperatorDesk
from bot.core.desk.cards import topic_name
from bot.core.events import Event, MessageReceived, Person
from bot.core.service import SupportCore
from bot.core.survey_flow import SurveyFlow
from handoff import TicketStatus, UnitOfWorkFactory
from storage import Database
from tests.core.desk.world import GROUP, NOON, DeskOutbox, World, make_world, operator_says, press
from tests.core.fakes import ScriptedBrain

ALICE = Person(501, "Alice Customer", language_code="en")
_ids = itertools.count(70_000)


class Crash(Exception):
    """The process died here."""


@dataclass
class CrashingOutbox:
    """Passes calls to ``inner``; its ``crash_at``-th call raises :class:`Crash` — before the
    call is made, or after it (``in_flight``: made, but its answer never arrives)."""

    inner: DeskOutbox
    crash_at: int | None = None
    in_flight: bool = False
    cancel: bool = False  # the task is cancelled there instead (a shutdown, a kill)
    calls: int = 0
    crashed: list[Action] = field(default_factory=list)

    async def __call__(self, action: Action) -> Result:
        self.calls += 1
        if self.calls == self.crash_at:
            self.crash_at = None
            self.crashed.append(action)
            if self.in_flight:
                await self.inner(action)
            if self.cancel:
                raise asyncio.CancelledError
            raise Crash(action)
        return await self.inner(action)


def says(text: str) -> MessageReceived:
    n = next(_ids)
    return MessageReceived(
        update_id=n, chat_id=501, private=True, sender=ALICE, message_id=n, date=NOON, text=text
    )


@dataclass
class Bot:
    world: World
    outbox: CrashingOutbox
    uow: UnitOfWorkFactory

    def core(self, *, finish_delay_s: float = 0.005) -> SupportCore:
        """A core as a (re)started process builds it, on the same store."""
        brain = ScriptedBrain(rules={"operator please": ("handoff", "human_request", 0.95, ())})
        deps = replace(
            self.world.deps,
            brain=brain,  # type: ignore[arg-type]
            outbox=self.outbox,
            uow=self.uow,
        )
        survey = SurveyFlow(deps)
        desk = OperatorDesk(deps, survey.start, album_wait=0, articles=self.world.articles)
        return SupportCore(deps, desk, survey, finish_delay_s=finish_delay_s)

    @property
    def made(self) -> list[Action]:
        return self.world.outbox.actions

    async def pending(self) -> int:
        async with self.uow() as uow:
            return len(await uow.outbox.pending())


def make_bot(uow: UnitOfWorkFactory | None = None) -> Bot:
    world = make_world()
    return Bot(world, CrashingOutbox(world.outbox), uow or world.store.unit_of_work)


async def run(bot: Bot, events: list[Event]) -> SupportCore:
    core = bot.core()
    for event in events:
        await core.handle(event)
    return core


async def reference(events: list[Event]) -> list[Action]:
    """What the bot sends for ``events`` when nothing goes wrong."""
    bot = make_bot()
    await run(bot, events)
    return list(bot.made)


async def _with_ticket(bot: Bot) -> tuple[SupportCore, int, int]:
    core = await run(bot, [says("operator please")])
    async with bot.uow() as uow:
        customer = await uow.customers.get_by_telegram_id(501)
        assert customer is not None
        ticket = await uow.tickets.open_for_customer(customer.id)
    assert ticket is not None
    assert ticket.topic_id is not None
    return core, ticket.id, ticket.topic_id


async def test_a_hand_off_crashed_at_any_call_is_finished_on_restart_without_duplicates() -> None:
    # the customer's reply, the topic, the card, the transcript: a crash before any of them
    events: list[Event] = [says("operator please")]
    expected = await reference(events)
    assert [type(a) for a in expected[:2]] == [SendText, CreateTopic]
    for crash_at in range(1, len(expected) + 1):
        bot = make_bot()
        bot.outbox.crash_at = crash_at
        await run(bot, events)  # returns normally: the update's effects are committed
        assert bot.outbox.crashed, crash_at
        assert await bot.pending() == 1
        assert await bot.core().resume() == 1
        assert bot.made == expected, crash_at
        assert await bot.pending() == 0


async def test_on_sqlite_a_crash_at_any_call_loses_nothing(tmp_path: Path) -> None:
    events: list[Event] = [says("operator please")]
    databases: list[Database] = []

    async def sqlite_bot() -> Bot:
        path = tmp_path / f"{len(databases)}.sqlite3"
        databases.append(database := Database.connect(f"sqlite+aiosqlite:///{path}"))
        await database.create_schema()
        return make_bot(database.unit_of_work)

    try:
        clean = await sqlite_bot()
        await run(clean, events)
        expected = list(clean.made)
        for crash_at in range(1, len(expected) + 1):
            bot = await sqlite_bot()
            bot.outbox.crash_at = crash_at
            await run(bot, events)
            assert await bot.pending() == 1
            assert await bot.core().resume() == 1  # a new process on the same database
            assert bot.made == expected, crash_at
            assert await bot.pending() == 0
    finally:
        for database in databases:
            await database.dispose()


async def test_the_housekeeping_carries_on_work_left_by_a_failure() -> None:
    bot = make_bot()
    bot.outbox.crash_at = 1
    core = await run(bot, [says("hello")])
    assert await bot.pending() == 1
    await core.housekeeping()  # a minute has not passed: it may still be being carried out
    assert await bot.pending() == 1
    bot.world.clock.advance(timedelta(minutes=2))
    await core.housekeeping()
    assert await bot.pending() == 0
    assert [a.chat_id for a in bot.made if isinstance(a, SendText)] == [501]


async def test_placement_resumed_from_each_step_gives_one_topic_one_card() -> None:
    expected = await reference([says("operator please")])
    for crash_at in range(2, len(expected) + 1):  # from the topic on
        bot = make_bot()
        bot.outbox.crash_at = crash_at
        await run(bot, [says("operator please")])
        await bot.core().resume()
        topics = [a for a in bot.made if isinstance(a, CreateTopic)]
        assert len(topics) == 1, crash_at
        async with bot.uow() as uow:
            customer = await uow.customers.get_by_telegram_id(501)
            assert customer is not None
            ticket = await uow.tickets.open_for_customer(customer.id)
        assert ticket is not None
        assert ticket.topic_id is not None
        assert ticket.card_message_id is not None
        cards = [
            a for a in bot.made if isinstance(a, SendText) and a.keyboard and a.chat_id == GROUP
        ]
        assert len(cards) == 1, crash_at


async def test_a_call_in_flight_at_the_crash_is_the_only_duplicate() -> None:
    expected = await reference([says("operator please")])
    for crash_at in range(1, len(expected) + 1):
        bot = make_bot()
        bot.outbox.crash_at = crash_at
        bot.outbox.in_flight = True
        await run(bot, [says("operator please")])
        await bot.core().resume()
        made = bot.made
        assert len(made) == len(expected) + 1, crash_at
        twice = made[crash_at - 1]
        assert made.count(twice) == 2, crash_at


async def test_a_redelivered_update_after_the_commit_sends_nothing_again() -> None:
    event = says("operator please")
    bot = make_bot()
    bot.outbox.crash_at = 2
    core = await run(bot, [event])
    await bot.core().resume()
    made = len(bot.made)
    await core.handle(event)  # Telegram sends it again: the update log knows it
    await bot.core().handle(event)
    assert len(bot.made) == made


async def test_a_cancelled_handling_leaves_its_work_for_the_restart() -> None:
    bot = make_bot()
    bot.outbox.crash_at = 1
    bot.outbox.cancel = True
    with pytest.raises(asyncio.CancelledError):
        await bot.core().handle(says("hello?"))
    assert await bot.pending() == 1
    assert bot.made == []
    assert await bot.core().resume() == 1
    assert [a.chat_id for a in bot.made if isinstance(a, SendText)] == [501]


async def test_the_customer_sees_replies_in_order_after_a_resumption() -> None:
    bot = make_bot()
    bot.outbox.crash_at = 1
    await run(bot, [says("hello")])
    core = bot.core()
    await core.resume()  # at start-up, before any new update
    await core.handle(says("operator please"))
    to_customer = [a.text for a in bot.made if isinstance(a, SendText) and a.chat_id == 501]
    clean = await reference([says("hello"), says("operator please")])
    assert to_customer == [a.text for a in clean if isinstance(a, SendText) and a.chat_id == 501]


async def test_the_operators_take_and_reply_survive_a_crash() -> None:
    bot = make_bot()
    core, ticket_id, topic = await _with_ticket(bot)
    before = len(bot.made)
    bot.outbox.crash_at = bot.outbox.calls + 2  # after the button's answer
    await core.handle(press(cb.encode(cb.TakeTicket(ticket_id)) or ""))
    assert await bot.pending() == 1
    await bot.core().resume()
    taken = [a for a in bot.made[before:] if isinstance(a, SendText) and a.chat_id == 501]
    assert len(taken) == 1  # "has taken your request", once
    assert (await bot.world.get(ticket_id)).operator_id is not None

    bot.outbox.crash_at = bot.outbox.calls + 1
    reply = operator_says("on it", thread_id=topic)
    await core.handle(reply)
    await bot.core().resume()
    copies = [a for a in bot.made if isinstance(a, CopyMessages) and a.to_chat_id == 501]
    assert copies == [CopyMessages(GROUP, (reply.message_id,), 501)]


async def test_an_orphan_topic_is_adopted_and_works_like_the_ticket_s_own() -> None:
    # the topic was created, but the answer (its id) was lost in the crash
    bot = make_bot()
    bot.outbox.crash_at = 2
    bot.outbox.in_flight = True
    await run(bot, [says("operator please")])
    await bot.core().resume()
    first, second = (a for a in bot.made if isinstance(a, CreateTopic))
    assert first == second
    core = bot.core()
    async with bot.uow() as uow:
        customer = await uow.customers.get_by_telegram_id(501)
        assert customer is not None
        ticket = await uow.tickets.open_for_customer(customer.id)
    assert ticket is not None
    orphan = 1001  # the first topic the fake made: the one the bot never learned of
    assert ticket.topic_id != orphan
    name = topic_name(ticket, customer)
    assert first.name == name

    written = replace(
        operator_says("hello from the first topic", thread_id=orphan), topic_name=name
    )
    await core.handle(written)
    copies = [a for a in bot.made if isinstance(a, CopyMessages) and a.to_chat_id == 501]
    assert copies == [CopyMessages(GROUP, (written.message_id,), 501)]
    # any message there, commands too, now belongs to the ticket
    await core.handle(operator_says("/close", thread_id=orphan))
    assert (await bot.world.get(ticket.id)).status is TicketStatus.RESOLVED


async def test_a_topic_named_like_no_ticket_is_left_alone() -> None:
    bot = make_bot()
    core, ticket_id, _ = await _with_ticket(bot)
    before = len(bot.made)
    for name in (f"#{ticket_id} Someone Else — chat", "#999 Alice Customer", "coffee"):
        await core.handle(replace(operator_says("hi", thread_id=4242), topic_name=name))
    assert bot.made[before:] == []
