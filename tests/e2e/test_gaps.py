"""/gaps and the one-tap "add to the intent's examples" on real aiogram against the emulator,
on a temporary copy of the content (the repository's own files are never edited)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from intents.loader import load_intents
from tests.e2e.conftest import ROOT, StackFactory
from tests.e2e.helpers import TRAINING_WAIT, WAIT, ask, customer_of

MISSED = "где сейчас едет моя посылка с заказом"


async def test_an_admin_adds_a_missed_question_with_one_tap(
    make_stack: StackFactory, tmp_path: Path
) -> None:
    content = tmp_path / "intents"
    shutil.copytree(ROOT / "intents" / "content", content)
    async with make_stack(
        content={"intents_dir": content}, admins={"ids": [100000002]}, brain_=None
    ) as stack:
        admin = stack.tg.add_user("Root", language_code="en")  # ids go in order; Olga is first
        assert admin.id == 100000002
        bob = stack.tg.add_user("Bob", language_code="ru")
        await ask(stack, bob, "/start")
        customer = await customer_of(stack, bob)
        now = stack.app.core.deps.clock.now()
        async with stack.app.database.unit_of_work() as uow:  # two questions the bot missed
            conversation = await uow.conversations.current(customer.id, now=now, idle_after_s=3600)
            for minutes in (20, 10):
                await uow.decisions.add(
                    conversation_id=conversation.id,
                    text=MISSED,
                    language="ru",
                    action="unknown",
                    intent=None,
                    article=None,
                    score=0.1,
                    now=now - timedelta(minutes=minutes),
                )
        [refused] = await ask(stack, bob, "/gaps")
        assert refused.content == "Эта команда только для администраторов."

        [listing] = await ask(stack, admin, "/gaps", wait=TRAINING_WAIT)
        assert MISSED in listing.content
        [button] = [b for b in listing.button_texts if b.startswith("➕")]
        assert button.endswith("→ order_status")
        query = await admin.press(button)
        await stack.tg.wait_for_callback_answer(query, timeout=WAIT)
        [added] = await stack.tg.wait_for_bot_messages(admin.chat_id, timeout=TRAINING_WAIT)
        assert f"Added “{MISSED}” to intent order_status (ru)." in added.content
        assert "Content reloaded" in added.content
    assert load_intents(content)["order_status"].examples["ru"][-1] == MISSED
    original = load_intents(ROOT / "intents" / "content")["order_status"].examples["ru"]
    assert MISSED not in original
