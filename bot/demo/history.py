"""``supportbot demo --history DAYS``: a realistic stretch of support filled in through the real
core, so the reports have something to show at once.

Customers and operators are scripted; everything they do is an ordinary core event (a message,
a button, an operator's command in a forum topic) handled by the same :class:`SupportCore` the
bot runs, with the real matcher over the shipped content, the real desk and the real database.
Only the clock is simulated: a discrete-event loop moves a :class:`ManualClock` from one step to
the next, so a month takes a minute or two. The same seed gives the same month.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core import SupportCore
from bot.core import callbacks as cb
from bot.core.actions import Action, CopyMessages, CreateTopic, Done, Result, SendText
from bot.core.events import ButtonPressed, Event, MessageReceived, Person
from bot.demo.phrases import ASK_PERSON, AUTOMATIC, GAPS, QUESTIONS, REPLIES, SMALL_TALK
from handoff import ManualClock, UnitOfWorkFactory, WorkingHours

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["DemoOutbox", "HistoryPlan", "Simulation", "Totals", "fill_history"]

Story = AsyncIterator[timedelta]  # a script: each yield is the pause before its next step


@dataclass
class DemoOutbox:
    """Accepts every action like Telegram would and remembers each chat's last keyboard."""

    keyboards: dict[int, tuple[int, list[str]]] = field(default_factory=dict)
    sent: int = 0
    _next_id: dict[int, int] = field(default_factory=dict)
    _next_thread: int = 1000

    async def __call__(self, action: Action) -> Result:
        if isinstance(action, SendText | CopyMessages):
            count = len(action.message_ids) if isinstance(action, CopyMessages) else 1
            chat = action.to_chat_id if isinstance(action, CopyMessages) else action.chat_id
            first = self._next_id.get(chat, 1)
            self._next_id[chat] = first + count
            self.sent += count
            if isinstance(action, SendText) and action.keyboard:
                data = [b.data for row in action.keyboard for b in row if b.data]
                self.keyboards[chat] = (first, data)
            return Done(message_ids=tuple(range(first, first + count)))
        if isinstance(action, CreateTopic):
            self._next_thread += 1
            return Done(thread_id=self._next_thread)
        return Done()

    def button(self, chat_id: int, kind: type[object]) -> tuple[int, str] | None:
        """The message id and data of a button of ``kind`` on the chat's last keyboard."""
        message_id, data = self.keyboards.get(chat_id, (0, []))
        for item in data:
            if isinstance(cb.decode(item), kind):
                return message_id, item
        return None


@dataclass(frozen=True)
class HistoryPlan:
    days: int
    end: datetime
    seed: int = 15
    weekday_conversations: int = 40  # a working day's average; weekends get a third
    customers: int = 600  # the pool new conversations are drawn from
    group_id: int = -1_001_500
    operators: tuple[str, ...] = ("Anna", "Boris", "Vera", "Denis")

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=self.days)


@dataclass
class Totals:
    conversations: int = 0
    events: int = 0
    tickets: int = 0
    by_story: dict[str, int] = field(default_factory=dict)


