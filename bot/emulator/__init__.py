"""A faithful local Telegram Bot API: the server, the world around the bot, and its controls.

Start it with ``async with TelegramEmulator(token=...) as tg`` and point aiogram or
python-telegram-bot at ``tg.url``; drive people with ``tg.add_user(...)`` and read what each
chat shows with ``tg.messages(...)``. See ``docs/emulator.md``.
"""

from __future__ import annotations

from bot.emulator.actors import Group, User
from bot.emulator.dispatch import method_names
from bot.emulator.emulator import TelegramEmulator
from bot.emulator.errors import ApiError, ControlError, EmulatorError, EmulatorTimeout
from bot.emulator.faults import Fault, Faults
from bot.emulator.limits import Limits
from bot.emulator.records import ApiCall, Button, CallbackAnswer, ChatMessage

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
