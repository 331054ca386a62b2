"""A customer's album is not lost when the process dies while it is collected or relayed.

The desk waits a moment for an album's parts before relaying them as one; each part's update is
finished before that. The parts are kept as pending work meanwhile, so a restarted process
relays them (one by one), and one that finished the album finds nothing left to send.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest

from bot.core.actions import CopyMessages
from bot.core.desk import OperatorDesk
from bot.core.events import Media, MessageReceived
from bot.core.service import SupportCore
from bot.core.survey_flow import SurveyFlow
from handoff.memory.outbox import MemoryOutboxRepository
from tests.core.desk.test_outbox_resume import ALICE, Bot, _with_ticket, make_bot, says
from tests.core.desk.world import GROUP, NOON
from tests.core.fakes import ScriptedBrain

_ids = itertools.count(90_000)
LONG = 3600.0  # an album timer that never fires during a test: the parts stay in memory


def photo(album: str, caption: str | None = None) -> MessageReceived:
    n = next(_ids)
    return MessageReceived(
        update_id=n,
        chat_id=501,
        private=True,
        sender=ALICE,
        message_id=n,
        date=NOON,
        media=Media("photo", f"file-{n}", caption),
        media_group_id=album,
    )


def core_with(bot: Bot, album_wait: float) -> SupportCore:
    brain = ScriptedBrain(rules={"operator please": ("handoff", "human_request", 0.95, ())})
    deps = replace(bot.world.deps, brain=brain, outbox=bot.outbox, uow=bot.uow)  # type: ignore[arg-type]
    survey = SurveyFlow(deps)
    desk = OperatorDesk(deps, survey.start, album_wait=album_wait, articles=bot.world.articles)
    return SupportCore(deps, desk, survey)


def copies_in_the_group(bot: Bot) -> list[tuple[int, ...]]:
    return [
        a.message_ids
        for a in bot.made
        if isinstance(a, CopyMessages) and a.to_chat_id == GROUP and a.from_chat_id == 501
    ]


async def test_an_album_is_relayed_whole_and_leaves_nothing_pending() -> None:
    bot = make_bot()
    await _with_ticket(bot)
    core = core_with(bot, LONG)
    parts = [photo("a1", "the broken box"), photo("a1"), photo("a1")]
    for part in parts:
        await core.handle(part)
    assert await bot.pending() == 3  # kept while the album is collected
    assert copies_in_the_group(bot) == []
    await core.desk.drain()  # type: ignore[attr-defined]
    assert copies_in_the_group(bot) == [tuple(p.message_id for p in parts)]
    assert await bot.pending() == 0


async def test_an_album_being_collected_when_the_process_dies_is_relayed_after_the_restart() -> (
    None
):
    bot = make_bot()
    await _with_ticket(bot)
    dying = core_with(bot, LONG)
    parts = [photo("a2", "the broken box"), photo("a2"), photo("a2")]
    for part in parts:
        await dying.handle(part)
    # the process dies: the album in its memory is gone, its parts' work is not
    restarted = core_with(bot, LONG)
    assert await restarted.resume() == 3
    assert copies_in_the_group(bot) == [(p.message_id,) for p in parts]
    assert await bot.pending() == 0
    await restarted.resume()
    assert len(copies_in_the_group(bot)) == 3  # nothing twice


@pytest.mark.parametrize("in_flight", [False, True], ids=["before", "in-flight"])
async def test_an_album_whose_relay_crashed_is_relayed_after_the_restart(in_flight: bool) -> None:
    bot = make_bot()
    await _with_ticket(bot)
    core = core_with(bot, LONG)
    parts = [photo("a3"), photo("a3")]
    for part in parts:
        await core.handle(part)
    bot.outbox.crash_at = bot.outbox.calls + 1  # the album's copy
    bot.outbox.in_flight = in_flight
    await core.desk.drain()  # type: ignore[attr-defined]  # the relay raises: logged
    assert await bot.pending() == 2
    await core_with(bot, LONG).resume()
    ids = [p.message_id for p in parts]
    relayed = [i for copy in copies_in_the_group(bot) for i in copy]
    # before: nothing went out, each part goes now; in flight: the album went, and each again
    assert sorted(relayed) == sorted(ids * (2 if in_flight else 1))
    assert await bot.pending() == 0


async def test_an_album_relayed_before_the_crash_is_not_relayed_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bot = make_bot()
    await _with_ticket(bot)
    core = core_with(bot, LONG)
    parts = [photo("a4"), photo("a4")]
    for part in parts:
        await core.handle(part)
    real = MemoryOutboxRepository.finish

    async def dies(self: Any, work_id: int) -> None:
        raise RuntimeError("the process died before its work was deleted")

    monkeypatch.setattr(MemoryOutboxRepository, "finish", dies)
    await core.desk.drain()  # type: ignore[attr-defined]
    monkeypatch.setattr(MemoryOutboxRepository, "finish", real)
    assert copies_in_the_group(bot) == [tuple(p.message_id for p in parts)]
    assert await bot.pending() == 2
    await core_with(bot, LONG).resume()
    assert copies_in_the_group(bot) == [tuple(p.message_id for p in parts)]
    assert await bot.pending() == 0


async def test_a_message_after_an_album_flushes_it_first_under_its_own_work() -> None:
    bot = make_bot()
    await _with_ticket(bot)
    core = core_with(bot, LONG)
    parts = [photo("a5"), photo("a5")]
    for part in parts:
        await core.handle(part)
    after = says("and here is the receipt")
    bot.outbox.crash_at = bot.outbox.calls + 2  # the album went; the message's copy did not
    await core.handle(after)
    await core_with(bot, LONG).resume()
    assert copies_in_the_group(bot) == [
        tuple(p.message_id for p in parts),
        (after.message_id,),
    ]
    assert await bot.pending() == 0
