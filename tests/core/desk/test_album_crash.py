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

from bot.core.actions import CopyMessages, SendText
from bot.core.desk import OperatorDesk
from bot.core.events import Media, MessageReceived
from bot.core.service import SupportCore
from bot.core.survey_flow import SurveyFlow
from handoff.memory.outbox import MemoryOutboxRepository
from handoff.model import Direction
from tests.core.desk.test_outbox_resume import ALICE, Bot, _with_ticket, make_bot, says
from tests.core.desk.world import ANNA, GROUP, NOON
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


def operator_photo(album: str, topic: int) -> MessageReceived:
    n = next(_ids)
    return MessageReceived(
        update_id=n,
        chat_id=GROUP,
        private=False,
        sender=ANNA,
        message_id=n,
        date=NOON,
        media=Media("photo", f"file-{n}"),
        thread_id=topic,
        media_group_id=album,
    )


def copies_to_alice(bot: Bot) -> list[tuple[int, ...]]:
    return [a.message_ids for a in bot.made if isinstance(a, CopyMessages) and a.to_chat_id == 501]


async def stored_operator_messages(bot: Bot) -> list[int | None]:
    async with bot.uow() as uow:
        customer = await uow.customers.get_by_telegram_id(501)
        assert customer is not None
        ticket = await uow.tickets.open_for_customer(customer.id)
        assert ticket is not None
        stored = await uow.messages.for_ticket(ticket.id)
    return [m.telegram_message_id for m in stored if m.direction is Direction.OPERATOR]


async def test_an_operators_album_is_relayed_whole_and_leaves_nothing_pending() -> None:
    bot = make_bot()
    _, _, topic = await _with_ticket(bot)
    core = core_with(bot, LONG)
    parts = [operator_photo("o1", topic), operator_photo("o1", topic)]
    for part in parts:
        await core.handle(part)
    assert await bot.pending() == 2
    await core.desk.drain()  # type: ignore[attr-defined]
    assert copies_to_alice(bot) == [tuple(p.message_id for p in parts)]
    assert await bot.pending() == 0


async def test_an_operators_album_being_collected_when_the_process_dies_is_relayed() -> None:
    bot = make_bot()
    _, _, topic = await _with_ticket(bot)
    dying = core_with(bot, LONG)
    parts = [operator_photo("o2", topic), operator_photo("o2", topic)]
    for part in parts:
        await dying.handle(part)
    restarted = core_with(bot, LONG)
    assert await restarted.resume() == 2
    assert copies_to_alice(bot) == [(p.message_id,) for p in parts]
    assert await stored_operator_messages(bot) == [p.message_id for p in parts]
    await restarted.handle(parts[0])  # Telegram delivers a part again: handled already
    await restarted.desk.drain()  # type: ignore[attr-defined]
    assert len(copies_to_alice(bot)) == 2
    assert await bot.pending() == 0


@pytest.mark.parametrize("crash_at", [1, 2, 3, 4])
async def test_an_operators_album_whose_relay_crashed_goes_out_whole_once(crash_at: int) -> None:
    bot = make_bot()
    _, _, topic = await _with_ticket(bot)
    core = core_with(bot, LONG)
    parts = [operator_photo("o3", topic), operator_photo("o3", topic)]
    for part in parts:
        await core.handle(part)
    clean = len(bot.made)
    bot.outbox.crash_at = bot.outbox.calls + crash_at  # the take's notices, the album's copy
    await core.desk.drain()  # type: ignore[attr-defined]
    await core_with(bot, LONG).resume()
    ids = tuple(p.message_id for p in parts)
    assert copies_to_alice(bot) == [ids]
    assert await stored_operator_messages(bot) == list(ids)
    assert await bot.pending() == 0
    told = [a for a in bot.made[clean:] if isinstance(a, SendText) and a.chat_id == 501]
    assert len(told) == 1  # "has taken your request", once, before the album
