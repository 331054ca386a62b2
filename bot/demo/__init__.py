"""The local stack (the emulator, the bot on aiogram, SQLite) and the scripted demo on it."""

from bot.demo.history import HistoryPlan, fill_history
from bot.demo.script import DemoScript
from bot.demo.stack import LocalStack, local_settings

__all__ = [
    "DemoScript",
    "HistoryPlan",
    "LocalStack",
    "fill_history",
    "local_settings",
]
