"""Operator tools (issue 14): answer templates (/t), /mine, /ban and /unban, /start, /help and
/reload in the group."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.core.actions import AnswerButton, CopyMessages, SendText
from bot.core.desk.callbacks import SendTemplate, decode_desk, encode_desk
from handoff.model import Direction, TicketStatus
from tests.core.desk.world import (
    ANNA,
    BORIS,
    GROUP,
    World,
    customer_says,
    make_world,
    operator_says,
    press,
)

ROOT = Path(__file__).resolve().parents[3]


def with_templates(world: World, folder: Path = ROOT / "kb" / "templates") -> World:
    deps = replace(world.deps, config=replace(world.deps.config, templates_dir=folder))
    world.deps = deps
    world.desk = world.new_desk()
    return world


async def test_t_lists_the_templates_filled_for_the_ticket_and_a_tap_sends_one() -> None:
    world = with_templates(make_world())
    ticket = await world.ticket(history=("my order VM-220931 is late",))
    world.outbox.clear()
    await world.desk.group_message(operator_says("/t", thread_id=ticket.topic_id))
    [listing] = world.outbox.of(SendText)
    assert listing.chat_id == GROUP  # type: ignore[attr-defined]
    assert "Alice, I've checked your order VM-220931" in listing.text  # type: ignore[attr-defined]
    payloads = [decode_desk(b.data or "") for row in listing.keyboard for b in row]  # type: ignore[attr-defined]
    assert SendTemplate(ticket.id, "order-delayed") in payloads

    world.outbox.clear()
    data = encode_desk(SendTemplate(ticket.id, "order-delayed"))
    await world.desk.group_button(press(data or "", who=BORIS))
    told = world.outbox.texts_to(501)
    assert told[0] == "Boris has taken your request and will answer here."
    assert told[1].startswith("Alice, I've checked your order VM-220931: it is delayed")
    assert f"#{ticket.id}" in told[1]
    stored = await world.get(ticket.id)
    assert stored.status is TicketStatus.TAKEN
    assert stored.first_reply_at is not None
    assert (Direction.OPERATOR, told[1]) in await world.messages(ticket.id)
    assert any("sent the template" in t for t in world.outbox.texts_to(GROUP))


async def test_a_template_whose_value_is_missing_is_not_sent() -> None:
    world = with_templates(make_world())
    ticket = await world.ticket(history=("it is late",))  # no order number
    world.outbox.clear()
    data = encode_desk(SendTemplate(ticket.id, "order-delayed"))
    await world.desk.group_button(press(data or ""))
    assert world.outbox.texts_to(501) == []
    [answer] = world.outbox.of(AnswerButton)
    assert answer.alert  # type: ignore[attr-defined]
    assert "order" in (answer.text or "")  # type: ignore[attr-defined]


async def test_t_without_templates_says_where_to_put_them(tmp_path: Path) -> None:
    world = with_templates(make_world(), tmp_path)
    ticket = await world.ticket()
    world.outbox.clear()
    await world.desk.group_message(operator_says("/t", thread_id=ticket.topic_id))
    assert "no answer templates in en" in world.outbox.texts_to(GROUP)[-1]


async def test_mine_lists_my_open_tickets_only() -> None:
    world = make_world()
    mine = await world.ticket()
    other = await world.ticket(await world.customer(telegram_id=502, name="Bob"))
    await world.desk.group_message(operator_says("On it", thread_id=mine.topic_id, who=ANNA))
    await world.desk.group_message(operator_says("Me too", thread_id=other.topic_id, who=BORIS))
    world.outbox.clear()
    await world.desk.group_message(operator_says("/mine", who=ANNA))
    [listing] = world.outbox.texts_to(GROUP)
    assert listing.startswith("<b>Your open tickets</b> (1):")
    assert f"#{mine.id}" in listing
    assert f"#{other.id}" not in listing


async def test_ban_stores_but_does_not_relay_and_unban_relays_again() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/ban", thread_id=ticket.topic_id))
    assert "is banned" in world.outbox.texts_to(GROUP)[-1]
    world.outbox.clear()
    await world.desk.customer_message(ticket.id, customer_says(ticket, "spam spam"))
    assert world.outbox.of(CopyMessages) == []
    assert world.outbox.texts_to(501) == []  # they are told nothing
    await world.desk.group_message(operator_says("/unban", thread_id=ticket.topic_id))
    world.outbox.clear()
    await world.desk.customer_message(ticket.id, customer_says(ticket, "sorry"))
    assert len(world.outbox.of(CopyMessages)) == 1


async def test_start_and_help_in_the_group_answer_with_the_desk_commands() -> None:
    """Regression: /start in the group got no answer."""
    world = make_world()
    for command in ("/start", "/help"):
        world.outbox.clear()
        await world.desk.group_message(operator_says(command))
        [help_text] = world.outbox.texts_to(GROUP)
        assert "/queue" in help_text
        assert "/t" in help_text
        assert "/reload" not in help_text  # Anna is no admin


async def test_an_admins_help_in_the_group_lists_reload() -> None:
    """Regression: the admin's /help did not list /reload."""
    world = make_world()
    config = replace(world.deps.config, admin_ids=frozenset({ANNA.telegram_id}))
    world.deps = replace(world.deps, config=config)
    world.desk = world.new_desk()
    await world.desk.group_message(operator_says("/help"))
    assert "/reload" in world.outbox.texts_to(GROUP)[-1]


async def test_reload_in_the_group_is_answered() -> None:
    """Regression: /reload in the group got no answer."""
    world = make_world()
    await world.desk.group_message(operator_says("/reload"))
    assert world.outbox.texts_to(GROUP)[-1] == "This command is for admins."
