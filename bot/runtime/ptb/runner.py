"""Running the core on python-telegram-bot: long polling, or a webhook server with the
secret-token check.

PTB's ``Updater`` confirms an update as soon as it is fetched and reads a whole batch at once;
here the updates are fetched as raw JSON (``Bot.do_api_request``), each read on its own, and
handed to the shared :class:`PollingLoop`, which confirms an update only once it was handled or
parked. The application is used for its bot and its life cycle (``initialize`` … ``shutdown``):
it runs inside an existing event loop and stops cleanly when ``stop`` is set.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, TypeAlias

import aiohttp
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
)

from bot.core import Event, MenuScope, ScopeKind, SupportCore, command_menus
from bot.runtime import (
    ALLOWED_UPDATES,
    WEBHOOK_PATH,
    Fetch,
    JsonDict,
    PollingLoop,
    RetryPolicy,
    UpdateHandling,
    periodic,
    webhook_app,
)
from bot.runtime.ptb.convert import to_event

__all__ = [
    "ALLOWED_UPDATES",
    "WEBHOOK_PATH",
    "PtbApplication",
    "make_application",
    "make_handling",
    "run_polling",
    "run_webhook",
    "set_commands",
]

log = logging.getLogger(__name__)

_Context: TypeAlias = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]
PtbApplication: TypeAlias = Application[
    ExtBot[None], _Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], JobQueue[_Context]
]


def make_application(token: str, api_url: str) -> PtbApplication:
    """An application aimed at ``api_url`` (Telegram, or the emulator). Updates are fetched and
    handed to the core by :func:`run_polling` or :func:`run_webhook`, not by PTB's updater."""
    base = api_url.rstrip("/")
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base + "/bot")
        .base_file_url(base + "/file/bot")
        .updater(None)
    )
    return builder.build()


def make_handling(
    application: PtbApplication, core: SupportCore, retry: RetryPolicy | None = None
) -> UpdateHandling:
    """Raw update → PTB's Update → the core's event, with retries and dead letters."""
    bot = application.bot

    def parse(raw: JsonDict) -> Event | None:
        update = Update.de_json(raw, bot)
        return None if update is None else to_event(update)

    return UpdateHandling(core, parse, retry=retry)


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


async def run_polling(
    application: PtbApplication,
    core: SupportCore,
    *,
    polling_timeout: int = 30,
    stop: asyncio.Event | None = None,
    retry: RetryPolicy | None = None,
) -> None:
    """Long-poll until ``stop`` is set: then the updates in hand are finished and confirmed and
    buffered albums delivered. Cancelled (a kill), it leaves what was in hand unconfirmed, so
    Telegram sends it again."""
    stop = stop or asyncio.Event()
    handling = make_handling(application, core, retry)
    bot = application.bot

    async with application, aiohttp.ClientSession() as http:  # getMe … the clients close
        fetch = _raw_updates(http, bot.base_url)
        await bot.delete_webhook(drop_pending_updates=False)
        await set_commands(application, core)
        loop = PollingLoop(fetch, handling, timeout=polling_timeout)
        async with periodic(core.housekeeping, 60), periodic(handling.retry_parked, 5):
            await loop.run(stop)
        await _finish(core)


def _raw_updates(http: aiohttp.ClientSession, base_url: str) -> Fetch:
    """``getUpdates`` as plain JSON over aiohttp: ``Bot.get_updates`` reads the whole batch at
    once, so one update PTB cannot read would fail it (and come back for ever)."""

    async def fetch(offset: int | None, hold_s: int, limit: int) -> Sequence[JsonDict]:
        body: JsonDict = {"timeout": hold_s, "limit": limit, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            body["offset"] = offset
        timeout = aiohttp.ClientTimeout(total=hold_s + 10)
        async with http.post(f"{base_url}/getUpdates", json=body, timeout=timeout) as response:
            answer = await response.json(content_type=None)
        if not isinstance(answer, dict) or not answer.get("ok"):
            description = answer.get("description") if isinstance(answer, dict) else answer
            raise RuntimeError(f"getUpdates refused ({response.status}): {description}")
        found = answer.get("result")
        return [raw for raw in found if isinstance(raw, dict)] if isinstance(found, list) else []

    return fetch


async def run_webhook(
    application: PtbApplication,
    core: SupportCore,
    *,
    url: str,
    listen: str,
    secret: str | None,
    stop: asyncio.Event | None = None,
    retry: RetryPolicy | None = None,
) -> None:
    """Serve ``POST {WEBHOOK_PATH}`` on ``listen``; Telegram must reach ``url`` (HTTPS). Each
    update is answered once handled (200), or with an error so Telegram sends it again."""
    from aiohttp import web  # the server side: webhook mode only (see bot.runtime.webhook)

    handling = make_handling(application, core, retry)
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(webhook_app(handling, secret))
    async with application:
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
            async with periodic(core.housekeeping, 60), periodic(handling.retry_parked, 5):
                await (stop or asyncio.Event()).wait()
        finally:
            await runner.cleanup()  # stops taking requests, lets the ones in hand finish
            await _finish(core)


async def _finish(core: SupportCore) -> None:
    """Let the updates in hand finish, deliver buffered albums."""
    await asyncio.wait_for(core.wait_idle(), timeout=30)
    await core.desk.drain()
