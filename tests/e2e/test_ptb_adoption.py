"""An orphan topic adopted through python-telegram-bot: the name of the topic comes with the
reply to its "topic created" service message, which PTB's convert must pass on as
``topic_name`` (the aiogram twin is in test_operators.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.demo.stack import TOKEN, LocalStack, local_settings, running_ptb_bot
from handoff.model import TicketStatus
from intents import ContentHolder
from telegram_emulator import TelegramEmulator
from tests.e2e.helpers import WAIT, eventually, ticket
from tests.e2e.test_operators import hand_off

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*attribute `retry_after` will be of type:telegram.warnings.PTBDeprecationWarning"
)


@pytest.fixture
async def stack(
    base_settings: Settings, brain: ContentHolder, tmp_path: Path
) -> AsyncIterator[LocalStack]:
    """The emulator with a forum operator group (Olga, its admin) and the bot on PTB polling it."""
    async with TelegramEmulator(token=TOKEN) as tg:
        olga = tg.add_user("Olga", language_code="en", username="olga_support")
        group = tg.add_supergroup("Support desk", forum=True, admins=[olga])
        settings = local_settings(
            base_settings,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'ptb.sqlite3'}",
            api_url=tg.url,
            group_id=group.id,
        )
        async with running_ptb_bot(settings, brain=brain) as app:
            await tg.wait_for_poll()
            yield LocalStack(tg=tg, app=app, group=group, operator=olga, settings=settings)
        assert tg.internal_errors == []


async def _resolved(stack: LocalStack, ticket_id: int) -> bool:
    return (await ticket(stack, ticket_id)).status is TicketStatus.RESOLVED


async def test_an_orphan_topic_named_after_a_ticket_is_adopted_through_ptb(
    stack: LocalStack,
) -> None:
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
    await eventually(lambda: _resolved(stack, ticket_id))  # closed from the orphan
    unrelated = tg.create_topic(group, "#999999 Nobody — nothing")
    await olga.send_in_topic(group, unrelated, "just talking")
    await asyncio.sleep(0.3)
    assert tg.messages(alice.chat_id)[-1].content != "just talking"
