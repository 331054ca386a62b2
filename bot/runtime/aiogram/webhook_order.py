"""The webhook handler that takes each update's place in its chat's line before answering.

aiogram's :class:`SimpleRequestHandler` answers Telegram at once and handles the update in a
background task. With several replicas the chat's next update may reach another replica before
that task started; so the place in line (:meth:`SupportCore.arrive`) is taken first, then the
answer goes back. One process gains nothing from it and skips it (``arrive`` does nothing).
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.core import Event, SupportCore
from bot.runtime.aiogram.convert import to_event

__all__ = ["ArrivalOrderedHandler"]


class ArrivalOrderedHandler(SimpleRequestHandler):
    def __init__(self, core: SupportCore, dispatcher: Dispatcher, bot: Bot, **kwargs: Any) -> None:
        super().__init__(dispatcher=dispatcher, bot=bot, **kwargs)
        self._core = core

    async def _handle_request_background(self, bot: Bot, request: web.Request) -> web.Response:
        data = await request.json(loads=bot.session.json_loads)
        event = to_event(Update.model_validate(data, context={"bot": bot}))
        if event is not None:
            await self._core.arrive(event)
        task = asyncio.create_task(self._feed(bot, data, event))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({}, dumps=bot.session.json_dumps)

    async def _feed(self, bot: Bot, data: dict[str, Any], event: Event | None) -> None:
        try:
            await self._background_feed_update(bot=bot, update=data)
        finally:
            if event is not None:
                await self._core.forget(event)
