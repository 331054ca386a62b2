"""Running the core on python-telegram-bot: long polling, or a webhook server with the
secret-token check.

PTB's lower-level API (``initialize`` / ``start`` / ``updater.start_polling`` / ``stop``) is used
rather than ``Application.run_polling``, so the bot runs inside an existing event loop and stops
cleanly when its task is cancelled or ``stop`` is set: fetching ends, updates being handled
finish, buffered albums go out, then the HTTP clients close.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from datetime import timedelta
from typing import Any, TypeAlias

from aiohttp import web
from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    Update,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    ExtBot,
    JobQueue,
    TypeHandler,
)

from bot.core import MenuScope, ScopeKind, SupportCore, command_menus
from bot.runtime import ALLOWED_UPDATES, WEBHOOK_PATH, periodic
from bot.runtime.ptb.convert import to_event

__all__ = [
    "ALLOWED_UPDATES",
    "WEBHOOK_PATH",
    "PtbApplication",
    "attach_core",
    "make_application",
    "run_polling",
    "run_webhook",
    "set_commands",
]

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

_Context: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
PtbApplication: TypeAlias = Application[
    ExtBot[None], _Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[_Context]
]


def make_application(token: str, api_url: str, *, webhook: bool = False) -> PtbApplication:
    """An application aimed at ``api_url`` (Telegram, or the emulator) that handles updates
    concurrently: the core keeps each chat's events in order itself."""
    base = api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base + "/bot")
        .base_file_url(base + "/file/bot")
        .concurrent_updates(True)
    )
    if webhook:
        builder = builder.updater(None)  # our own aiohttp endpoint feeds update_queue
    return builder.build()


def attach_core(application: PtbApplication, core: SupportCore) -> None:
    """One handler for every update: convert it and hand the plain event to the core."""

    async def forward(update: Update, context: _Context) -> None:
        event = to_event(update)
        if event is not None:
            await core.handle(event)

    async def on_error(update: object, context: _Context) -> None:
        log.error("handling update %r failed", update, exc_info=context.error)

    application.add_handler(TypeHandler(Update, forward))
    application.add_error_handler(on_error)


def _scope(scope: MenuScope) -> BotCommandScope:
    match scope.kind:
        case ScopeKind.PRIVATE:
            return BotCommandScopeAllPrivateChats()
        case ScopeKind.CHAT:
            assert scope.chat_id is not None
            return BotCommandScopeChat(scope.chat_id)
    assert scope.chat_id is not None
    assert scope.user_id is not None
    return BotCommandScopeChatMember(scope.chat_id, scope.user_id)


async def set_commands(application: PtbApplication, core: SupportCore) -> None:
    """The "/" menus per place and language (:mod:`bot.core.menus`)."""
    for menu in command_menus(core.deps.config, core.deps.texts):
        await application.bot.set_my_commands(
            [BotCommand(name, text) for name, text in menu.commands],
            scope=_scope(menu.scope),
            language_code=menu.language,
        )


async def _wait(stop: asyncio.Event | None) -> None:
    await (stop or asyncio.Event()).wait()


async def _finish(application: PtbApplication, core: SupportCore) -> None:
    """Stop fetching, let the updates in hand finish, deliver buffered albums."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await core.wait_idle()
    await core.desk.drain()


async def run_polling(
    application: PtbApplication,
    core: SupportCore,
    *,
    polling_timeout: int = 30,
    stop: asyncio.Event | None = None,
) -> None:
    """Long-poll until ``stop`` is set or the task is cancelled; then stop cleanly."""
    if application.updater is None:
        raise ValueError("run_polling needs an application built with an updater")
    attach_core(application, core)
    async with application:  # initialize() … shutdown(): getMe, then the HTTP clients close
        await set_commands(application, core)
        await application.start()
        try:
            await application.updater.start_polling(
                timeout=timedelta(seconds=polling_timeout),
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            async with periodic(core.housekeeping, 60):
                await _wait(stop)
        finally:
            await _finish(application, core)


def _webhook_endpoint(application: PtbApplication, secret: str | None) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        if secret is not None and not hmac.compare_digest(
            request.headers.get(SECRET_HEADER, ""), secret
        ):
            return web.Response(status=401)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response()

    endpoint = web.Application()
    endpoint.router.add_post(WEBHOOK_PATH, receive)
    return endpoint


async def run_webhook(
    application: PtbApplication,
    core: SupportCore,
    *,
    url: str,
    listen: str,
    secret: str | None,
    stop: asyncio.Event | None = None,
) -> None:
    """Serve ``POST {WEBHOOK_PATH}`` on ``listen``; Telegram must reach ``url`` (HTTPS).
    Build the application with ``make_application(..., webhook=True)``."""
    attach_core(application, core)
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(_webhook_endpoint(application, secret))
    async with application:
        await application.start()
        await runner.setup()
        try:
            await web.TCPSite(runner, host or "127.0.0.1", int(port)).start()
            await application.bot.set_webhook(
                url.rstrip("/") + WEBHOOK_PATH,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            await set_commands(application, core)
            log.info("webhook listening on %s", listen)
            async with periodic(core.housekeeping, 60):
                await _wait(stop)
        finally:
            await runner.cleanup()
            await _finish(application, core)
