"""Webhook mode: POST updates to the bot's URL, chats in parallel, until each is answered 2xx.

As Telegram's Bot API server does (its ``WebhookActor``): up to ``max_connections`` requests
(``setWebhook``, default 40) are in flight at once, but a chat's updates go one at a time, in
order: the next update of a chat is posted only once the previous one was answered 2xx. An update
answered non-2xx, or whose connection failed or timed out, is posted again after a pause
(``engine.webhook_retry_delay``; Telegram's back-off grows to a minute) and holds up its own chat
only. The bot may answer with a method call in the body (JSON or multipart form with a ``method``
field, as aiogram does); the emulator executes it like an ordinary call.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from telegram_emulator.engine import Engine, WebhookConfig
from telegram_emulator.params import Params, read_multipart

__all__ = ["chat_of", "run_webhook"]

JsonDict = dict[str, Any]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def _reply_call(response: aiohttp.ClientResponse) -> tuple[str, Params] | None:
    content_type = response.content_type
    if content_type.startswith("multipart/"):
        params = await read_multipart(aiohttp.MultipartReader(response.headers, response.content))
    else:
        body = await response.read()
        if content_type != "application/json" or not body:
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        params = Params(data, {})
    method = params.values.pop("method", None)
    return (method, params) if isinstance(method, str) and method else None


def chat_of(update: JsonDict) -> int | None:
    """The chat whose updates go one at a time (``None``: the update has no chat, it goes alone)."""
    payload = next((value for key, value in update.items() if key != "update_id"), None)
    if not isinstance(payload, dict):
        return None
    message = payload.get("message") if "data" in payload or "chat_instance" in payload else None
    for holder in (payload, message):
        chat = holder.get("chat") if isinstance(holder, dict) else None
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
    sender = payload.get("from") or payload.get("user")
    if isinstance(sender, dict) and isinstance(sender.get("id"), int):
        return int(sender["id"])
    return None


class _Delivery:
    """The updates in flight, the chats they hold, and the connections they use."""

    def __init__(self, engine: Engine, config: WebhookConfig, session: aiohttp.ClientSession):
        self.engine = engine
        self.config = config
        self.session = session
        self.connections = asyncio.Semaphore(min(max(config.max_connections, 1), 100))
        self.headers = {SECRET_HEADER: config.secret_token} if config.secret_token else {}
        self.in_flight: set[int] = set()  # id() of the update objects being delivered
        self.busy_chats: set[int] = set()

    def next_ready(self) -> JsonDict | None:
        """The oldest pending update not in flight whose chat has nothing earlier pending."""
        held = set(self.busy_chats)
        for update in self.engine.updates.pending:
            chat = chat_of(update)
            if id(update) in self.in_flight or (chat is not None and chat in held):
                if chat is not None:
                    held.add(chat)  # a chat's later updates wait for its earlier ones
                continue
            return update
        return None

    def start(self, update: JsonDict) -> int | None:
        chat = chat_of(update)
        self.in_flight.add(id(update))
        if chat is not None:
            self.busy_chats.add(chat)
        return chat

    async def deliver(self, update: JsonDict, chat: int | None) -> None:
        """Post ``update`` until it is answered 2xx, pausing between tries; then free its chat."""
        try:
            while True:
                if await self._post(update):
                    return
                await asyncio.sleep(self.engine.webhook_retry_delay)  # Telegram's back-off
        finally:
            self.in_flight.discard(id(update))
            if chat is not None:
                self.busy_chats.discard(chat)
            self.engine.updates.poke()

    async def _post(self, update: JsonDict) -> bool:
        engine, config = self.engine, self.config
        async with self.connections:
            try:
                async with self.session.post(
                    config.url, json=update, headers=self.headers
                ) as response:
                    if 200 <= response.status < 300:
                        call = await _reply_call(response)
                        engine.updates.confirm_update(update)
                        engine.changed()
                        if call is not None and engine.execute_reply is not None:
                            await engine.execute_reply(*call)
                        return True
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
        config.last_error_date = engine.world.now()
        config.last_error_message = error
        engine.changed()
        return False


async def run_webhook(engine: Engine, config: WebhookConfig, request_timeout: float = 10.0) -> None:
    """Deliver pending updates to ``config.url`` until cancelled or the queue closes."""
    client_timeout = aiohttp.ClientTimeout(total=request_timeout)
    limit = aiohttp.TCPConnector(limit=min(max(config.max_connections, 1), 100))
    async with (
        aiohttp.ClientSession(timeout=client_timeout, connector=limit) as session,
        asyncio.TaskGroup() as deliveries,
    ):
        delivery = _Delivery(engine, config, session)
        while await engine.updates.wait_for(lambda: delivery.next_ready() is not None):
            update = delivery.next_ready()
            assert update is not None
            chat = delivery.start(update)
            deliveries.create_task(delivery.deliver(update, chat), name="emulator-webhook-post")
