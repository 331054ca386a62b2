"""A customer edits the caption of a photo already relayed into their ticket's topic: the bot
gets ``edited_message`` with the caption and tells the operators, replying to the copy."""

from __future__ import annotations

from bot.demo.stack import LocalStack
from tests.e2e.helpers import WAIT
from tests.e2e.test_customer import PIXEL
from tests.e2e.test_operators import hand_off, take


async def test_a_caption_edit_reaches_the_topic(stack: LocalStack) -> None:
    tg, group = stack.tg, stack.group
    alice = tg.add_user("Alice", language_code="en")
    ticket_id, topic, _card = await hand_off(stack, alice, "how do i return an item")
    assert await take(stack, stack.operator, topic) == f"You took ticket #{ticket_id}."
    await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)  # "Olga has taken..."

    photo = await alice.send_photo(PIXEL, caption="the box")
    [copy] = await tg.wait_for_bot_messages(group.id, thread_id=topic, timeout=WAIT)
    assert (copy.kind, copy.caption) == ("photo", "the box")

    edited = await alice.edit_caption(photo, "the broken box")
    assert edited.caption == "the broken box"
    [notice] = await tg.wait_for_bot_messages(group.id, thread_id=topic, timeout=WAIT)
    assert notice.content == "✏️ edited: the broken box"
    assert notice.raw["reply_to_message"]["message_id"] == copy.message_id
