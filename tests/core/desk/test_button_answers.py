"""Answers to operators' button presses are plain text (Telegram does not parse them as HTML),
within answerCallbackQuery's 200 characters; the group still gets escaped HTML."""

from __future__ import annotations

from bot.core import callbacks as cb
from bot.core.actions import AnswerButton, SendText
from bot.core.desk.cards import BUTTON_ANSWER_LIMIT, button_answer
from bot.core.events import Person
from tests.core.desk.world import BORIS, GROUP, World, make_world, operator_says, press

TOM = Person(telegram_id=7003, name="Tom & Jerry <3")


def answers(world: World) -> list[str | None]:
    return [a.text for a in world.outbox.actions if isinstance(a, AnswerButton)]


async def test_taken_by_names_the_owner_as_plain_text() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_button(press(cb.encode(cb.TakeTicket(ticket.id)), who=TOM))
    world.outbox.clear()
    await world.desk.group_button(press(cb.encode(cb.TakeTicket(ticket.id)), who=BORIS))
    assert answers(world) == [f"Ticket #{ticket.id} is already taken by Tom & Jerry <3."]


async def test_close_and_escalate_answers_are_plain_the_group_notices_escaped() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_button(press(cb.encode(cb.Escalate(ticket.id)), who=TOM))
    await world.desk.group_message(operator_says("Fixed", thread_id=ticket.topic_id, who=TOM))
    await world.desk.group_button(press(cb.encode(cb.CloseTicket(ticket.id)), who=TOM))
    assert answers(world) == [
        f"Ticket #{ticket.id} escalated to line 2 by Tom & Jerry <3.",
        f"Ticket #{ticket.id} closed by Tom & Jerry <3.",
    ]
    posted = world.outbox.texts_to(GROUP, ticket.topic_id)
    assert f"Ticket #{ticket.id} closed by Tom &amp; Jerry &lt;3." in posted


async def test_escalation_refused_on_the_last_line_is_plain_and_short() -> None:
    world = make_world()
    ticket = await world.ticket(line=3)
    world.outbox.clear()
    await world.desk.group_button(press(cb.encode(cb.Escalate(ticket.id)), who=TOM))
    (text,) = answers(world)
    assert text is not None
    assert text.startswith(f"Cannot escalate ticket #{ticket.id}: ")
    assert len(text) <= BUTTON_ANSWER_LIMIT
    assert "&" not in text


async def test_a_long_article_title_is_cut_to_the_answer_limit() -> None:
    world = make_world()
    title = "Returns & refunds <EU> " + "x" * 300
    world.articles.found["return"] = ("returns", title, "<b>Returns</b>")
    ticket = await world.ticket()
    await world.desk.group_message(operator_says("/kb return", thread_id=ticket.topic_id))
    offer = world.outbox.of(SendText)[-1]
    assert isinstance(offer, SendText)
    world.outbox.clear()
    await world.desk.group_button(press(offer.keyboard[0][0].data or ""))
    (text,) = answers(world)
    assert text is not None
    assert len(text) == BUTTON_ANSWER_LIMIT
    assert text.startswith("Article “Returns & refunds <EU> xxx")
    assert text.endswith("…")


def test_button_answer_drops_tags_unescapes_and_cuts() -> None:
    assert button_answer("<b>Tom &amp; Jerry &lt;3</b>") == "Tom & Jerry <3"
    assert button_answer("a" * BUTTON_ANSWER_LIMIT) == "a" * BUTTON_ANSWER_LIMIT
    cut = button_answer("&amp;" * 300)
    assert cut == "&" * (BUTTON_ANSWER_LIMIT - 1) + "…"
