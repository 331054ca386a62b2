"""Every desk action that changes state and then sends survives a crash at any of its calls.

Each case is run once cleanly (the reference), then once per call it makes with the process
dying there (before the call, or with the call in flight); a new core on the same store resumes
the pending work, as it does at start-up. What reached Telegram must be what the clean run sent,
in the same order (plus, with a call in flight, that one call again), and storage must end as
the clean run left it: the change made once, the messages stored once.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from bot.core import callbacks as cb
from bot.core.actions import Action, SendText
from bot.core.desk.callbacks import (
    ConfirmClose,
    KeepOpen,
    SendArticle,
    SendTemplate,
    encode_desk,
)
from bot.core.events import Event
from handoff import UnitOfWorkFactory
from storage import Database
from tests.core.desk.test_outbox_resume import Bot, Crash, CrashingOutbox, says
from tests.core.desk.world import ANNA, BORIS, LINE2_GROUP, make_world, operator_says, press
from tests.pg import POSTGRES_URL, admin_connection

ROOT = Path(__file__).resolve().parents[3]
OPENING: list[Event] = [says("my order VM-220931 is late"), says("operator please")]


def tap(data: str | None, **kwargs: object) -> Event:
    assert data is not None
    return press(data, **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    """``before`` runs cleanly after the ticket opened; ``events`` are crashed at each call.
    Both get the ticket's number and its topic."""

    before: Callable[[int, int], list[Event]]
    events: Callable[[int, int], list[Event]]
    line_groups: dict[int, int] = field(default_factory=dict)


def _take(t: int, _: int, who: object = ANNA) -> list[Event]:
    return [tap(cb.encode(cb.TakeTicket(t)), who=who)]


def _nothing(t: int, topic: int) -> list[Event]:
    return []


CASES = {
    "escalate": Case(_nothing, lambda t, topic: [operator_says("/escalate", thread_id=topic)]),
    "escalate-taken-to-line-3": Case(
        _take, lambda t, topic: [operator_says("/escalate 3", thread_id=topic)]
    ),
    "escalate-button": Case(_nothing, lambda t, topic: [tap(cb.encode(cb.Escalate(t)))]),
    "escalate-to-a-line-group": Case(
        _take,
        lambda t, topic: [operator_says("/escalate", thread_id=topic)],
        line_groups={2: LINE2_GROUP},
    ),
    "template-tap-takes-first": Case(
        _nothing, lambda t, topic: [tap(encode_desk(SendTemplate(t, "order-delayed")), who=BORIS)]
    ),
    "template-tap-on-my-ticket": Case(
        _take, lambda t, topic: [tap(encode_desk(SendTemplate(t, "need-details")))]
    ),
    "template-list": Case(_nothing, lambda t, topic: [operator_says("/t", thread_id=topic)]),
    "kb-list": Case(_nothing, lambda t, topic: [operator_says("/kb parcel", thread_id=topic)]),
    "kb-article-tap": Case(_take, lambda t, topic: [tap(encode_desk(SendArticle(t, "returns")))]),
    "ban": Case(_nothing, lambda t, topic: [operator_says("/ban", thread_id=topic)]),
    "unban": Case(
        lambda t, topic: [operator_says("/ban", thread_id=topic)],
        lambda t, topic: [operator_says("/unban", thread_id=topic)],
    ),
    "queue": Case(_nothing, lambda t, topic: [operator_says("/queue", thread_id=topic)]),
    "mine": Case(_take, lambda t, topic: [operator_says("/mine", thread_id=topic)]),
    "take-command": Case(_nothing, lambda t, topic: [operator_says(f"/take {t}")]),
    "take-by-writing": Case(
        _nothing, lambda t, topic: [operator_says("let me check", thread_id=topic)]
    ),
    "take-someone-elses": Case(_take, lambda t, topic: _take(t, topic, BORIS)),
    "close-command": Case(_take, lambda t, topic: [operator_says("/close", thread_id=topic)]),
    "close-asks-first": Case(_nothing, lambda t, topic: [tap(cb.encode(cb.CloseTicket(t)))]),
    "close-confirmed": Case(_nothing, lambda t, topic: [tap(encode_desk(ConfirmClose(t)))]),
    "keep-open": Case(_nothing, lambda t, topic: [tap(encode_desk(KeepOpen(t)))]),
    "closed-ticket-not-sent": Case(
        lambda t, topic: [operator_says("/close", thread_id=topic)],
        lambda t, topic: [operator_says("too late", thread_id=topic)],
    ),
    "reopened-by-the-customer": Case(
        lambda t, topic: [operator_says("/close", thread_id=topic)],
        lambda t, topic: [says("one more thing, please")],
    ),
}


def make_bot(case: Case, uow: UnitOfWorkFactory | None = None) -> Bot:
    world = make_world(line_groups=case.line_groups)
    config = replace(world.deps.config, templates_dir=ROOT / "kb" / "templates")
    world.deps = replace(world.deps, config=config)
    world.articles.found["parcel"] = ("returns", "Returns", "<b>Returns</b> take 14 days.")
    return Bot(world, CrashingOutbox(world.outbox), uow or world.store.unit_of_work)


@dataclass
class Run:
    made: list[Action]  # by the events under test
    state: object
    pending: int


