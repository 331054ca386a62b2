"""Webhook mode: POST each update to the bot's URL, in order, until it answers 2xx.

The bot may answer a webhook with a method call in the body (JSON or multipart form with a
``method`` field, as aiogram does); the emulator executes it like an ordinary call.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp

from telegram_emulator.engine import Engine, WebhookConfig
from telegram_emulator.params import Params, read_multipart

__all__ = ["run_webhook"]

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


async def run_webhook(engine: Engine, config: WebhookConfig, request_timeout: float = 10.0) -> None:
    """Deliver pending updates to ``config.url`` until cancelled or the queue closes."""
    headers = {SECRET_HEADER: config.secret_token} if config.secret_token else {}
    client_timeout = aiohttp.ClientTimeout(total=request_timeout)
    async with aiohttp.ClientSession(timeout=client_timeout) as session:
        while await engine.updates.wait_pending():
            update = engine.updates.pending[0]
            try:
                async with session.post(config.url, json=update, headers=headers) as response:
                    if 200 <= response.status < 300:
                        call = await _reply_call(response)
                        engine.updates.confirm(update["update_id"] + 1)
                        engine.changed()
                        if call is not None and engine.execute_reply is not None:
                            await engine.execute_reply(*call)
                        continue
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
            except (aiohttp.ClientError, TimeoutError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            config.last_error_date = engine.world.now()
            config.last_error_message = error
            engine.changed()
            await asyncio.sleep(engine.webhook_retry_delay)  # Telegram's back-off, shortened