class Simulation:
    def __init__(
        self,
        core: SupportCore,
        clock: ManualClock,
        outbox: DemoOutbox,
        uow: UnitOfWorkFactory,
        hours: WorkingHours,
        plan: HistoryPlan,
    ) -> None:
        self.core, self.clock, self.outbox, self.uow = core, clock, outbox, uow
        self.hours, self.plan = hours, plan
        self.rng = random.Random(plan.seed)
        self.totals = Totals()
        self._queue: list[tuple[datetime, int, Story]] = []
        self._order = itertools.count()
        self._updates = itertools.count(1)
        self._messages = itertools.count(1)
        self._busy: set[int] = set()  # customers in a conversation right now
        self._speed = {name: 0.5 + index * 0.45 for index, name in enumerate(plan.operators)}

    # --- the loop ---------------------------------------------------------------------------

    def schedule(self, when: datetime, story: Story) -> None:
        heapq.heappush(self._queue, (when, next(self._order), story))

    async def run(self, progress: Callable[[int, int], None] | None = None) -> Totals:
        self._plan_arrivals()
        total_days = self.plan.days
        while self._queue:
            when, _, story = heapq.heappop(self._queue)
            self.clock.set(max(when, self.clock.now()))
            try:
                pause = await anext(story)
            except StopAsyncIteration:
                continue
            self.schedule(self.clock.now() + pause, story)
            if progress is not None:
                progress(min(total_days, (self.clock.now() - self.plan.start).days), total_days)
        return self.totals

    async def _handle(self, event: Event) -> None:
        self.totals.events += 1
        await self.core.handle(event)

    def _plan_arrivals(self) -> None:
        """Conversations start through each day, more in the day than at night (local time)."""
        zone = self.hours.zone
        day = self.plan.start.astimezone(zone).date()
        last = self.plan.end.astimezone(zone).date()
        while day <= last:
            weekend = day.isoweekday() >= 6
            mean = self.plan.weekday_conversations / (3 if weekend else 1)
            count = max(0, round(self.rng.gauss(mean, mean * 0.15)))
            for _ in range(count):
                local_hour = min(23.99, max(0.0, self.rng.gauss(14, 4)))
                moment = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(
                    hours=local_hour
                )
                moment = moment.astimezone(UTC)
                if self.plan.start <= moment < self.plan.end - timedelta(hours=2):
                    self.schedule(moment, self._arrival())
            day += timedelta(days=1)

    # --- customers ----------------------------------------------------------------------------

    async def _arrival(self) -> Story:
        number = self.rng.randrange(self.plan.customers)
        if number in self._busy:
            return
        self._busy.add(number)
        try:
            self.totals.conversations += 1
            lang = "ru" if number % 5 < 3 else "en"
            who = Person(
                telegram_id=200_000 + number,
                name=f"Customer {number}",
                language_code=lang,
            )
            kind = self.rng.choices(
                ("question", "ask_person", "automatic", "gap", "greeting", "repeat"),
                weights=(52, 9, 6, 17, 8, 8),
            )[0]
            self.totals.by_story[kind] = self.totals.by_story.get(kind, 0) + 1
            story = getattr(self, f"_{kind}")(who, lang)
            async for pause in story:
                yield pause
            yield timedelta(minutes=1)
            async for pause in self._after(who, lang):
                yield pause
        finally:
            self._busy.discard(number)

    async def _say(self, who: Person, text: str) -> None:
        await self._handle(
            MessageReceived(
                update_id=next(self._updates),
                chat_id=who.telegram_id,
                private=True,
                sender=who,
                message_id=next(self._messages),
                date=self.clock.now(),
                text=text,
            )
        )

    async def _press(self, who: Person, message_id: int, data: str) -> None:
        update = next(self._updates)
        await self._handle(
            ButtonPressed(
                update_id=update,
                callback_id=f"demo{update}",
                chat_id=who.telegram_id,
                private=True,
                sender=who,
                message_id=message_id,
                data=data,
                date=self.clock.now(),
            )
        )

    def _pick(self, options: tuple[str, ...]) -> str:
        return self.rng.choice(options)

    def _think(self, low: float = 10, high: float = 90) -> timedelta:
        return timedelta(seconds=self.rng.uniform(low, high))

    async def _question(self, who: Person, lang: str) -> Story:
        intent = self.rng.choice(sorted(QUESTIONS))
        await self._say(who, self._pick(QUESTIONS[intent][lang]))
        yield self._think()
        async for pause in self._feedback(who):
            yield pause

    async def _feedback(self, who: Person) -> Story:
        feedback = self.outbox.button(who.telegram_id, cb.Feedback)
        if feedback is None:
            return
        message_id, _ = feedback
        roll = self.rng.random()
        if roll < 0.3:
            await self._press(who, message_id, self._feedback_data(who, helped=True))
        elif roll < 0.4:
            await self._press(who, message_id, self._feedback_data(who, helped=False))
            yield self._think(5, 40)
            if self.rng.random() < 0.6:
                person = self.outbox.button(who.telegram_id, cb.Person)
                if person is not None:
                    await self._press(who, *person)

    def _feedback_data(self, who: Person, *, helped: bool) -> str:
        _, data = self.outbox.keyboards[who.telegram_id]
        for item in data:
            decoded = cb.decode(item)
            if isinstance(decoded, cb.Feedback) and decoded.helped is helped:
                return item
        return data[0]

    async def _ask_person(self, who: Person, lang: str) -> Story:
        if self.rng.random() < 0.4:
            await self._say(who, "/operator")
        else:
            await self._say(who, self._pick(ASK_PERSON[lang]))
        yield self._think(1, 5)

    async def _automatic(self, who: Person, lang: str) -> Story:
        await self._say(who, self._pick(AUTOMATIC[lang]))
        yield self._think(1, 5)

    async def _gap(self, who: Person, lang: str) -> Story:
        topic = self.rng.choice(sorted(GAPS))
        phrasings = list(GAPS[topic][lang])
        self.rng.shuffle(phrasings)
        attempts = self.rng.choice((1, 1, 2, 3))
        for text in phrasings[:attempts]:
            await self._say(who, text)
            yield self._think(15, 60)

    async def _greeting(self, who: Person, lang: str) -> Story:
        await self._say(who, self._pick(SMALL_TALK[lang]))
        yield self._think(5, 30)
        async for pause in self._question(who, lang):
            yield pause

    async def _repeat(self, who: Person, lang: str) -> Story:
        """The same question twice within hours: the first answer did not settle it."""
        intent = self.rng.choice(sorted(QUESTIONS))
        await self._say(who, self._pick(QUESTIONS[intent][lang]))
        yield timedelta(hours=self.rng.uniform(7, 12))  # a new conversation after the gap
        await self._say(who, self._pick(QUESTIONS[intent][lang]))
        yield self._think()

    # --- people ---------------------------------------------------------------------------------

    async def _after(self, who: Person, lang: str) -> Story:
        """If the customer is waiting for a person: an operator takes, answers, closes; the
        customer answers the survey."""
        ticket = await self._open_ticket(who)
        if ticket is None:
            return
        ticket_id, topic_id = ticket
        self.totals.tickets += 1
        operator = self.rng.choice(self.plan.operators)
        speed = self._speed[operator]
        opening = self.hours.next_opening(self.clock.now())
        wait = timedelta(minutes=self.rng.lognormvariate(1.6, 0.9) * speed)
        yield max(opening.astimezone(UTC) - self.clock.now(), timedelta(0)) + wait
        staff = Person(telegram_id=900 + self.plan.operators.index(operator), name=operator)
        if await self._open_ticket(who) is None:
            return  # cancelled meanwhile
        await self._group(staff, f"/take {ticket_id}", None)
        yield timedelta(minutes=self.rng.uniform(0.5, 6) * speed)
        await self._group(staff, self._pick(REPLIES[lang]), topic_id)
        yield timedelta(minutes=self.rng.lognormvariate(2.7, 0.8))
        await self._group(staff, "/close", topic_id)
        if self.rng.random() > 0.7:
            return  # no survey answer
        yield self._think(30, 600)
        csat = self.outbox.button(who.telegram_id, cb.Csat)
        if csat is None:
            return
        score = self.rng.choices((1, 2, 3, 4, 5), weights=(5, 5, 10, 30, 50))[0]
        await self._press(who, csat[0], cb.encode(cb.Csat(ticket_id, score)))
        yield self._think(5, 30)
        if self.outbox.button(who.telegram_id, cb.Solved) is not None:
            solved = self.rng.random() < (0.85 if score >= 4 else 0.35)
            message_id = self.outbox.keyboards[who.telegram_id][0]
            await self._press(who, message_id, cb.encode(cb.Solved(ticket_id, solved)))
            yield self._think(5, 30)
            skip = self.outbox.button(who.telegram_id, cb.SkipComment)
            if skip is not None:
                await self._press(who, *skip)

    async def _open_ticket(self, who: Person) -> tuple[int, int | None] | None:
        async with self.uow() as uow:
            customer = await uow.customers.get_by_telegram_id(who.telegram_id)
            if customer is None:
                return None
            ticket = await uow.tickets.open_for_customer(customer.id)
        return None if ticket is None else (ticket.id, ticket.topic_id)

    async def _group(self, staff: Person, text: str, topic_id: int | None) -> None:
        await self._handle(
            MessageReceived(
                update_id=next(self._updates),
                chat_id=self.plan.group_id,
                private=False,
                sender=staff,
                message_id=next(self._messages),
                date=self.clock.now(),
                text=text,
                thread_id=topic_id,
            )
        )


async def fill_history(
    settings: Settings,
    database: Path,
    plan: HistoryPlan,
    progress: Callable[[int, int], None] | None = None,
) -> Totals:
    """Run ``plan`` through the real core into the SQLite file ``database`` (created, migrated)."""
    from bot.app import build_app

    settings = settings.model_copy(
        update={
            "database": settings.database.model_copy(
                update={"url": f"sqlite+aiosqlite:///{database}"}
            ),
            "operators": settings.operators.model_copy(
                update={"group_id": plan.group_id, "use_topics": True}
            ),
        }
    )
    clock = ManualClock(plan.start)
    outbox = DemoOutbox()
    async with build_app(settings, outbox, clock=clock) as app:
        simulation = Simulation(
            app.core,
            clock,
            outbox,
            app.database.unit_of_work,
            WorkingHours.from_settings(settings.hours),
            plan,
        )
        totals = await simulation.run(progress)
        await app.core.desk.drain()
    return totals
