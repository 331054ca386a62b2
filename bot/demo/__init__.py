"""The local stack (the emulator, the bot on aiogram, SQLite) and the scripted demo on it."""

from bot.demo.stack import LocalStack, local_settings

__all__ = ["LocalStack", "local_settings"]
