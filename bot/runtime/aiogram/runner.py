"""Running the core on aiogram: long polling, or a webhook server with the secret-token check."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher, methods
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    BotCommandScopeUnion,
)
from aiogram.webhook.aiohttp_server import setup_application
from aiohttp import web

from bot.core import MenuScope, ScopeKind, SupportCore, command_menus
from bot.runtime import ALLOWED_UPDATES, WEBHOOK_PATH, periodic
from bot.runtime.aiogram.outbox import AiogramOutbox
from bot.runtime.aiogram.routers import build_routers
from bot.runtime.aiogram.webhook_order import ArrivalOrderedHandler

__all__ = ["ALLOWED_UPDATES", "make_bot", "make_dispatcher", "run_polling", "run_webhook"]

log = logging.getLogger(__name__)


# aiogram validates every answer with ``Response[method.__returning__]``; pydantic keeps such
# parametrised models only weakly, so under load they are garbage-collected and rebuilt (a few ms
# each, measured at ~18 % of the bot's CPU). Holding them here keeps pydantic's cache warm.
_RESPONSE_MODELS = tuple(
    Response[method.__returning__]  # type: ignore[name-defined]
    for method in (
        methods.GetUpdates,
        methods.SendMessage,
        methods.EditMessageText,
        methods.EditMessageReplyMarkup,
        methods.DeleteMessage,
        methods.AnswerCallbackQuery,
        methods.CopyMessage,
        methods.CopyMessages,
        methods.CreateForumTopic,
        methods.CloseForumTopic,
        methods.SetMyCommands,
        methods.SetWebhook,
        methods.DeleteWebhook,
        methods.GetMe,
    )
)


def make_bot(token: str, api_url: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=None))


def make_outbox(bot: Bot) -> AiogramOutbox:
    return AiogramOutbox(bot)


def make_dispatcher(core: SupportCore) -> Dispatcher:
    config = core.deps.config
    dispatcher = Dispatcher()
    chats = [config.operator_group_id, *config.line_groups.values()]
    dispatcher.include_routers(*build_routers(core, chats))
    return dispatcher


def _scope(scope: MenuScope) -> BotCommandScopeUnion:
    match scope.kind:
        case ScopeKind.PRIVATE:
            return BotCommandScopeAllPrivateChats()
        case ScopeKind.CHAT:
            assert scope.chat_id is not None
            return BotCommandScopeChat(chat_id=scope.chat_id)
    assert scope.chat_id is not None
    assert scope.user_id is not None
    return BotCommandScopeChatMember(chat_id=scope.chat_id, user_id=scope.user_id)


async def set_commands(bot: Bot, core: SupportCore) -> None:
    """The "/" menus per place and language (:mod:`bot.core.menus`)."""
    for menu in command_menus(core.deps.config, core.deps.texts):
        await bot.set_my_commands(
            [BotCommand(command=name, description=text) for name, text in menu.commands],
            scope=_scope(menu.scope),
            language_code=menu.language,
        )


async def run_polling(
    bot: Bot,
    core: SupportCore,
    *,
    polling_timeout: int = 30,
    dispatcher: Dispatcher | None = None,
    handle_signals: bool = False,
) -> None:
    """Long-poll until stopped: by SIGINT/SIGTERM when ``handle_signals``, else by
    ``dispatcher.stop_polling()`` (cancelling the task alone leaves aiogram's inner polling task
    running). Updates being handled are finished and buffered albums delivered before it returns.
    """
    dispatcher = dispatcher or make_dispatcher(core)
    await bot.delete_webhook(drop_pending_updates=False)
    await set_commands(bot, core)
    try:
        async with periodic(core.housekeeping, 60):
            await dispatcher.start_polling(
                bot,
                handle_as_tasks=True,
                allowed_updates=ALLOWED_UPDATES,
                polling_timeout=polling_timeout,
                handle_signals=handle_signals,
                close_bot_session=False,
            )
    finally:
        await _finish(core)


async def run_webhook(
    bot: Bot, core: SupportCore, *, url: str, listen: str, secret: str | None
) -> None:
    """Serve ``POST {WEBHOOK_PATH}`` on ``listen``; Telegram must reach ``url`` (HTTPS)."""
    dispatcher = make_dispatcher(core)
    app = web.Application()
    ArrivalOrderedHandler(core, dispatcher=dispatcher, bot=bot, secret_token=secret).register(
        app, path=WEBHOOK_PATH
    )
    setup_application(app, dispatcher, bot=bot)
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, host or "127.0.0.1", int(port))
    await site.start()
    await bot.set_webhook(
        url.rstrip("/") + WEBHOOK_PATH, secret_token=secret, allowed_updates=ALLOWED_UPDATES
    )
    await set_commands(bot, core)
    log.info("webhook listening on %s", listen)
    try:
        async with periodic(core.housekeeping, 60):
            await asyncio.Event().wait()
    finally:
        await runner.cleanup()  # stops taking requests first
        await _finish(core)


async def _finish(core: SupportCore) -> None:
    """Let the updates being handled finish and deliver buffered albums (a clean stop)."""
    await asyncio.wait_for(core.wait_idle(), timeout=30)
    await core.desk.drain()
