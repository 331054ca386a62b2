"""The scripted demo: a customer and an operator walk through the product on the local stack.

Every line printed is what the emulator's chats really show: the bot answered over HTTP through
aiogram, exactly as it would on Telegram.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.demo.stack import LocalStack
from telegram_emulator import ChatMessage, User

__all__ = ["DemoScript"]

WAIT_S = 15.0


@dataclass
class DemoScript:
    stack: LocalStack
    out: Callable[[str], None] = print

    def _show(self, who: str, text: str, buttons: list[str] | None = None) -> None:
        """Shown as the chat shows it: the emulator already turned the bot's HTML into text,
        so a tag that appears here is a tag the reader would see."""
        lines = text.strip().splitlines() or [""]
        self.out(f"{who:>10} │ {lines[0]}")
        for line in lines[1:]:
            self.out(f"{'':>10} │ {line}")
        if buttons:
            self.out(f"{'':>10} │ " + "  ".join(f"[{b}]" for b in buttons))

    def _section(self, title: str) -> None:
        self.out("")
        self.out(f"── {title} " + "─" * max(0, 66 - len(title)))

    def _bot(self, messages: list[ChatMessage], who: str = "bot") -> None:
        for message in messages:
            kind = "" if message.kind == "text" else f"[{message.kind}] "
            self._show(who, kind + message.content, message.button_texts)

    async def _say(self, customer: User, text: str, *, replies: int = 1) -> list[ChatMessage]:
        self._show(customer.name, text)
        await customer.send(text)
        got = await self.stack.tg.wait_for_bot_messages(
            customer.chat_id, count=replies, timeout=WAIT_S
        )
        self._bot(got)
        return got

    async def _press(self, customer: User, button: str, *, replies: int = 1) -> list[ChatMessage]:
        self._show(customer.name, f"(presses “{button}”)")
        await customer.press(button)
        got = await self.stack.tg.wait_for_bot_messages(
            customer.chat_id, count=replies, timeout=WAIT_S
        )
        self._bot(got)
        return got

    async def run(self) -> None:
        tg = self.stack.tg
        anna = tg.add_user("Anna", language_code="en", username="anna_k")

        self._section("1. A question the bot answers")
        await self._say(anna, "/start")
        await self._say(anna, "hi, where is my order? its been a week")
        await self._press(anna, "👍 Helped")

        self._section("2. A vague question: the bot asks what was meant")
        got = await self._say(anna, "delivery")
        options = [b for b in got[-1].button_texts if not b.startswith("🙋")]
        if options:
            await self._press(anna, options[0])

        self._section("3. The answer did not help: the bot offers a person")
        await self._say(anna, "i want to return the headphones i bought, they're too big")
        await self._press(anna, "👎 Didn't help")

        self._section("4. Hand-off: a ticket, a topic for the operators, the queue")
        await self._press(anna, "🙋 Talk to a person")
        group = self.stack.group
        await tg.wait_for_calls("createForumTopic", 1, timeout=WAIT_S)
        thread = group.topic_ids()[-1]
        self.out(f"{'':>10} │ (operator group: new topic “{group.topic_name(thread)}”)")
        card_and_transcript = await tg.wait_for_bot_messages(
            group.id, thread_id=thread, count=2, timeout=WAIT_S
        )
        self._bot(card_and_transcript, who="topic")

        self._section("5. The operator takes the ticket and answers")
        olga = self.stack.operator
        self._show(olga.name, "(presses “Take”)")
        await olga.press(card_and_transcript[0].button_texts[0], group=group, thread_id=thread)
        self._bot(await tg.wait_for_bot_messages(anna.chat_id, timeout=WAIT_S))
        self._show(olga.name, "Hi Anna! Which size do you need? We can exchange them.")
        await olga.send_in_topic(
            group, thread, "Hi Anna! Which size do you need? We can exchange them."
        )
        self._bot(await tg.wait_for_bot_messages(anna.chat_id, timeout=WAIT_S), who="→ Anna")
        self._show(anna.name, "A smaller one please. Here is the receipt")
        await anna.send("A smaller one please. Here is the receipt")
        await anna.send_photo(_PIXEL, caption="receipt")
        relayed = await tg.wait_for_bot_messages(
            group.id, thread_id=thread, count=2, timeout=WAIT_S
        )
        self._bot(relayed, who="→ topic")
        self._show(olga.name, "!internal: size S is in stock at the central warehouse")
        await olga.send_in_topic(
            group, thread, "!internal: size S is in stock at the central warehouse"
        )

        self._section("6. An answer template, sent with one tap")
        self._show(olga.name, "/t")
        await olga.send_in_topic(group, thread, "/t")
        listing = await tg.wait_for_bot_messages(group.id, thread_id=thread, timeout=WAIT_S)
        self._bot(listing, who="topic")
        template = listing[-1].button_texts[0]
        self._show(olga.name, f"(presses “{template}”)")
        await olga.press(template, group=group, thread_id=thread)
        self._bot(await tg.wait_for_bot_messages(anna.chat_id, timeout=WAIT_S), who="→ Anna")

        self._section("7. Closing and the satisfaction survey")
        self._show(olga.name, "/close")
        await olga.send_in_topic(group, thread, "/close")
        self._bot(await tg.wait_for_bot_messages(anna.chat_id, count=2, timeout=WAIT_S))
        await self._press(anna, "5")
        await self._press(anna, "Yes")
        await self._say(anna, "Olga was very quick, thank you!")
        self.out("")


# a 1×1 PNG, so the demo needs no files
_PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5d1b6e90000000049454e44ae426082"
)
