"""Runtime adapters: the only code that imports a Telegram client library (aiogram or
python-telegram-bot). They translate updates into core events and core actions into API calls."""

from bot.runtime.queued_outbox import Backoff, QueuedOutbox, Verdict, WaitAndRetry
from bot.runtime.shared import (
    ALLOWED_UPDATES,
    MEDIA_KINDS,
    WEBHOOK_PATH,
    classify_refusal,
    periodic,
)

__all__ = [
    "ALLOWED_UPDATES",
    "MEDIA_KINDS",
    "WEBHOOK_PATH",
    "Backoff",
    "QueuedOutbox",
    "Verdict",
    "WaitAndRetry",
    "classify_refusal",
    "periodic",
]
