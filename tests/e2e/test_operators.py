"""The operators' side on real aiogram against the emulator: topics, taking, relaying, closing,
the survey, and what goes wrong in real groups (deleted topics, blocked customers, rate limits)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.demo.stack import TOKEN, LocalStack, local_settings, running_bot
from handoff.clock import ManualClock
from handoff.model import Direction, TicketStatus
from intents import ContentHolder
from telegram_emulator import ChatMessage, TelegramEmulator, User
from tests.e2e.conftest import StackFactory
from tests.e2e.helpers import WAIT, ask, eventually, open_ticket_of, press, ticket
from tests.e2e.test_customer import PIXEL


async def hand_off(stack: LocalStack, who: User, question: str) -> tuple[int, int, ChatMessage]:
    """The customer asks for a person; returns (ticket id, topic id, card)."""
    topics_before = len(stack.tg.calls_to("createForumTopic"))
    await ask(stack, who, question)
    await ask(stack, who, "/operator")
    await stack.tg.wait_for_calls("createForumTopic", topics_before + 1, timeout=WAIT)
    topic = stack.group.topic_ids()[-1]
    card, _transcript = await stack.tg.wait_for_bot_messages(
        stack.group.id, thread_id=topic, count=2, timeout=WAIT
    )
    opened = await open_ticket_of(stack, who)
    assert opened is not None
    return opened.id, topic, card


async def take(stack: LocalStack, operator: User, topic: int) -> str:
    query = await operator.press("✋ Take", group=stack.group, thread_id=topic)
    answer = await stack.tg.wait_for_callback_answer(query, timeout=WAIT)
    return answer.text or ""


async def test_hand_off_take_relay_note_close_and_survey(stack: LocalStack) -> None:
    tg, group, olga = stack.tg, stack.group, stack.operator
    alice = tg.add_user("Alice", language_code="en")
    ticket_id, topic, card = await hand_off(stack, alice, "how do i return an item")
    assert group.topic_name(topic).startswith(f"#{ticket_id} Alice")
    assert "Status: 🟡 waiting" in card.content
    transcript = tg.messages(group.id, thread_id=topic)[-1]
    assert "how do i return an item" in transcript.content

    assert await take(stack, olga, topic) == f"You took ticket #{ticket_id}."
    [taken] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
    assert taken.content == "Olga has taken your request and will answer here."
    card_now = {m.message_id: m for m in tg.messages(group.id)}[card.message_id]
    assert "Taken by: Olga" in card_now.content

    await olga.send_in_topic(group, topic, "Hi Alice, which item is it?")
    [relayed] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
    assert relayed.content == "Hi Alice, which item is it?"

    await alice.send("The blue kettle, photo attached")
    await alice.send_photo(PIXEL, caption="the box")
    text_copy, photo_copy = await tg.wait_for_bot_messages(
        group.id, thread_id=topic, count=2, timeout=WAIT
    )
    assert text_copy.content == "The blue kettle, photo attached"
    assert photo_copy.kind == "photo"
    assert photo_copy.caption == "the box"

    await olga.send_in_topic(group, topic, "!check the warehouse first")
    await olga.send_in_topic(group, topic, "/note customer sounds in a hurry")
    await olga.send_in_topic(group, topic, "/close")
    closed, csat = await tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)
    assert (
        closed.content
        == f"Your request #{ticket_id} is closed. If something is left, just write again."
    )
    assert csat.button_texts == ["1", "2", "3", "4", "5"]
    assert [m.content for m in tg.messages(alice.chat_id)].count("!check the warehouse first") == 0

    [solved] = await press(stack, alice, "4")
    assert solved.content == "Was your issue solved?"
    [comment] = await press(stack, alice, "Yes")
    assert "comment" in comment.content
    [thanks] = await ask(stack, alice, "quick and polite")
    assert thanks.content == "Thank you for the feedback!"

    async with stack.app.database.unit_of_work() as uow:
        stored = await uow.tickets.get(ticket_id)
        survey = await uow.surveys.get(ticket_id)
        messages = await uow.messages.for_ticket(ticket_id)
    assert stored is not None
    assert stored.status is TicketStatus.RESOLVED
    assert stored.first_reply_at is not None
    assert stored.resolved_at is not None
    assert survey is not None
    assert (survey.csat, survey.solved, survey.comment) == (4, True, "quick and polite")
    notes = [m.text for m in messages if m.direction is Direction.NOTE]
    assert len(notes) == 2
    assert any(m.direction is Direction.OPERATOR for m in messages)
    topic_texts = [m.content for m in tg.messages(group.id, thread_id=topic)]
    assert any("satisfaction 4/5" in t for t in topic_texts)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_operators_pressing_take_at_once_get_one_owner(
    make_stack: StackFactory, backend: str, postgres_database: str | None, tmp_path: Path
) -> None:
    database = tmp_path / "race.sqlite3" if backend == "sqlite" else postgres_database
    if database is None:
        pytest.skip("PostgreSQL is not reachable")
    async with make_stack(database=database, colleagues=("Pavel",)) as stack:
        [pavel] = stack.colleagues
        alice = stack.tg.add_user("Alice", language_code="en")
        ticket_id, topic, _ = await hand_off(stack, alice, "my order is late")
        answers = await asyncio.gather(
            take(stack, stack.operator, topic), take(stack, pavel, topic)
        )
        assert sorted(a.startswith("You took") for a in answers) == [False, True]
        loser = next(a for a in answers if not a.startswith("You took"))
        assert loser.startswith(f"Ticket #{ticket_id} is already taken by")
        taken = await ticket(stack, ticket_id)
        assert taken.status is TicketStatus.TAKEN


async def test_escalation_relabels_the_ticket_and_tells_the_customer(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    ticket_id, topic, _ = await hand_off(stack, alice, "the app crashes on start")
    await take(stack, stack.operator, topic)
    await stack.tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
    await stack.operator.send_in_topic(stack.group, topic, "/escalate 2")
    [told] = await stack.tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
    assert told.content == (
        f"Your request #{ticket_id} has been passed to our more experienced specialists; "
        "they will answer here."
    )
    assert (await ticket(stack, ticket_id)).line == 2


async def test_off_hours_the_customer_learns_when_operators_return(
    make_stack: StackFactory,
) -> None:
    saturday_night = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)  # 23:00 in Moscow
    async with make_stack(always_open=False, clock=ManualClock(saturday_night)) as stack:
        alice = stack.tg.add_user("Alice", language_code="en")
        [reply] = await ask(stack, alice, "/operator")
    # regression: the time had no zone; a customer abroad could not tell when "09:00" is
    assert "they will be back on Monday (30 Nov) at 09:00 (UTC+3, Moscow)" in reply.content


async def test_cancel_withdraws_and_the_topic_is_told(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    ticket_id, topic, _ = await hand_off(stack, alice, "my order is late")
    [reply] = await ask(stack, alice, "/cancel")
    assert reply.content.startswith(f"Your request #{ticket_id} is withdrawn")
    [notice] = await stack.tg.wait_for_bot_messages(stack.group.id, thread_id=topic, timeout=WAIT)
    assert notice.content == f"The customer withdrew ticket #{ticket_id}."
    assert (await ticket(stack, ticket_id)).status is TicketStatus.CANCELLED


async def test_writing_soon_after_a_close_reopens_the_ticket(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    ticket_id, topic, _ = await hand_off(stack, alice, "my order is late")
    await take(stack, stack.operator, topic)
    await stack.operator.send_in_topic(stack.group, topic, "/close")
    await stack.tg.wait_for_bot_messages(alice.chat_id, count=3, timeout=WAIT)
    await press(stack, alice, "5")
    await press(stack, alice, "Yes")
    await press(stack, alice, "Skip")
    await alice.send("sorry, one more thing: can it come on friday?")
    await eventually(lambda: _is_open(stack, ticket_id))
    # the ticket continues in its own topic, reopened (issue 14: not a second topic)
    await stack.tg.wait_for_calls("reopenForumTopic", 1, timeout=WAIT)
    assert len(stack.tg.calls_to("createForumTopic")) == 1
    await eventually(lambda: _shows(stack, topic, "can it come on friday"))


async def _is_open(stack: LocalStack, ticket_id: int) -> bool:
    return (await ticket(stack, ticket_id)).status.is_open


async def test_a_customer_who_blocks_the_bot_mid_ticket_is_shown_in_the_topic(
    stack: LocalStack,
) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    _, topic, _ = await hand_off(stack, alice, "my order is late")
    await take(stack, stack.operator, topic)
    # she blocks the bot after the "taken" message reached her, not while it is on its way
    await stack.tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
    await alice.block_bot()
    [notice] = await stack.tg.wait_for_bot_messages(stack.group.id, thread_id=topic, timeout=WAIT)
    assert "blocked the bot" in notice.content
    await stack.operator.send_in_topic(stack.group, topic, "are you still there?")
    refused = await stack.tg.wait_for_calls("copyMessage", 1, timeout=WAIT)
    assert refused[-1].error_code == 403
    [undelivered] = await stack.tg.wait_for_bot_messages(
        stack.group.id, thread_id=topic, timeout=WAIT
    )
    assert undelivered.content == "A message could not be delivered (blocked)."
    await alice.restart_bot(send_start=False)
    [back] = await stack.tg.wait_for_bot_messages(stack.group.id, thread_id=topic, timeout=WAIT)
    assert "restarted the bot" in back.content


async def test_a_deleted_topic_is_reopened_and_the_relay_goes_on(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    ticket_id, topic, _ = await hand_off(stack, alice, "my order is late")
    stack.tg.delete_topic(stack.group, topic)
    await alice.send("hello? anyone?")
    await stack.tg.wait_for_calls("createForumTopic", 2, timeout=WAIT)
    new_topic = stack.group.topic_ids()[-1]
    assert new_topic != topic
    await eventually(lambda: _shows(stack, new_topic, "hello? anyone?"))
    assert (await ticket(stack, ticket_id)).topic_id == new_topic


async def _shows(stack: LocalStack, topic: int, text: str) -> bool:
    return any(text in m.content for m in stack.tg.messages(stack.group.id, thread_id=topic))


async def test_the_group_rate_limit_loses_and_reorders_nothing(make_stack: StackFactory) -> None:
    async with make_stack(limits={"customer_messages_per_minute": 100}) as stack:
        alice = stack.tg.add_user("Alice", language_code="en")
        _, topic, _ = await hand_off(stack, alice, "my order is late")
        stack.tg.limits.rates = True  # Telegram's ~20 messages a minute into a group
        sent = [f"message {n}" for n in range(24)]
        for text in sent:
            await alice.send(text)
        copies = await stack.tg.wait_for_bot_messages(
            stack.group.id, thread_id=topic, count=len(sent), timeout=60
        )
        assert [m.content for m in copies] == sent
        assert any(c.error_code == 429 for c in stack.tg.calls_to("copyMessage"))


async def test_a_restart_mid_ticket_loses_nothing(
    base_settings: Settings, brain: ContentHolder, tmp_path: Path
) -> None:
    async with TelegramEmulator(token=TOKEN) as tg:
        olga = tg.add_user("Olga", language_code="en")
        group = tg.add_supergroup("Support desk", forum=True, admins=[olga])
        alice = tg.add_user("Alice", language_code="en")
        settings = local_settings(
            base_settings,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'restart.sqlite3'}",
            api_url=tg.url,
            group_id=group.id,
        )
        async with running_bot(settings, brain=brain) as first:
            await tg.wait_for_poll()
            await alice.send("/operator")
            await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
            await tg.wait_for_calls("createForumTopic", 1, timeout=WAIT)
            topic = group.topic_ids()[-1]
            await tg.wait_for_bot_messages(group.id, thread_id=topic, count=2, timeout=WAIT)
            query = await olga.press("✋ Take", group=group, thread_id=topic)
            await tg.wait_for_callback_answer(query, timeout=WAIT)
            await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
            async with first.database.unit_of_work() as uow:
                before = await uow.tickets.open_tickets()
        # the process is gone; while it is down both sides keep writing
        await olga.send_in_topic(group, topic, "still here after a restart")
        await alice.send("great, thanks")
        async with running_bot(settings, brain=brain):
            [relayed] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
            assert relayed.content == "still here after a restart"
            [copy] = await tg.wait_for_bot_messages(group.id, thread_id=topic, timeout=WAIT)
            assert copy.content == "great, thanks"
    [ticket_before] = before
    assert ticket_before.status is TicketStatus.TAKEN


async def test_queue_take_by_number_and_kb_article_to_the_customer(stack: LocalStack) -> None:
    tg, group, olga = stack.tg, stack.group, stack.operator
    alice = tg.add_user("Alice", language_code="en")
    bob = tg.add_user("Bob", language_code="en")
    first, first_topic, _ = await hand_off(stack, alice, "my order is late")
    second, _, _ = await hand_off(stack, bob, "how do i return an item")

    sent_before = len(tg.calls_to("sendMessage"))
    await olga.send_in_group(group, "/queue")
    await tg.wait_for_calls("sendMessage", sent_before + 1, timeout=WAIT)
    queue = [m for m in tg.bot_messages(group.id) if m.thread_id is None][-1]
    assert queue.content.startswith("Waiting tickets (2):")
    assert queue.content.index(f"#{first} ") < queue.content.index(f"#{second} ")

    await olga.send_in_group(group, f"/take {second}")
    await tg.wait_for_bot_messages(bob.chat_id, timeout=WAIT)  # "Olga has taken your request"
    taken = await ticket(stack, second)
    assert taken.operator_name == "Olga"

    await olga.send_in_topic(group, first_topic, "/kb return policy")
    [found] = await tg.wait_for_bot_messages(group.id, thread_id=first_topic, timeout=WAIT)
    send_button = found.button_texts[0]  # the best of up to five hits
    assert send_button.startswith("📨 1. ")
    query = await olga.press(send_button, group=group, thread_id=first_topic)
    await tg.wait_for_callback_answer(query, timeout=WAIT)
    *_, article = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
    assert len(article.content) > 200  # the article itself, not a link to it


async def test_an_orphan_topic_named_after_a_ticket_is_adopted(stack: LocalStack) -> None:
    # a crash after Telegram created a topic but before the bot stored its id leaves a topic the
    # bot does not know; what an operator writes there carries the topic's name
    tg, group, olga = stack.tg, stack.group, stack.operator
    alice = tg.add_user("Alice", language_code="en")
    ticket_id, topic, _card = await hand_off(stack, alice, "how do i return an item")
    orphan = tg.create_topic(group, group.topic_name(topic))
    await olga.send_in_topic(group, orphan, "Hi Alice, I am on it")
    taken, relayed = await tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)
    assert taken.content == "Olga has taken your request and will answer here."
    assert relayed.content == "Hi Alice, I am on it"
    await olga.send_in_topic(group, orphan, "/close")
    await eventually(
        lambda: _status_is(stack, ticket_id, TicketStatus.RESOLVED)  # closed from the orphan
    )
    unrelated = tg.create_topic(group, "#999999 Nobody — nothing")
    await olga.send_in_topic(group, unrelated, "just talking")
    await asyncio.sleep(0.3)
    assert tg.messages(alice.chat_id)[-1].content != "just talking"


async def _status_is(stack: LocalStack, ticket_id: int, status: TicketStatus) -> bool:
    return (await ticket(stack, ticket_id)).status is status
