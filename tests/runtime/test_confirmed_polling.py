"""The polling loop and the update handling both runtimes share, on the real core (in memory)
with a small stand-in for Telegram's update queue: offsets, order, retries, dead letters."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

import pytest

from bot.core import Event
from bot.core.events import MessageReceived, Person
from bot.runtime import JsonDict, PollingLoop, RetryPolicy, UpdateHandling
from handoff import DeadLetter
from tests.core.fakes import World, make_world

FAST = RetryPolicy(tries=3, first_pause_s=0.01, max_pause_s=0.05)
ALICE, BOB = 1001, 1002


class Queue:
    """Telegram's side of getUpdates: pending updates, confirmed by the next call's offset."""

    def __init__(self) -> None:
        self.pending: list[JsonDict] = []
        self.fetches = 0
        self._next = 1

    def push(self, chat_id: int, text: str, **extra: object) -> int:
        update_id = self._next
        self._next += 1
        message = {"chat": chat_id, "text": text, **extra}
        self.pending.append({"update_id": update_id, "message": message})
        return update_id

    async def fetch(self, offset: int | None, hold_s: int, limit: int) -> Sequence[JsonDict]:
        self.fetches += 1
        if offset is not None:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        if not self.pending and hold_s:
            await asyncio.sleep(0.01)  # a (very short) long poll
        return [json.loads(json.dumps(u)) for u in self.pending[:limit]]

    def ids(self) -> list[int]:
        return [u["update_id"] for u in self.pending]


def parse(raw: JsonDict) -> Event | None:
    message = raw["message"]
    if "broken" in message:
        raise ValueError("field 'date' is not a date")
    chat = int(message["chat"])
    return MessageReceived(
        update_id=raw["update_id"],
        chat_id=chat,
        private=True,
        sender=Person(telegram_id=chat, name=f"user {chat}", language_code="ru"),
        message_id=raw["update_id"],
        date=datetime(2026, 11, 23, tzinfo=UTC),
        text=message["text"],
    )


Handler = Callable[[MessageReceived], Awaitable[None]]


class Script:
    """What the core does with each text: record it, and wait or fail when told to."""

    def __init__(self) -> None:
        self.handled: list[str] = []
        self.tries: dict[str, int] = {}
        self.gates: dict[str, asyncio.Event] = {}
        self.failures: dict[str, int] = {}  # text → how many tries fail (-1: all)

    async def __call__(self, event: Event) -> None:
        assert isinstance(event, MessageReceived)
        assert event.text is not None
        text = event.text
        self.tries[text] = self.tries.get(text, 0) + 1
        if text in self.gates:
            await self.gates[text].wait()
        failing = self.failures.get(text, 0)
        if failing == -1 or self.tries[text] <= failing:
            raise RuntimeError(f"the database blinked while handling {text!r}")
        self.handled.append(text)


@contextlib.asynccontextmanager
async def polling(world: World, queue: Queue) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    handling = UpdateHandling(world.core, parse, retry=FAST)
    loop = PollingLoop(queue.fetch, handling, timeout=1, idle_wait_s=0.05)
    task = asyncio.create_task(loop.run(stop))
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    return make_world()


@pytest.fixture
def script(world: World, monkeypatch: pytest.MonkeyPatch) -> Script:
    scripted = Script()
    monkeypatch.setattr(world.core, "handle", scripted)
    return scripted


async def until(check: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not check():  # noqa: ASYNC110 - the state is the loop's, polled as in e2e
            await asyncio.sleep(0.005)


async def letters(world: World) -> Sequence[DeadLetter]:
    async with world.store.unit_of_work() as uow:
        return await uow.dead_letters.oldest()


async def test_the_offset_waits_for_an_update_in_hand_while_other_chats_go_on(
    world: World, script: Script
) -> None:
    queue = Queue()
    script.gates["slow"] = asyncio.Event()
    async with polling(world, queue):
        slow = queue.push(ALICE, "slow")
        queue.push(ALICE, "after slow")
        queue.push(BOB, "bob 1")
        queue.push(BOB, "bob 2")
        await until(lambda: script.handled == ["bob 1", "bob 2"])
        await asyncio.sleep(0.2)
        assert script.handled == ["bob 1", "bob 2"]  # Alice's second waits for her first
        assert queue.ids()[0] == slow  # not confirmed: a crash now would bring it back
        fetches = queue.fetches
        await asyncio.sleep(0.3)
        assert queue.fetches - fetches < 15  # waiting for a handling, not spinning
        script.gates["slow"].set()
        await until(lambda: len(script.handled) == 4)
    assert script.handled[2:] == ["slow", "after slow"]
    assert queue.pending == []  # a clean stop confirms what was handled


class Arriving(Queue):
    """Updates keep arriving: each getUpdates finds one more, from a chat of its own, and the
    loop's clock at each call is noted."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[float] = []
        self.arriving = True

    async def fetch(self, offset: int | None, hold_s: int, limit: int) -> Sequence[JsonDict]:
        self.asked.append(asyncio.get_running_loop().time())
        if self.arriving:
            self.push(5000 + self._next, f"arrival {self._next}")
        return await super().fetch(offset, hold_s, limit)


