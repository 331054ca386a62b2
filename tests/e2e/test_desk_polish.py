"""The operator desk polished (issue 14), end to end on real aiogram against the emulator:
menus per scope, a readable transcript with the recognised intent on the card, customer context,
answer templates, /kb with previews, close confirmation, /mine, /ban, reopening in the same
topic, the configured hours, the desk's own language."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.config import Settings
from bot.demo.stack import TOKEN, LocalStack, local_settings, running_bot
from handoff.model import TicketStatus
from intents import ContentHolder
from telegram_emulator import ChatMessage, TelegramEmulator, User
from tests.e2e.conftest import StackFactory
from tests.e2e.helpers import (
    TRAINING_WAIT,
    WAIT,
    ask,
    eventually,
    open_ticket_of,
    press,
    ticket,
)
from tests.e2e.test_customer import PIXEL

OLGA_ID = 100000001  # the first user the emulator makes: Olga, the group's admin


def scopes(stack: LocalStack) -> dict[tuple[str, str | None], list[str]]:
    """Every registered menu as (scope, language) → commands."""
    menus: dict[tuple[str, str | None], list[str]] = {}
    for call in stack.tg.calls_to("setMyCommands"):
        scope = call.params.get("scope") or {"type": "default"}
        key = json.dumps(scope, sort_keys=True)
        menus[(key, call.params.get("language_code"))] = [
            c["command"] for c in call.params["commands"]
        ]
    return menus


async def posted(stack: LocalStack, start: str, *, thread_id: int | None = None) -> ChatMessage:
    """The bot's message in the operator group that starts with ``start`` (waiting for it)."""
    found: list[ChatMessage] = []

    async def appeared() -> bool:
        found[:] = [
            m
            for m in stack.tg.bot_messages(stack.group.id, thread_id=thread_id)
            if m.content.startswith(start)
        ]
        return bool(found)

    await eventually(appeared)
    return found[-1]


async def topic_of(stack: LocalStack, who: User) -> tuple[int, int, list[ChatMessage]]:
    """The customer's open ticket, its topic and what the bot posted there so far."""

    async def placed() -> bool:
        opened = await open_ticket_of(stack, who)
        return opened is not None and opened.card_message_id is not None

    await eventually(placed)
    opened = await open_ticket_of(stack, who)
    assert opened is not None
    assert opened.topic_id is not None
    posted = await stack.tg.wait_for_bot_messages(
        stack.group.id, thread_id=opened.topic_id, count=2, timeout=WAIT
    )
    return opened.id, opened.topic_id, posted


async def test_menus_per_scope_and_help_start_reload_in_the_group(
    make_stack: StackFactory,
) -> None:
    async with make_stack(admins={"ids": [OLGA_ID]}) as stack:
        group = stack.group
        menus = scopes(stack)
        private = json.dumps({"type": "all_private_chats"}, sort_keys=True)
        desk = json.dumps({"type": "chat", "chat_id": group.id}, sort_keys=True)
        admin_in_group = json.dumps(
            {"type": "chat_member", "chat_id": group.id, "user_id": OLGA_ID}, sort_keys=True
        )
        assert menus[(private, "en")] == ["start", "operator", "language", "cancel", "help"]
        assert "operator" not in menus[(desk, None)]
        assert {"queue", "take", "kb", "t", "mine"} <= set(menus[(desk, None)])
        assert "reload" in menus[(admin_in_group, None)]
        assert (json.dumps({"type": "default"}, sort_keys=True), "en") not in menus

        for command in ("/start", "/help"):
            await stack.operator.send_in_group(group, command)
            [answer] = await stack.tg.wait_for_bot_messages(group.id, timeout=WAIT)
            assert "/queue" in answer.content
            assert "/reload" in answer.content  # Olga is an admin
        await stack.operator.send_in_group(group, "/reload")
        [reloaded] = await stack.tg.wait_for_bot_messages(group.id, timeout=TRAINING_WAIT)
        assert re.match(r"Content reloaded: \d+ intents, \d+ articles\.", reloaded.content)
        assert "Reloaded" not in reloaded.content  # one language in one line


