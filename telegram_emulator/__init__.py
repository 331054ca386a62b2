"""A faithful local Telegram Bot API: the server, the world around the bot, and its controls.

Start it with ``async with TelegramEmulator(token=...) as tg`` and point aiogram or
python-telegram-bot at ``tg.url``; drive people with ``tg.add_user(...)`` and read what each
chat shows with ``tg.messages(...)``. See ``docs/emulator.md``.
"""

from __future__ import annotations

from telegram_emulator.actors import Group, User
from telegram_emulator.dispatch import method_names
from telegram_emulator.emulator import TelegramEmulator
from telegram_emulator.errors import ApiError, ControlError, EmulatorError, EmulatorTimeout
from telegram_emulator.faults import Fault, Faults
from telegram_emulator.limits import Limits
from telegram_emulator.records import ApiCall, Button, CallbackAnswer, ChatMessage

__all__ = [
    "ApiCall",
    "ApiError",
    "Button",
    "CallbackAnswer",
    "ChatMessage",
    "ControlError",
    "EmulatorError",
    "EmulatorTimeout",
    "Fault",
    "Faults",
    "Group",
    "Limits",
    "TelegramEmulator",
    "User",
    "method_names",
]
