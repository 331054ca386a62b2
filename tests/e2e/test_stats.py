"""``/stats`` in the operator group on real aiogram against the emulator: a chart and a summary."""

from __future__ import annotations

from bot.demo.stack import LocalStack
from telegram_emulator import ChatMessage
from tests.e2e.helpers import WAIT, eventually
from tests.e2e.test_operators import hand_off, take


async def test_stats_answers_with_a_chart_and_a_summary(stack: LocalStack) -> None:
    tg, group, olga = stack.tg, stack.group, stack.operator
    alice = tg.add_user("Alice", language_code="en")
    ticket_id, topic, _card = await hand_off(stack, alice, "where is my order")
    await take(stack, olga, topic)
    await olga.send_in_topic(group, topic, "Hi Alice, it ships today.")
    await tg.wait_for_bot_messages(alice.chat_id, count=2, timeout=WAIT)

    def photos() -> list[ChatMessage]:
        return [m for m in tg.bot_messages(group.id) if m.kind == "photo"]

    async def answered() -> bool:
        return bool(photos())

    assert photos() == []
    await olga.send_in_group(group, "/stats 3")
    await eventually(answered)
    [answer] = photos()
    assert answer.thread_id is None  # answered where it was asked
    caption = answer.content
    assert caption.startswith("Last 3 days")
    assert "Conversations: 1; resolved by the bot: 0.0%" in caption
    assert "Tickets: 1" in caption
    assert "asked for a person 1" in caption  # /operator after the question
    stored = tg.engine.world.file(answer.file_id or "")
    assert stored.data.startswith(b"\x89PNG")  # the chart itself, uploaded
    assert len(stored.data) > 10_000

    usage = "Usage: /stats [days] — from 1 to 92 days."

    async def refused() -> bool:
        return any(m.content == usage for m in tg.bot_messages(group.id))

    await olga.send_in_group(group, "/stats 500")
    await eventually(refused)
    assert ticket_id > 0