async def test_readable_transcript_intent_on_the_card_context_and_a_template(
    stack: LocalStack,
) -> None:
    tg, group, olga = stack.tg, stack.group, stack.operator
    alice = tg.add_user("Alice", language_code="en")
    await ask(stack, alice, "my order is VM-220931")
    [answer] = await ask(stack, alice, "how do i return an item")
    assert "Helped" in " ".join(answer.button_texts)
    await press(stack, alice, "👎 Didn't help")
    await press(stack, alice, "🙋 Talk to a person")
    ticket_id, topic, (card, transcript) = await topic_of(stack, alice)

    assert "Intent: return_item (" in card.content  # carried over the 👎 and the button
    assert "Order: VM-220931" in card.content
    assert "Category: newcomer" in card.content
    assert group.topic_name(topic) == f"#{ticket_id} Alice — how do i return an item"
    assert "<b>" not in transcript.content
    assert "&lt;" not in transcript.content
    assert "[button] 👎 Didn't help" in transcript.content
    assert "[button] 🙋 Talk to a person" in transcript.content

    await olga.send_in_topic(group, topic, "/t")
    listing = await posted(stack, "Answer templates", thread_id=topic)
    assert "Alice, I've checked your order VM-220931" in listing.content
    query = await olga.press("1. Anything else?", group=group, thread_id=topic)
    await tg.wait_for_callback_answer(query, timeout=WAIT)
    taken, sent = await tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)
    assert taken.content == "Olga has taken your request and will answer here."
    assert sent.content.startswith("Is there anything else I can help you with, Alice?")
    assert f"#{ticket_id}" in sent.content
    assert (await ticket(stack, ticket_id)).first_reply_at is not None


async def test_automatic_hand_off_has_no_feedback_buttons_and_kb_offers_five(
    stack: LocalStack,
) -> None:
    tg, group, olga = stack.tg, stack.group, stack.operator
    bob = tg.add_user("Bob", language_code="en")
    answer, passed = await ask(stack, bob, "i was charged twice", replies=2)
    for contradicting in ("👍 Helped", "👎 Didn't help", "🙋 Talk to a person"):
        assert contradicting not in answer.button_texts
    assert passed.content.startswith("I've passed your question to a person")
    _, topic, (card, _) = await topic_of(stack, bob)
    assert "Intent: double_charge" in card.content

    await olga.send_in_topic(group, topic, "/kb return an item")
    found = await posted(stack, "Found for", thread_id=topic)
    lines = found.content.splitlines()
    assert lines[0].startswith("Found for “return an item” (in en)")
    assert 2 <= len(found.button_texts) <= 5
    assert all(text.startswith("📨 ") for text in found.button_texts)
    query = await olga.press(found.button_texts[0], group=group, thread_id=topic)
    await tg.wait_for_callback_answer(query, timeout=WAIT)
    [article] = await tg.wait_for_bot_messages(bob.chat_id, timeout=WAIT)
    assert len(article.content) > 50


async def test_close_asks_first_then_reopening_uses_the_same_topic(stack: LocalStack) -> None:
    tg, group, olga = stack.tg, stack.group, stack.operator
    alice = tg.add_user("Alice", language_code="en")
    await ask(stack, alice, "/operator")
    ticket_id, topic, _ = await topic_of(stack, alice)

    query = await olga.press("✅ Close", group=group, thread_id=topic)
    await tg.wait_for_callback_answer(query, timeout=WAIT)
    await posted(stack, "Nobody has answered", thread_id=topic)
    assert (await ticket(stack, ticket_id)).status is TicketStatus.WAITING
    query = await olga.press("✅ Close anyway", group=group, thread_id=topic)
    await tg.wait_for_callback_answer(query, timeout=WAIT)
    closed, _csat = await tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)
    assert "is closed" in closed.content

    topics_before = len(tg.calls_to("createForumTopic"))
    await ask(stack, alice, "one more thing about my parcel")
    await tg.wait_for_calls("reopenForumTopic", 1, timeout=WAIT)
    notice = await posted(stack, "The customer wrote again", thread_id=topic)
    assert notice.content.startswith(f"The customer wrote again: ticket #{ticket_id} is reopened.")
    assert "one more thing about my parcel" in notice.content
    assert "Conversation so far" not in notice.content
    assert len(tg.calls_to("createForumTopic")) == topics_before
    assert (await ticket(stack, ticket_id)).topic_id == topic


