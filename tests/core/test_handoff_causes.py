"""The core stores why each ticket was opened: the reports' causes of hand-off."""

from __future__ import annotations

import pytest

from bot.core import callbacks as cb
from handoff.metrics import Cause
from tests.core.fakes import ScriptedBrain, World, make_world
from tests.core.test_customer_dialog import open_ticket, press, say


@pytest.fixture
def world() -> World:
    return make_world(
        brain=ScriptedBrain(
            rules={
                "where is my order": ("answer", "order_status", 0.9, ()),
                "i was charged twice": ("handoff", "double_charge", 0.9, ()),
                "operator please": ("handoff", "human_request", 0.95, ()),
            }
        )
    )


async def cause(world: World) -> str | None:
    ticket = await open_ticket(world)
    assert ticket is not None
    return ticket.handoff_cause


async def test_asking_in_words_or_by_command(world: World) -> None:
    await say(world, "operator please")
    assert await cause(world) == Cause.ASKED


async def test_the_command(world: World) -> None:
    await say(world, "/operator")
    assert await cause(world) == Cause.ASKED


async def test_a_topic_that_always_goes_to_people(world: World) -> None:
    await say(world, "i was charged twice")
    assert await cause(world) == Cause.AUTOMATIC


async def test_low_confidence_after_misses(world: World) -> None:
    for text in ("blah", "blah blah", "blah blah blah"):  # misses_before_handoff = 2
        await say(world, text)
    assert await cause(world) == Cause.LOW_CONFIDENCE


async def test_the_person_button(world: World) -> None:
    await say(world, "where is my order")
    await press(world, cb.encode(cb.Person()))
    assert await cause(world) == Cause.ASKED  # the report reads "didn't help" only after a 👎
