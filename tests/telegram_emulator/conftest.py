"""Fixtures: a running emulator, and the real aiogram / python-telegram-bot clients aimed at it.

After every test, each successful answer the emulator gave and each update it queued is
validated against aiogram's own type models, so a missing required field fails the test.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator
from typing import Any

import aiogram.methods
import pytest
import telegram
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Update
from pydantic import TypeAdapter

from telegram_emulator import TelegramEmulator

TOKEN = "123456:TEST-TOKEN"


def _result_types() -> dict[str, Any]:
    types: dict[str, Any] = {}
    for _, cls in inspect.getmembers(aiogram.methods, inspect.isclass):
        name = getattr(cls, "__api_method__", None)
        returning = getattr(cls, "__returning__", None)
        if isinstance(name, str) and returning is not None:
            types[name.lower()] = returning
    return types


RESULT_TYPES = _result_types()


def validate_against_models(tg: TelegramEmulator) -> None:
    for call in tg.calls:
        if call.ok:
            returning = RESULT_TYPES[call.method.lower()]
            TypeAdapter(returning).validate_python(call.result)
    for update in tg.updates:
        Update.model_validate(update)
        telegram.Update.de_json(update, None)


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN) as emulator:
        yield emulator
        assert emulator.internal_errors == []
        validate_against_models(emulator)


@pytest.fixture
async def aiogram_bot(tg: TelegramEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.url))
    bot = Bot(TOKEN, session=session)
    yield bot
    await bot.session.close()


@pytest.fixture
async def ptb_bot(tg: TelegramEmulator) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(TOKEN, base_url=tg.url + "/bot", base_file_url=tg.url + "/file/bot")
    async with bot:
        yield bot
