"""``supportbot chat``: a customer in the terminal, on the same core, without Telegram."""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.config import Settings
from bot.core.actions import (
    Action,
    AnswerButton,
    CopyMessages,
    CreateTopic,
    Done,
    EditKeyboard,
    EditText,
    Result,
    SendText,
)
from bot.core.events import ButtonPressed, MessageReceived, Person

__all__ = ["TerminalOutbox", "chat_loop"]

_TAG = re.compile(r"<[^>]+>")


def _plain(html_text: str) -> str:
    return html.unescape(_TAG.sub("", html_text))


@dataclass
class TerminalOutbox:
    """Prints what the bot would send to the customer; numbers the buttons to press."""

    customer_chat: int
    buttons: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def __call__(self, action: Action) -> Result:
        if isinstance(action, SendText) and action.chat_id == self.customer_chat:
            print("\nbot> " + _plain(action.text).replace("\n", "\n     "))
            self.buttons.clear()
            number = 1
            for row in action.keyboard:
                for button in row:
                    if button.data:
                        self.buttons[str(number)] = button.data
                        print(f"     [{number}] {button.text}")
                        number += 1
                    elif button.url:
                        print(f"     [link] {button.text}: {button.url}")
            return Done(message_ids=(next(self._ids),))
        if isinstance(action, AnswerButton) and action.text:
            print(f"bot> ({action.text})")
        if isinstance(action, SendText | CopyMessages):
            return Done(message_ids=(next(self._ids),))
        if isinstance(action, CreateTopic):
            return Done(thread_id=next(self._ids))
        if isinstance(action, EditText | EditKeyboard):
            return Done(message_ids=(action.message_id,))
        return Done()


async def chat_loop(settings: Settings, lang: str | None) -> int:
    from bot.app import build_app

    chat_id = 1
    outbox = TerminalOutbox(customer_chat=chat_id)
    me = Person(telegram_id=chat_id, name="You", language_code=lang)
    async with build_app(settings, outbox) as app:
        print("Type a message; a number presses a button; /operator calls a person; Ctrl-D quits.")
        # update ids must not repeat across sessions: the core drops redelivered updates
        for update_id in itertools.count(int(time.time() * 1000)):
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                return 0
            text = line.strip()
            if not text:
                continue
            now = datetime.now(UTC)
            if text in outbox.buttons:
                await app.core.handle(
                    ButtonPressed(
                        update_id=update_id,
                        callback_id=str(update_id),
                        chat_id=chat_id,
                        private=True,
                        sender=me,
                        message_id=None,
                        data=outbox.buttons[text],
                        date=now,
                    )
                )
                continue
            await app.core.handle(
                MessageReceived(
                    update_id=update_id,
                    chat_id=chat_id,
                    private=True,
                    sender=me,
                    message_id=update_id,
                    date=now,
                    text=text,
                )
            )
    return 0
