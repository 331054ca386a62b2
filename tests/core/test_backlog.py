"""Work a failure left pending goes out before the next work of its chat (bot/core/backlog.py)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.actions import Action, CopyMessages, Result, SendText
from bot.core.events import Event
from tests.core.desk.test_outbox_resume import CrashingOutbox, make_bot, reference, run, says


def texts_to_alice(made: list[Action]) -> list[str]:
    return [a.text for a in made if isinstance(a, SendText) and a.chat_id == 501]


async def test_a_reply_left_by_a_failure_goes_out_before_the_next_messages_reply() -> None:
    events: list[Event] = [says("hello"), says("operator please")]
    clean = texts_to_alice(await reference(events))
    bot = make_bot()
    bot.outbox.crash_at = 1  # the reply to "hello" fails after its commit
    core = await run(bot, events[:1])
    assert await bot.pending() == 1
    await core.handle(events[1])  # same process, no restart, no housekeeping
    assert texts_to_alice(bot.made) == clean
    assert await bot.pending() == 0


async def test_work_failing_again_does_not_hold_up_the_chat() -> None:
    events: list[Event] = [says("hello"), says("operator please"), says("are you there?")]
    bot = make_bot()
    bot.outbox.crash_at = 1
    core = await run(bot, events[:1])
    bot.outbox.crash_at = bot.outbox.calls + 1  # the catch-up fails again
    await core.handle(events[1])
    assert texts_to_alice(bot.made)  # the new message was answered all the same
    assert await bot.pending() == 1
    await core.handle(events[2])  # the next one tries again, first
    assert await bot.pending() == 0
    told = texts_to_alice(bot.made)
    assert len(told) == len(texts_to_alice(await reference(events)))  # all of them, once
    assert told[0].startswith("I've passed your question to a person")
    assert told[1].startswith("Sorry, I didn't understand")  # to "hello", at last
    late = next(i for i, a in enumerate(bot.made) if getattr(a, "text", None) == told[1])
    relayed = next(i for i, a in enumerate(bot.made) if isinstance(a, CopyMessages))
    assert late < relayed  # before the third message reached the operators


@dataclass
class Gate:
    """Holds the first call to one chat until opened (an update of that chat being handled,
    slowly); the other calls go through."""

    inner: CrashingOutbox
    chat_id: int
    opened: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, action: Action) -> Result:
        if getattr(action, "chat_id", None) == self.chat_id and not self.waiting.is_set():
            self.waiting.set()
            await self.opened.wait()
        return await self.inner(action)


async def test_the_housekeeping_waits_for_the_update_a_chat_is_on() -> None:
    bot = make_bot()
    bot.outbox.crash_at = 1
    left = says("hello")
    await run(bot, [left])  # a process that failed (its mark of the chat is gone with it)
    bot.world.clock.advance(timedelta(minutes=2))
    gate = Gate(bot.outbox, 501)
    bot.outbox = gate  # type: ignore[assignment]
    core = bot.core()
    later = asyncio.create_task(core.handle(says("operator please")))
    await gate.waiting.wait()  # the update of the chat is on its first send
    housekeeping = asyncio.create_task(core.housekeeping())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not housekeeping.done()  # waits for the chat's turn instead of sending alongside
    gate.opened.set()
    await later
    await housekeeping
    assert await bot.pending() == 0
    told = texts_to_alice(bot.made)
    assert len(told) == len(set(told))  # nothing twice
