"""Running the core on aiogram: long polling, or a webhook server with the secret-token check.

aiogram's own polling loop confirms an update as soon as it is fetched; here the updates are
fetched as raw JSON (one update aiogram cannot read must not fail the whole batch) and handed to
the shared :class:`PollingLoop`, which confirms an update only once it was handled or parked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator, Sequence
from typing import Any

from aiogram import Bot, methods
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response, TelegramMethod
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatMember,
    BotCommandScopeUnion,
    Update,
)
from aiohttp import web

from bot.core import Event, MenuScope, ScopeKind, SupportCore, command_menus
from bot.runtime import (
    ALLOWED_UPDATES,
    WEBHOOK_PATH,
    JsonDict,
    Parse,
    PollingLoop,
    RetryPolicy,
    UpdateHandling,
    periodic,
    webhook_app,
)
from bot.runtime.aiogram.convert import to_event
from bot.runtime.aiogram.outbox import AiogramOutbox

__all__ = ["ALLOWED_UPDATES", "make_bot", "make_handling", "run_polling", "run_webhook"]

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


class RawUpdates(TelegramMethod[list[dict[str, Any]]]):
    """``getUpdates`` answered as plain JSON: each update is read on its own, so one aiogram
    cannot read is parked instead of failing the batch (and being fetched again for ever)."""

    __returning__ = list[dict[str, Any]]
    __api_method__ = "getUpdates"

    offset: int | None = None
    limit: int | None = None
    timeout: int | None = None
    allowed_updates: list[str] | None = None


_RAW_MODEL = Response[list[dict[str, Any]]]  # kept warm, as above


def make_handling(bot: Bot, core: SupportCore, retry: RetryPolicy | None = None) -> UpdateHandling:
    """Raw update → aiogram's Update → the core's event, with retries and dead letters."""

    def parse(raw: JsonDict) -> Event | None:
        return to_event(Update.model_validate(raw, context={"bot": bot}))

    reader: Parse = parse
    return UpdateHandling(core, reader, retry=retry)


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
    stop: asyncio.Event | None = None,
    handle_signals: bool = False,
    retry: RetryPolicy | None = None,
) -> None:
    """Long-poll until ``stop`` is set (or SIGINT/SIGTERM with ``handle_signals``): then the
    updates in hand are finished and confirmed and buffered albums delivered. Cancelled (a kill),
    it leaves what was in hand unconfirmed, so Telegram sends it again."""
    stop = stop or asyncio.Event()
    handling = make_handling(bot, core, retry)

    async def fetch(offset: int | None, hold_s: int, limit: int) -> Sequence[JsonDict]:
        call = RawUpdates(
            offset=offset, limit=limit, timeout=hold_s, allowed_updates=ALLOWED_UPDATES
        )
        return await bot(call, request_timeout=int(bot.session.timeout + hold_s))

    await bot.delete_webhook(drop_pending_updates=False)
    await set_commands(bot, core)
    loop = PollingLoop(fetch, handling, timeout=polling_timeout)
    with _signals(stop, enabled=handle_signals):
        async with periodic(core.housekeeping, 60), periodic(handling.retry_parked, 5):
            await loop.run(stop)
    await _finish(core)


async def run_webhook(
    bot: Bot,
    core: SupportCore,
    *,
    url: str,
    listen: str,
    secret: str | None,
    retry: RetryPolicy | None = None,
) -> None:
    """Serve ``POST {WEBHOOK_PATH}`` on ``listen``; Telegram must reach ``url`` (HTTPS). Each
    update is answered once handled (200), or with an error so Telegram sends it again."""
    handling = make_handling(bot, core, retry)
    host, _, port = listen.rpartition(":")
    runner = web.AppRunner(webhook_app(handling, secret))
    await runner.setup()
    site = web.TCPSite(runner, host or "127.0.0.1", int(port))
    await site.start()
    await bot.set_webhook(
        url.rstrip("/") + WEBHOOK_PATH, secret_token=secret, allowed_updates=ALLOWED_UPDATES
    )
    await set_commands(bot, core)
    log.info("webhook listening on %s", listen)
    try:
        async with periodic(core.housekeeping, 60), periodic(handling.retry_parked, 5):
            await asyncio.Event().wait()
    finally:
        await runner.cleanup()  # stops taking requests, lets the ones in hand finish
        await _finish(core)


@contextlib.contextmanager
def _signals(stop: asyncio.Event, *, enabled: bool) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (a clean stop) while the block runs."""
    if not enabled:
        yield
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _finish(core: SupportCore) -> None:
    """Let the updates being handled finish and deliver buffered albums (a clean stop)."""
    await asyncio.wait_for(core.wait_idle(), timeout=30)
    await core.desk.drain()
