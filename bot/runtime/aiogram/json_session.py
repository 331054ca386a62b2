"""aiogram's HTTP session, with calls that carry no file sent as one JSON body.

aiogram sends every call as a form: an aiohttp ``FormData`` whose fields are URL-quoted one by
one, which costs more CPU than the rest of a small call's request (profiled on the relay path:
about a tenth of the bot's CPU per update goes to building and encoding the forms of
``copyMessage`` and ``getUpdates``). Here the same values (strings; nested objects as JSON text,
exactly as the form carries them) go as a JSON object, which the Bot API reads the same way.
A call with a file goes as aiogram sends it (multipart).
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods.base import TelegramMethod, TelegramType
from aiohttp import ClientError

__all__ = ["JsonSession"]

_JSON = {"Content-Type": "application/json"}


class JsonSession(AiohttpSession):
    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109  # aiogram's signature
    ) -> TelegramType:
        files: dict[str, Any] = {}
        body: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:  # as aiogram's form: an empty value is left out
                body[key] = prepared
        if files:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with session.post(
                url,
                data=self.json_dumps(body),
                headers=_JSON,
                timeout=self.timeout if timeout is None else timeout,  # type: ignore[arg-type]
            ) as response:
                raw = await response.text()
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except ClientError as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        checked = self.check_response(
            bot=bot, method=method, status_code=response.status, content=raw
        )
        return cast(TelegramType, checked.result)
