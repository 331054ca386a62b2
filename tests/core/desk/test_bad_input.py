"""Bad input found by probing the operator group: each one is answered (or ignored) cleanly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core import callbacks as cb
from bot.core.actions import AnswerButton, CopyMessages, SendText
from bot.core.desk import OperatorDesk
from bot.core.events import Person
from handoff.model import TicketStatus
from tests.core.desk.world import ANNA, BORIS, GROUP, make_world, operator_says, press

TOO_LARGE = str(2**63)  # one past the largest 64-bit key: no database column holds it


@pytest.mark.parametrize("number", ["²", "①", "٣", TOO_LARGE, "99999999999999999999999"])
async def test_take_with_a_number_that_is_not_a_ticket_id_shows_the_usage(number: str) -> None:
    world = make_world()
    await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says(f"/take {number}"))
    assert world.outbox.texts_to(GROUP) == ["Usage: /take N — the ticket number."]


@pytest.mark.parametrize(
    "data", [f"t:{TOO_LARGE}", f"c:{TOO_LARGE}", f"e:{TOO_LARGE}", "t:²", f"kb:{TOO_LARGE}:x"]
)
async def test_button_data_naming_no_possible_ticket_is_answered(data: str) -> None:
    world = make_world()
    await world.ticket()
    world.outbox.clear()
    event = press(data)
    await world.desk.group_button(event)
    [answer] = world.outbox.of(AnswerButton)
    assert answer.callback_id == event.callback_id  # the spinner stops


def test_ids_are_decoded_only_within_the_database_range() -> None:
    assert cb.decode(f"t:{2**63 - 1}") == cb.TakeTicket(2**63 - 1)
    assert cb.decode(f"t:{2**63}") is None
    assert cb.decode(f"f:{2**63}:1") is None
    assert cb.decode("t:-2") is None
    assert cb.decode("s:①:5") is None


@pytest.mark.parametrize("args", ["abc", "-2", "²", "two"])
async def test_escalate_with_a_bad_line_shows_the_usage_and_changes_nothing(args: str) -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says(f"/escalate {args}", thread_id=ticket.topic_id))
    assert (await world.get(ticket.id)).line == 1
    assert world.outbox.texts_to(GROUP) == [
        "Usage: /escalate, or /escalate N — the support line (2 or 3)."
    ]
    assert world.outbox.texts_to(501) == []


TELEGRAM = Person(telegram_id=777000, name="Telegram")  # a linked channel's post, auto-forwarded
ANONYMOUS_ADMIN = Person(telegram_id=1087968970, name="Group", is_bot=True)
CHANNEL = Person(telegram_id=136817688, name="Channel", is_bot=True)
OTHER_BOT = Person(telegram_id=4242, name="Some Bot", is_bot=True)
THE_GROUP_ITSELF = Person(telegram_id=GROUP, name="Support desk")


@pytest.mark.parametrize(
    "who",
    [TELEGRAM, ANONYMOUS_ADMIN, CHANNEL, OTHER_BOT, THE_GROUP_ITSELF],
    ids=["auto-forward", "anonymous-admin", "channel", "bot", "sender-chat"],
)
async def test_non_people_in_the_group_are_not_operators(who: Person) -> None:
    world = make_world()
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says("hi there", thread_id=ticket.topic_id, who=who))
    await world.desk.group_message(operator_says("/close", thread_id=ticket.topic_id, who=who))
    assert world.outbox.of(CopyMessages) == []
    assert world.outbox.of(SendText) == []
    assert (await world.get(ticket.id)).status is TicketStatus.WAITING
    await world.desk.group_button(press(cb.encode(cb.TakeTicket(ticket.id)), who=who))
    [refused] = world.outbox.of(AnswerButton)
    assert refused.alert
    assert (await world.get(ticket.id)).status is TicketStatus.WAITING


async def test_an_explicit_operator_list_leaves_out_other_members() -> None:
    world = make_world()
    config = replace(world.deps.config, only_operator_ids=frozenset({ANNA.telegram_id}))
    deps = replace(world.deps, config=config)
    desk = OperatorDesk(deps, world.survey.start, album_wait=0, articles=world.articles)
    ticket = await world.ticket()
    world.outbox.clear()
    await desk.group_message(operator_says("I'll do it", thread_id=ticket.topic_id, who=BORIS))
    assert world.outbox.of(CopyMessages) == []
    await desk.group_message(operator_says("on its way", thread_id=ticket.topic_id, who=ANNA))
    assert len(world.outbox.of(CopyMessages)) == 1
    assert (await world.get(ticket.id)).operator_id == ANNA.telegram_id