async def _state(uow: UnitOfWorkFactory) -> object:
    async with uow() as tx:
        customer = await tx.customers.get_by_telegram_id(501)
        assert customer is not None
        ticket = await tx.tickets.last_for_customer(customer.id)
        assert ticket is not None
        stored = await tx.messages.for_ticket(ticket.id)
        history = await tx.messages.for_conversation(ticket.conversation_id)
        return (
            ticket,
            customer.state.banned,
            [(m.direction, m.text, m.chat_id, m.telegram_message_id) for m in history],
            len(stored),
        )


class Script:
    """The events of a case, made once so every run sees the same ids."""

    def __init__(self, case: Case, store: Fresh | None = None) -> None:
        self.case = case
        self.store = store  # a fresh database for each run (None: in memory)
        self.before: list[Event] = []
        self.events: list[Event] = []

    async def run(
        self, crash_at: int | None = None, *, in_flight: bool = False
    ) -> tuple[Run, CrashingOutbox]:
        bot = make_bot(self.case, await self.store() if self.store else None)
        core = bot.core()
        for event in OPENING:
            await core.handle(event)
        if not self.events:  # the first run: the ticket's number and topic are now known
            async with bot.uow() as uow:
                customer = await uow.customers.get_by_telegram_id(501)
                assert customer is not None
                ticket = await uow.tickets.open_for_customer(customer.id)
            assert ticket is not None
            assert ticket.topic_id is not None
            self.before = self.case.before(ticket.id, ticket.topic_id)
            self.events = self.case.events(ticket.id, ticket.topic_id)
        for event in self.before:
            await core.handle(event)
        start = len(bot.made)
        if crash_at is not None:
            bot.outbox.crash_at = bot.outbox.calls + crash_at
            bot.outbox.in_flight = in_flight
        for event in self.events:
            try:
                await core.handle(event)
            except Crash:  # died before its first commit: Telegram delivers it again
                await bot.core().handle(event)
        await bot.core().resume()  # the restarted process
        return Run(bot.made[start:], await _state(bot.uow), await bot.pending()), bot.outbox


@pytest.mark.parametrize("name", list(CASES))
async def test_a_crash_at_any_call_sends_what_was_missing_once(name: str) -> None:
    script = Script(CASES[name])
    clean, _ = await script.run()
    assert clean.pending == 0
    assert clean.made, "the case must send something"
    for crash_at in range(1, len(clean.made) + 1):
        crashed, outbox = await script.run(crash_at)
        assert outbox.crashed, crash_at
        assert crashed.made == clean.made, crash_at
        assert crashed.state == clean.state, crash_at
        assert crashed.pending == 0, crash_at


@pytest.mark.parametrize("name", list(CASES))
async def test_a_call_in_flight_at_the_crash_is_the_only_one_made_twice(name: str) -> None:
    script = Script(CASES[name])
    clean, _ = await script.run()
    for crash_at in range(1, len(clean.made) + 1):
        crashed, outbox = await script.run(crash_at, in_flight=True)
        [twice] = outbox.crashed
        assert len(crashed.made) == len(clean.made) + 1, crash_at
        assert crashed.made.count(twice) >= 2, crash_at
        assert crashed.pending == 0, crash_at


async def test_a_template_tapped_on_a_waiting_ticket_tells_the_take_before_the_template() -> None:
    script = Script(CASES["template-tap-takes-first"])
    clean, _ = await script.run()
    for crash_at in range(1, len(clean.made) + 1):
        crashed, _ = await script.run(crash_at)
        to_customer = [a.text for a in crashed.made if isinstance(a, SendText) and a.chat_id == 501]
        assert len(to_customer) == 2, crash_at
        assert to_customer[0].startswith("Boris has taken your request"), crash_at
        assert to_customer[1].startswith("Alice, I've checked your order VM-220931"), crash_at


Fresh = Callable[[], Awaitable[UnitOfWorkFactory]]


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[Fresh]:
    """A new SQLite database for each run."""
    databases: list[Database] = []

    async def fresh() -> UnitOfWorkFactory:
        path = tmp_path / f"{len(databases)}.sqlite3"
        databases.append(database := Database.connect(f"sqlite+aiosqlite:///{path}"))
        await database.create_schema()
        return database.unit_of_work

    yield fresh
    for database in databases:
        await database.dispose()


@pytest.fixture
async def postgres() -> AsyncIterator[Fresh]:
    """A new PostgreSQL schema for each run, dropped afterwards."""
    admin = await admin_connection()
    databases: list[tuple[str, Database]] = []

    async def fresh() -> UnitOfWorkFactory:
        schema = f"test_{secrets.token_hex(6)}"
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        databases.append((schema, database := Database.connect(POSTGRES_URL, schema=schema)))
        await database.create_schema()
        return database.unit_of_work

    try:
        yield fresh
    finally:
        for schema, database in databases:
            await database.dispose()
            await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sql(request: pytest.FixtureRequest) -> Fresh:
    """Each SQL backend, a new database for each run."""
    fresh: Fresh = request.getfixturevalue(request.param)
    return fresh


@pytest.mark.parametrize(
    "name", ["escalate-to-a-line-group", "template-tap-takes-first", "close-command"]
)
async def test_on_sql_the_outcome_is_kept_with_the_work_in_one_transaction(
    name: str, sql: Fresh
) -> None:
    script = Script(CASES[name], sql)
    clean, _ = await script.run()
    for crash_at in range(1, len(clean.made) + 1):
        crashed, _ = await script.run(crash_at)
        assert crashed.made == clean.made, crash_at
        assert crashed.state == clean.state, crash_at
        assert crashed.pending == 0, crash_at
