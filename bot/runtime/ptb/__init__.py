"""The core on python-telegram-bot: updates → plain events, plain actions → Bot API calls.

The only package besides ``bot.runtime.aiogram`` that imports a Telegram client library.
"""

from __future__ import annotations

from bot.runtime.ptb.convert import to_event
from bot.runtime.ptb.outbox import PtbOutbox
from bot.runtime.ptb.runner import make_application, make_handling, run_polling, run_webhook

__all__ = [
    "PtbOutbox",
    "make_application",
    "make_handling",
    "run_polling",
    "run_webhook",
    "to_event",
]
