"""``supportbot run`` (the real Telegram) and ``supportbot chat`` (a customer in the terminal)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.commands import Context
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

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    run = commands.add_parser(
        "run",
        help="run the bot against Telegram (token from the environment; polling or webhook)",
    )
    run.add_argument("--log-level", default="INFO", help="logging level (default: INFO)")
    run.add_argument(
        "--runtime",
        choices=["aiogram", "ptb"],
        default="aiogram",
        help="Telegram client library: aiogram (default) or python-telegram-bot",
    )
    run.set_defaults(handler=_run)

    chat = commands.add_parser(
        "chat", help="chat with the bot as a customer in this terminal (no Telegram needed)"
    )
    chat.add_argument(
        "--lang", default=None, help="your language_code (one not configured gets the default)"
    )
    chat.set_defaults(handler=_chat)


def _run(args: argparse.Namespace, context: Context) -> int:
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    settings = context.settings
    token = settings.telegram.token().get_secret_value()
    if settings.telegram.mode == "webhook":
        settings.telegram.webhook_secret()  # fail before starting anything
    serve = _serve_ptb if args.runtime == "ptb" else _serve
    asyncio.run(serve(settings, token))
    return 0


async def _serve(settings: Settings, token: str) -> None:
    from bot.app import build_app
    from bot.runtime.aiogram.outbox import AiogramOutbox
    from bot.runtime.aiogram.runner import make_bot, run_polling, run_webhook

    bot = make_bot(token, settings.telegram.api_url)
    try:
        async with build_app(settings, AiogramOutbox(bot)) as app:
            if settings.telegram.mode == "webhook":
                secret = settings.telegram.webhook_secret()
                await run_webhook(
                    bot,
                    app.core,
                    url=settings.telegram.webhook_url,
                    listen=settings.telegram.webhook_listen,
                    secret=secret.get_secret_value(),
                )
            else:
                await run_polling(bot, app.core, handle_signals=True)
    finally:
        await bot.session.close()


async def _serve_ptb(settings: Settings, token: str) -> None:
    from bot.app import build_app
    from bot.runtime.ptb import PtbOutbox, make_application, run_polling, run_webhook

    webhook = settings.telegram.mode == "webhook"
    application = make_application(token, settings.telegram.api_url, webhook=webhook)
    async with build_app(settings, PtbOutbox(application.bot)) as app:
        if webhook:
            secret = settings.telegram.webhook_secret()
            await run_webhook(
                application,
                app.core,
                url=settings.telegram.webhook_url,
                listen=settings.telegram.webhook_listen,
                secret=secret.get_secret_value(),
            )
        else:
            await run_polling(application, app.core)


# ---------------------------------------------------------------------------- terminal chat
_TAG = re.compile(r"<[^>]+>")


def _plain(html_text: str) -> str:
    import html

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


def _chat(args: argparse.Namespace, context: Context) -> int:
    return asyncio.run(_chat_loop(context.settings, args.lang))


async def _chat_loop(settings: Settings, lang: str | None) -> int:
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