async def test_mine_ban_and_the_configured_hours(stack: LocalStack) -> None:
    tg, group, olga = stack.tg, stack.group, stack.operator
    alice = tg.add_user("Alice", language_code="en")
    [hours] = await ask(stack, alice, "what are your working hours")
    assert "{hours}" not in hours.content
    assert "Mon–Sun 00:00–23:59" in hours.content  # the demo's round-the-clock [hours]
    await ask(stack, alice, "/operator")
    ticket_id, topic, _ = await topic_of(stack, alice)
    await olga.send_in_topic(group, topic, "Hello Alice")
    await tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)

    await olga.send_in_group(group, "/mine")
    mine = await posted(stack, "Your open tickets")
    assert mine.content.startswith("Your open tickets (1):")
    assert f"#{ticket_id}" in mine.content

    await olga.send_in_topic(group, topic, "/ban")
    banned = await posted(stack, "The customer of ticket", thread_id=topic)
    assert "is banned" in banned.content
    before = len(tg.messages(group.id, thread_id=topic))
    await alice.send("spam spam spam")

    async def stored() -> bool:
        async with stack.app.database.unit_of_work() as uow:
            messages = await uow.messages.for_ticket(ticket_id)
        return any(m.text == "spam spam spam" for m in messages) or await _in_conversation(
            stack, ticket_id, "spam spam spam"
        )

    await eventually(stored)
    assert len(tg.messages(group.id, thread_id=topic)) == before  # not relayed
    assert tg.bot_messages(alice.chat_id)[-1].content == "Hello Alice"  # told nothing


async def _in_conversation(stack: LocalStack, ticket_id: int, text: str) -> bool:
    async with stack.app.database.unit_of_work() as uow:
        found = await uow.tickets.get(ticket_id)
        assert found is not None
        messages = await uow.messages.for_conversation(found.conversation_id)
    return any(m.text == text for m in messages)


async def test_the_desk_speaks_its_own_language(make_stack: StackFactory) -> None:
    async with make_stack(operators={"language": "ru"}) as stack:
        alice = stack.tg.add_user("Alice", language_code="en")
        [reply] = await ask(stack, alice, "/operator")
        assert reply.content.startswith("I've passed your question")  # Alice's language
        _, _, (card, _) = await topic_of(stack, alice)
        assert "Клиент:" in card.content
        assert stack.tg.calls_to("setMyCommands")


async def test_line_2_sees_the_photo_and_a_reopened_ticket_stays_in_its_line_2_topic(
    base_settings: Settings, brain: ContentHolder, tmp_path: Path
) -> None:
    """Regressions: line 2 saw "[photo]" but not the photo; a reopened ticket got a second topic
    of the same name in the line-2 group, with the whole transcript (survey included) again."""
    async with TelegramEmulator(token=TOKEN) as tg:
        olga = tg.add_user("Olga", language_code="en")
        pavel = tg.add_user("Pavel", language_code="en")
        group = tg.add_supergroup("Support desk", forum=True, admins=[olga])
        line2 = tg.add_supergroup("Line 2", forum=True, admins=[pavel])
        settings = local_settings(
            base_settings,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'line2.sqlite3'}",
            api_url=tg.url,
            group_id=group.id,
        )
        operators = settings.operators.model_copy(update={"line2_group_id": line2.id})
        settings = settings.model_copy(update={"operators": operators})
        async with running_bot(settings, brain=brain) as app:
            await tg.wait_for_poll()
            stack = LocalStack(tg=tg, app=app, group=group, operator=olga, settings=settings)
            alice = tg.add_user("Alice", language_code="en")
            await alice.send_photo(PIXEL, caption="the broken screen")
            await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
            await ask(stack, alice, "/operator")
            ticket_id, topic, _ = await topic_of(stack, alice)
            await olga.send_in_topic(group, topic, "/escalate")
            await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)

            async def moved() -> bool:
                return (await ticket(stack, ticket_id)).group_chat_id == line2.id

            await eventually(moved)
            line2_topic = (await ticket(stack, ticket_id)).topic_id
            assert line2_topic is not None

            async def photo_copied() -> bool:
                shown = tg.bot_messages(line2.id, thread_id=line2_topic)
                return any(m.kind == "photo" for m in shown)

            await eventually(photo_copied)
            transcript = [m.content for m in tg.bot_messages(line2.id, thread_id=line2_topic)]
            assert not any("<b>" in text for text in transcript)

            await pavel.send_in_topic(line2, line2_topic, "Fixed on our side")
            await tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)
            await pavel.send_in_topic(line2, line2_topic, "/close")
            await tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)
            await press(stack, alice, "5")
            topics_before = len(tg.calls_to("createForumTopic"))
            await alice.send("it broke again")
            await tg.wait_for_calls("reopenForumTopic", 1, timeout=WAIT)

            async def reopened_here() -> bool:
                shown = tg.bot_messages(line2.id, thread_id=line2_topic)
                return any("it broke again" in m.content for m in shown)

            await eventually(reopened_here)
            assert len(tg.calls_to("createForumTopic")) == topics_before
            assert line2.topic_ids().count(line2_topic) == 1
            assert len(line2.topic_ids()) == 1
        assert tg.internal_errors == []
