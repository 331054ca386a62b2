"""The core on aiogram 3: updates → plain events, plain actions → Bot API calls.

The only package besides ``bot.runtime.ptb`` that imports a Telegram client library.
"""

from __future__ import annotations

from bot.runtime.aiogram.convert import to_event
from bot.runtime.aiogram.outbox import AiogramOutbox
from bot.runtime.aiogram.probe import ProbeFailed, WebhookStatus, webhook_status
from bot.runtime.aiogram.runner import (
    make_bot,
    make_handling,
    make_outbox,
    run_polling,
    run_webhook,
)

__all__ = [
    "AiogramOutbox",
    "ProbeFailed",
    "WebhookStatus",
    "make_bot",
    "make_handling",
    "make_outbox",
    "run_polling",
    "run_webhook",
    "to_event",
    "webhook_status",
]
