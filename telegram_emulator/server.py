"""The HTTP face of the emulator: ``/bot{token}/{method}``, ``/file/bot{token}/{path}``."""

from __future__ import annotations

import mimetypes

from aiohttp import web

from telegram_emulator.dispatch import Dispatcher
from telegram_emulator.engine import Engine
from telegram_emulator.errors import ApiError
from telegram_emulator.params import read_request

__all__ = ["build_app"]


def build_app(
    engine: Engine, dispatcher: Dispatcher, control: web.RouteTableDef
) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)

    async def api(request: web.Request) -> web.Response:
        if request.match_info["token"] != engine.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        try:
            params = await read_request(request)
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.code)
        status, body = await dispatcher.call(
            request.match_info["method"],
            params,
            client_gone=lambda: request.transport is None or request.transport.is_closing(),
        )
        return web.json_response(body, status=status)

    async def file(request: web.Request) -> web.Response:
        stored = engine.world.files_by_path.get(request.match_info["path"])
        if request.match_info["token"] != engine.token or stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        content_type = stored.mime_type or mimetypes.guess_type(stored.file_path)[0]
        return web.Response(
            body=stored.data, content_type=content_type or "application/octet-stream"
        )

    app.router.add_route("*", "/bot{token}/{method}", api)
    app.router.add_get("/file/bot{token}/{path:.+}", file)
    app.router.add_routes(control)
    return app
