"""``supportbot run`` (the real Telegram) and ``supportbot chat`` (a customer in the terminal)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from bot.commands import Context

if TYPE_CHECKING:
    from bot.config import Settings

__all__ = ["collector_paused", "register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    run = commands.add_parser(
        "run",
        help="run the bot against Telegram (token from the environment; polling or webhook)",
    )
    run.add_argument("--log-level", default="INFO", help="logging level (default: INFO)")
    run.add_argument(
        "--listen",
        default=None,
        metavar="HOST:PORT",
        help="webhook mode: listen here instead of [telegram] webhook_listen (one per replica)",
    )
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
    if args.listen:
        telegram = settings.telegram.model_copy(update={"webhook_listen": args.listen})
        settings = settings.model_copy(update={"telegram": telegram})
    token = settings.telegram.token().get_secret_value()
    if settings.telegram.mode == "webhook":
        settings.telegram.webhook_secret()  # fail before starting anything
    serve = _serve_ptb if args.runtime == "ptb" else _serve
    asyncio.run(serve(settings, token))
    return 0


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The bot's imports without the cyclic garbage collector; what they created is then frozen.

    Importing aiogram, SQLAlchemy and the core creates many long-lived objects (a few hundred
    thousand while aiogram built its 630 pydantic models at import; its types are built when first
    used since, bot/runtime/aiogram/lazy_models.py), and the collector would scan the growing heap
    again and again while they appear: then about 0.5 s of CPU of a 3.4 s start.
    They live as long as the process, so afterwards they go to the permanent generation
    (``gc.freeze``): no later collection scans them, neither the one after the matcher is loaded
    nor those while the bot answers. The collector is switched back on only if it was on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


async def _serve(settings: Settings, token: str) -> None:
    with collector_paused():
        from bot.app import build_app
        from bot.runtime.aiogram import AiogramOutbox, make_bot, run_polling, run_webhook

    bot = make_bot(token, settings.telegram.api_url)
    try:
        async with build_app(settings, AiogramOutbox(bot)) as app:
            await app.core.resume()  # what a crash left pending goes out before new updates
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
    with collector_paused():
        from bot.app import build_app
        from bot.runtime.ptb import PtbOutbox, make_application, run_polling, run_webhook

    webhook = settings.telegram.mode == "webhook"
    application = make_application(token, settings.telegram.api_url)
    async with build_app(settings, PtbOutbox(application.bot)) as app:
        await application.bot.initialize()  # idempotent: the runner initializes it again
        await app.core.resume()  # what a crash left pending goes out before new updates
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
            await run_polling(application, app.core, stop=_stop_on_signals())


def _stop_on_signals() -> asyncio.Event:
    """An event SIGINT and SIGTERM set: the bot then stops cleanly (what it handles is finished
    and confirmed to Telegram)."""
    import signal

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _chat(args: argparse.Namespace, context: Context) -> int:
    from bot.commands.terminal import chat_loop  # the core: imported here, --help stays fast

    return asyncio.run(chat_loop(context.settings, args.lang))