async def test_while_updates_are_in_hand_getupdates_is_asked_at_most_every_busy_poll(
    world: World, script: Script
) -> None:
    # every answer repeats the updates in hand; one new update per answer must not make the
    # loop ask again at once, over and over
    queue = Arriving()
    script.gates["slow"] = asyncio.Event()
    queue.push(ALICE, "slow")  # held in hand: the offset stays at it
    stop = asyncio.Event()
    handling = UpdateHandling(world.core, parse, retry=FAST)
    loop = PollingLoop(queue.fetch, handling, timeout=1, idle_wait_s=0.05, busy_poll_s=0.02)
    task = asyncio.create_task(loop.run(stop))
    try:
        await until(lambda: len(queue.asked) >= 8)
        queue.arriving = False
        script.gates["slow"].set()
        await until(lambda: "slow" in script.handled)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)
    gaps = [
        later - earlier for earlier, later in zip(queue.asked[:7], queue.asked[1:8], strict=True)
    ]
    assert min(gaps) >= 0.019  # the timer may fire up to a millisecond early
    assert queue.pending == []


async def test_a_handling_that_fails_twice_is_tried_again_and_not_lost(
    world: World, script: Script
) -> None:
    queue = Queue()
    script.failures["flaky"] = 2
    async with polling(world, queue):
        queue.push(ALICE, "flaky")
        await until(lambda: script.handled == ["flaky"])
    assert script.tries["flaky"] == 3
    assert await letters(world) == []
    assert world.outbox.texts_to(ALICE) == []


async def test_a_handling_that_always_fails_is_parked_and_the_customer_told(
    world: World, script: Script
) -> None:
    queue = Queue()
    script.failures["doomed"] = -1
    async with polling(world, queue):
        doomed = queue.push(ALICE, "doomed")
        queue.push(ALICE, "next one")
        await until(lambda: script.handled == ["next one"])
    [letter] = await letters(world)
    assert (letter.update_id, letter.kind, letter.chat_id, letter.private) == (
        doomed,
        "message",
        ALICE,
        True,
    )
    assert letter.attempts == FAST.tries == script.tries["doomed"]
    assert "RuntimeError: the database blinked" in letter.error
    assert json.loads(letter.raw)["message"]["text"] == "doomed"
    [notice] = world.outbox.texts_to(ALICE)
    assert notice == world.core.deps.texts("ru", "update_failed")  # the sender's language
    assert queue.pending == []


async def test_an_unreadable_update_is_parked_at_once_and_polling_goes_on(
    world: World, script: Script
) -> None:
    queue = Queue()
    async with polling(world, queue):
        queue.push(ALICE, "broken", broken=True)
        queue.push(BOB, "fine")
        await until(lambda: script.handled == ["fine"])
        await until(lambda: queue.pending == [])
    [letter] = await letters(world)
    assert letter.attempts == 0
    assert letter.error == "ValueError: field 'date' is not a date"
    assert "broken" not in script.tries  # never handed to the core


async def test_a_kill_mid_handling_leaves_the_update_unconfirmed(
    world: World, script: Script
) -> None:
    queue = Queue()
    script.gates["interrupted"] = asyncio.Event()
    handling = UpdateHandling(world.core, parse, retry=FAST)
    loop = PollingLoop(queue.fetch, handling, timeout=1, idle_wait_s=0.05)
    task = asyncio.create_task(loop.run(asyncio.Event()))
    first = queue.push(ALICE, "interrupted")
    await until(lambda: "interrupted" in script.tries)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert queue.ids() == [first]

    del script.gates["interrupted"]  # the restarted bot handles it
    async with polling(world, queue):
        await until(lambda: script.handled == ["interrupted"])
    assert queue.pending == []


async def test_a_webhook_update_is_confirmed_once_handled_or_parked(
    world: World, script: Script
) -> None:
    handling = UpdateHandling(world.core, parse, retry=FAST)
    script.failures["flaky"] = 1
    script.failures["doomed"] = -1
    flaky = handling.read({"update_id": 1, "message": {"chat": ALICE, "text": "flaky"}})
    assert not await handling.attempt(flaky)  # 500: Telegram sends it again
    assert await handling.attempt(flaky)
    doomed = handling.read({"update_id": 2, "message": {"chat": BOB, "text": "doomed"}})
    answers = [await handling.attempt(doomed) for _ in range(FAST.tries)]
    assert answers == [False] * (FAST.tries - 1) + [True]
    [letter] = await letters(world)
    assert (letter.update_id, letter.attempts) == (2, FAST.tries)
    broken = handling.read({"update_id": 3, "message": {"chat": BOB, "broken": 1, "text": "x"}})
    assert await handling.attempt(broken)  # parked at the first delivery
    assert len(await letters(world)) == 2


async def test_a_parked_update_is_handled_again_when_a_retry_is_asked_for(
    world: World, script: Script
) -> None:
    handling = UpdateHandling(world.core, parse, retry=FAST)
    script.failures["later"] = FAST.tries
    script.failures["never"] = -1
    for update_id, text in ((1, "later"), (2, "never")):
        raw = {"update_id": update_id, "message": {"chat": ALICE, "text": text}}
        await handling.handle(handling.read(raw))
    later, never = await letters(world)
    assert await handling.retry_parked() == 0  # nobody asked
    async with world.store.unit_of_work() as uow:
        await uow.dead_letters.request_retry(later.id)
        await uow.dead_letters.request_retry(never.id)
    assert await handling.retry_parked() == 1
    assert script.handled == ["later"]
    [left] = await letters(world)
    assert (left.id, left.attempts, left.retry_requested) == (never.id, FAST.tries + 1, False)
    assert len(world.outbox.texts_to(ALICE)) == 2  # told once per parking, not on the retry


def test_a_retry_policy_needs_one_try() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(tries=0)
    assert [RetryPolicy(first_pause_s=0.5, max_pause_s=3).pause(n) for n in (1, 2, 3, 4)] == [
        0.5,
        1.0,
        2.0,
        3,
    ]
