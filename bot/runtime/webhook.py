"""The webhook endpoint both runtimes serve: Telegram gets its 200 only once the update is handled.

A failed handling answers 500, so Telegram delivers the update again; after
``RetryPolicy.tries`` failed deliveries the update is parked and answered 200, so it does not
hold up the others. A request without the right secret header is refused with 401.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from bot.runtime.shared import WEBHOOK_PATH
from bot.runtime.update_handling import UpdateHandling

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["SECRET_HEADER", "webhook_app"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(handling: UpdateHandling, secret: str | None) -> web.Application:
    """An aiohttp application serving ``POST {WEBHOOK_PATH}``."""
    # imported here: aiohttp's server side (~0.1 s of CPU, 1.5 MB) is for webhook mode only,
    # a polling bot never loads it
    from aiohttp import web

    async def receive(request: web.Request) -> web.Response:
        if secret is not None and not hmac.compare_digest(
            request.headers.get(SECRET_HEADER, ""), secret
        ):
            return web.Response(status=401)
        try:
            raw = await request.json()
        except ValueError:
            return web.Response(status=400, text="the body is not JSON")
        if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
            return web.Response(status=400, text="the body is not an update")
        if await handling.attempt(handling.read(raw)):
            return web.Response()
        return web.Response(status=500, text="handling failed; send it again")

    app = web.Application()
    app.router.add_post(WEBHOOK_PATH, receive)
    return app
