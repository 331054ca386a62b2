"""The customer's conversation on real aiogram against the emulator."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.demo.stack import LocalStack
from handoff.model import Direction
from tests.e2e.conftest import ROOT, StackFactory
from tests.e2e.helpers import (
    TRAINING_WAIT,
    WAIT,
    ask,
    customer_of,
    eventually,
    is_blocked,
    open_ticket_of,
    press,
)

PERSON = "🙋 Talk to a person"


async def test_start_shows_popular_topics_and_opens_no_ticket(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    [hello] = await ask(stack, alice, "/start")
    assert hello.content.startswith("Hello, Alice!")
    assert "Order status" in hello.button_texts
    assert await open_ticket_of(stack, alice) is None
    assert stack.group.topic_ids() == []  # no topic on a bare /start


async def test_answer_feedback_helped_removes_the_buttons(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    [answer] = await ask(stack, alice, "where is my order")
    assert answer.button_texts[-3:] == ["👍 Helped", "👎 Didn't help", PERSON]
    [thanks] = await press(stack, alice, "👍 Helped")
    assert thanks.content.startswith("Glad I could help")
    shown = {m.message_id: m for m in stack.tg.messages(alice.chat_id)}
    answer_now = shown[answer.message_id]
    assert "👍 Helped" not in answer_now.button_texts


async def test_russian_customer_gets_russian_answers(stack: LocalStack) -> None:
    ivan = stack.tg.add_user("Иван", language_code="ru")
    [hello] = await ask(stack, ivan, "/start")
    assert hello.content.startswith("Здравствуйте, Иван!")
    [answer] = await ask(stack, ivan, "где мой заказ")
    assert "👍 Помогло" in answer.button_texts


async def test_clarify_offers_candidates_then_answers_the_choice(
    make_stack: StackFactory,
) -> None:
    # thresholds that make every message a "did you mean": the mechanism, not the model, is tested
    thresholds = {"answer_threshold": 1.0, "clarify_threshold": 0.0}
    async with make_stack(matching=thresholds, brain_=None) as stack:
        alice = stack.tg.add_user("Alice", language_code="en")
        [question] = await ask(stack, alice, "so wheres my parcel gone, ordered it last week")
        assert question.content == "I'm not sure I understood. Did you mean:"
        assert "Order status" in question.button_texts
        assert question.button_texts[-1] == PERSON
        [answer] = await press(stack, alice, "Order status")
        assert "👍 Helped" in answer.button_texts


async def test_didnt_help_offers_a_person_who_then_gets_the_dialog(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    await ask(stack, alice, "how do i return an item")
    [offer] = await press(stack, alice, "👎 Didn't help")
    assert PERSON in offer.button_texts
    [queued] = await press(stack, alice, PERSON)
    assert "number 1 in the queue" in queued.content
    ticket = await open_ticket_of(stack, alice)
    assert ticket is not None
    assert ticket.subject == "how do i return an item"


async def test_two_misses_offer_a_person_and_the_third_hands_off(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    [first] = await ask(stack, alice, "qwpoeiruty zmxncbv")
    assert first.content.startswith("Sorry, I didn't understand")
    [second] = await ask(stack, alice, "lkjhgf asdfgh poiuy")
    assert "talk to a person" in second.content
    assert await open_ticket_of(stack, alice) is None
    [third] = await ask(stack, alice, "mnbvcx lkjhgf")
    assert "request #" in third.content
    assert await open_ticket_of(stack, alice) is not None


async def test_operator_command_and_human_phrase_hand_off_at_once(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    [reply] = await ask(stack, alice, "/operator")
    assert "request #" in reply.content
    bob = stack.tg.add_user("Bob", language_code="en")
    [reply] = await ask(stack, bob, "i want to talk to a real human")
    assert "request #" in reply.content


async def test_a_photo_is_acknowledged_not_ignored(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    await alice.send_photo(PIXEL)
    [reply] = await stack.tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
    assert "photo" in reply.content
    assert PERSON in reply.button_texts


async def test_customer_html_is_shown_literally(stack: LocalStack) -> None:
    alice = stack.tg.add_user("<b>Al</b> & <i>ce", language_code="en")
    [hello] = await ask(stack, alice, "/start")
    assert hello.content.startswith("Hello, <b>Al</b>!")  # escaped, so shown as typed
    await ask(stack, alice, "/operator")
    await alice.send("<script>alert(1)</script> & more")
    *_, relayed = await stack.tg.wait_for_bot_messages(stack.group.id, count=3, timeout=WAIT)
    assert relayed.content == "<script>alert(1)</script> & more"


async def test_a_redelivered_update_changes_nothing(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    await ask(stack, alice, "where is my order")
    update_id = int(str(stack.tg.updates[-1]["update_id"]))
    stack.tg.redeliver(update_id)
    await stack.tg.wait_until_delivered(timeout=WAIT)
    await ask(stack, alice, "/help")  # the next reply is to /help, not a second answer
    bot_texts = [m.content for m in stack.tg.bot_messages(alice.chat_id)]
    assert len(bot_texts) == 2
    customer = await customer_of(stack, alice)
    async with stack.app.database.unit_of_work() as uow:
        conversation = await uow.conversations.current(
            customer.id, now=stack.app.core.deps.clock.now(), idle_after_s=3600
        )
        stored = await uow.messages.for_conversation(conversation.id)
    assert [m.direction for m in stored].count(Direction.CUSTOMER) == 2


async def test_a_429_burst_delays_but_loses_and_reorders_nothing(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    stack.tg.faults.add(
        method="sendMessage", chat_id=alice.chat_id, error=429, retry_after=1, times=3
    )
    for text in ("/help", "where is my order", "/start"):
        await alice.send(text)
    replies = await stack.tg.wait_for_bot_messages(alice.chat_id, count=3, timeout=20)
    assert replies[0].content.startswith("Write your question")
    assert "👍 Helped" in replies[1].button_texts
    assert replies[2].content.startswith("Hello, Alice!")
    refused = [c for c in stack.tg.calls_to("sendMessage") if not c.ok]
    assert len(refused) == 3


async def test_a_blocked_customer_is_marked_unreachable(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    await ask(stack, alice, "/start")
    stack.tg.faults.add(
        method="sendMessage",
        chat_id=alice.chat_id,
        error=403,
        description="Forbidden: bot was blocked by the user",
    )
    await alice.send("where is my order")
    await eventually(lambda: is_blocked(stack, alice))
    refused = stack.tg.calls_to("sendMessage")[-1]
    assert refused.error_code == 403


async def test_blocking_and_restarting_the_bot_is_recorded(stack: LocalStack) -> None:
    alice = stack.tg.add_user("Alice", language_code="en")
    await ask(stack, alice, "/start")
    await alice.block_bot()
    await eventually(lambda: is_blocked(stack, alice))
    await alice.restart_bot()
    await stack.tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)  # /start is answered
    assert not await is_blocked(stack, alice)


async def test_a_5000_character_answer_is_split_in_order(
    make_stack: StackFactory, tmp_path: Path
) -> None:
    content = tmp_path / "intents"
    shutil.copytree(ROOT / "intents" / "content", content)
    long_en = " ".join(f"part{n:04d}" for n in range(560))  # ~5000 characters
    (content / "zz_long.yaml").write_text(
        LONG_INTENT.format(en=long_en, ru=long_en), encoding="utf-8"
    )
    async with make_stack(content={"intents_dir": content}, brain_=None) as stack:
        alice = stack.tg.add_user("Alice", language_code="en")
        await alice.send("show me all the terms")
        first, second = await stack.tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)
    assert len(first.content) <= 4096
    assert len(second.content) <= 4096
    words = (first.content + " " + second.content).split()
    assert words == long_en.split()
    assert second.button_texts[-1] == PERSON  # buttons go under the last part


async def test_admin_reload_keeps_live_content_on_a_broken_file(
    make_stack: StackFactory, tmp_path: Path
) -> None:
    content = tmp_path / "intents"
    shutil.copytree(ROOT / "intents" / "content", content)
    async with make_stack(content={"intents_dir": content}, brain_=None) as stack:
        admin = stack.tg.add_user("Root", language_code="en")
        settings_admins = stack.app.core.deps.config.admin_ids
        assert admin.id not in settings_admins
        [refused] = await ask(stack, admin, "/reload")
        assert refused.content == "This command is for admins."
    async with make_stack(
        content={"intents_dir": content},
        admins={"ids": [100000002]},
        brain_=None,
        database=tmp_path / "second.sqlite3",
    ) as stack:
        admin = stack.tg.add_user("Root", language_code="en")  # ids go in order; Olga is first
        assert admin.id == 100000002
        (content / "broken.yaml").write_text("intents:\n  - id: x\n    title: [\n", "utf-8")
        [failed] = await ask(stack, admin, "/reload")
        assert failed.content.startswith("Reload failed, the previous content stays live")
        assert "broken.yaml:" in failed.content
        [still] = await ask(stack, admin, "where is my order")
        assert "👍 Helped" in still.button_texts
        (content / "broken.yaml").unlink()
        [ok] = await ask(stack, admin, "/reload", wait=TRAINING_WAIT)
        assert ok.content.startswith("Content reloaded")


LONG_INTENT = """
intents:
  - id: long_terms
    title: {{ru: Полные условия, en: Full terms}}
    examples:
      ru: [полные условия, все условия целиком, покажи условия полностью]
      en: [full terms, show me all the terms, the complete terms please]
    answer:
      ru: "{ru}"
      en: "{en}"
"""

PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5d1b6e90000000049454e44ae426082"
)
