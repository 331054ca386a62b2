"""Runtime adapters: the only code that imports a Telegram client library (aiogram or
python-telegram-bot). They translate updates into core events and core actions into API calls."""

from bot.runtime.polling import Fetch, PollingLoop
from bot.runtime.queued_outbox import Backoff, QueuedOutbox, Verdict, WaitAndRetry
from bot.runtime.shared import (
    ALLOWED_UPDATES,
    MEDIA_KINDS,
    WEBHOOK_PATH,
    classify_refusal,
    periodic,
)
from bot.runtime.update_handling import Incoming, JsonDict, Parse, RetryPolicy, UpdateHandling
from bot.runtime.webhook import SECRET_HEADER, webhook_app

__all__ = [
    "ALLOWED_UPDATES",
    "MEDIA_KINDS",
    "SECRET_HEADER",
    "WEBHOOK_PATH",
    "Backoff",
    "Fetch",
    "Incoming",
    "JsonDict",
    "Parse",
    "PollingLoop",
    "QueuedOutbox",
    "RetryPolicy",
    "UpdateHandling",
    "Verdict",
    "WaitAndRetry",
    "classify_refusal",
    "periodic",
    "webhook_app",
]
