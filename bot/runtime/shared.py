"""What every runtime adapter shares and no Telegram library is needed for.

Nothing here imports a client library: the aiogram and python-telegram-bot adapters both use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.core.actions import Failed, Failure

__all__ = [
    "ALLOWED_UPDATES",
    "MEDIA_KINDS",
    "WEBHOOK_PATH",
    "classify_refusal",
    "periodic",
]

log = logging.getLogger(__name__)

# Message parts the core calls media, in the order they are looked for: a GIF arrives as both an
# animation and a document, and is a "document" in both runtimes.
MEDIA_KINDS = (
    "photo",
    "document",
    "voice",
    "video",
    "video_note",
    "sticker",
    "animation",
    "audio",
    "location",
    "contact",
)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
WEBHOOK_PATH = "/telegram/webhook"


def classify_refusal(description: str, *, forbidden: bool = False) -> Failed:
    """Telegram's refusal (a 403 when ``forbidden``, else a 400) as the core's :class:`Failed`."""
    text = description.lower()
    if forbidden:
        return Failed(Failure.BLOCKED, description)
    if "thread not found" in text or "topic_deleted" in text or "topic_closed" in text:
        return Failed(Failure.THREAD_NOT_FOUND, description)
    if "not modified" in text:
        return Failed(Failure.NOT_MODIFIED, description)
    if "too long" in text:
        return Failed(Failure.TOO_LONG, description)
    if "not found" in text or "can't be" in text:
        return Failed(Failure.NOT_FOUND, description)
    return Failed(Failure.OTHER, description)


@contextlib.asynccontextmanager
async def periodic(job: Callable[[], Awaitable[object]], every_s: float) -> AsyncIterator[None]:
    """Run ``job`` every ``every_s`` seconds while the block runs; errors are logged, not fatal."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await job()
            except Exception:
                log.exception("periodic job failed")

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
