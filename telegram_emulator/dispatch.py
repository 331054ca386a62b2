"""One Bot API call: find the method, apply faults, run it, record it, shape the answer."""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram_emulator import methods_bot, methods_media, methods_messages, methods_topics
from telegram_emulator.engine import Engine
from telegram_emulator.errors import ApiError
from telegram_emulator.params import Params
from telegram_emulator.records import ApiCall

__all__ = ["Dispatcher", "method_names"]

JsonDict = dict[str, Any]
Handler = Callable[[Engine, Params], Awaitable[Any]]

_log = logging.getLogger(__name__)


def _table() -> dict[str, tuple[str, Handler]]:
    table: dict[str, tuple[str, Handler]] = {}
    for module_methods in (
        methods_bot.METHODS,
        methods_messages.METHODS,
        methods_media.METHODS,
        methods_topics.METHODS,
    ):
        for name, handler in module_methods.items():
            table[name.lower()] = (name, handler)
    return table


def method_names() -> list[str]:
    """Every Bot API method the emulator implements."""
    return sorted(name for name, _ in _table().values())


class Dispatcher:
    """Runs calls against an engine. Method names are case-insensitive, as in Telegram."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._methods: Mapping[str, tuple[str, Handler]] = _table()
        self.internal_errors: list[BaseException] = []

    async def call(
        self,
        name: str,
        params: Params,
        *,
        via_webhook_reply: bool = False,
        client_gone: Callable[[], bool] = lambda: False,
    ) -> tuple[int, JsonDict]:
        """Run one call; ``client_gone`` tells, once it is answered, whether the bot is still
        there to read the answer (see :attr:`ApiCall.unread`)."""
        engine = self.engine
        entry = self._methods.get(name.lower())
        canonical = entry[0] if entry else name
        try:
            if entry is None:
                raise ApiError(404, "Not Found")
            fault = engine.faults.pick(canonical, params.raw("chat_id"))
            if fault is not None and fault.delay > 0:
                await asyncio.sleep(fault.delay)  # the injected slowness itself
            if held := engine.faults.hold(canonical):
                await asyncio.sleep(held)  # a send in flight: its effect comes after the hold
            error = fault.to_error() if fault is not None else None
            if error is not None:
                raise error
            result = await entry[1](engine, params)
        except ApiError as exc:
            self._record(canonical, params, via_webhook_reply, error=exc, unread=client_gone())
            return exc.code, exc.payload()
        except Exception as exc:  # a bug in the emulator must not take the server down
            _log.exception("emulator failed on %s", canonical)
            self.internal_errors.append(exc)
            failure = ApiError(500, f"Internal Server Error: emulator failed on {canonical}")
            self._record(canonical, params, via_webhook_reply, error=failure)
            return 500, failure.payload()
        body = {"ok": True, "result": result}
        self._record(canonical, params, via_webhook_reply, result=copy.deepcopy(result))
        return 200, body

    async def execute_reply(self, name: str, params: Params) -> None:
        """Run a method call the bot put in its answer to a webhook."""
        await self.call(name, params, via_webhook_reply=True)

    def _record(
        self,
        method: str,
        params: Params,
        via_webhook_reply: bool,
        *,
        result: Any = None,
        error: ApiError | None = None,
        unread: bool = False,
    ) -> None:
        self.engine.record(
            ApiCall(
                seq=len(self.engine.calls) + 1,
                method=method,
                params=params.decoded(),
                files=tuple(sorted(params.uploads)),
                ok=error is None,
                result=result,
                error_code=error.code if error else None,
                description=error.description if error else None,
                via_webhook_reply=via_webhook_reply,
                unread=unread,
            )
        )
