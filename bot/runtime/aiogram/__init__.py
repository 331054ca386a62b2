"""The core on aiogram 3: updates → plain events, plain actions → Bot API calls.

The only package besides ``bot.runtime.ptb`` that imports a Telegram client library.
"""

from __future__ import annotations

from bot.runtime.aiogram.lazy_models import import_aiogram

import_aiogram()  # before anything below imports aiogram: its types are built when first used

from bot.runtime.aiogram.convert import to_event  # noqa: E402
from bot.runtime.aiogram.outbox import AiogramOutbox  # noqa: E402
from bot.runtime.aiogram.probe import ProbeFailed, WebhookStatus, webhook_status  # noqa: E402
from bot.runtime.aiogram.runner import (  # noqa: E402
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
