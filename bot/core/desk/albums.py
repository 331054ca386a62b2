"""Keeping an album one album: its parts arrive as separate events sharing ``media_group_id``.

The first part starts a short timer; parts arriving meanwhile join it; when the timer fires the
whole album is handed over at once. Anything else from the same chat first flushes the albums
pending there, so order is kept. Nothing is lost on shutdown if the runtime calls :meth:`drain`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.core.events import MessageReceived

__all__ = ["Albums"]

log = logging.getLogger(__name__)

Flush = Callable[[int, list[MessageReceived]], Awaitable[None]]  # (ticket id, parts)


@dataclass
class _Pending:
    ticket_id: int
    flush: Flush
    parts: list[MessageReceived] = field(default_factory=list)
    timer: asyncio.Task[None] | None = None


class Albums:
    def __init__(self, wait: float) -> None:
        self._wait = wait
        self._pending: dict[tuple[int, str], _Pending] = {}
        self._running: set[asyncio.Task[None]] = set()

    async def add(self, ticket_id: int, event: MessageReceived, flush: Flush) -> None:
        """Buffer one part of an album (``event.media_group_id`` must be set)."""
        if event.media_group_id is None:
            raise ValueError(
                f"message {event.message_id} in chat {event.chat_id} is not part of an album "
                "(no media_group_id): relay it on its own instead of through Albums.add"
            )
        key = (event.chat_id, event.media_group_id)
        pending = self._pending.get(key)
        if pending is None:
            pending = self._pending[key] = _Pending(ticket_id, flush)
            pending.timer = self._spawn(self._fire(key))
        pending.parts.append(event)

    async def flush_chat(self, chat_id: int, flush: Flush | None = None) -> None:
        """Hand over, now, every album still waiting in ``chat_id`` (each to the ``flush`` it
        was added with: in one process there is no album started elsewhere)."""
        for key in [key for key in self._pending if key[0] == chat_id]:
            pending = self._pending.pop(key)
            if pending.timer is not None:
                pending.timer.cancel()
            await self._hand_over(pending)

    async def drain(self) -> None:
        """Flush everything pending and wait for hand-overs already running."""
        for chat_id in {key[0] for key in self._pending}:
            await self.flush_chat(chat_id)
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _fire(self, key: tuple[int, str]) -> None:
        await asyncio.sleep(self._wait)
        pending = self._pending.pop(key, None)
        if pending is not None:
            await self._hand_over(pending)

    @staticmethod
    async def _hand_over(pending: _Pending) -> None:
        parts = sorted(pending.parts, key=lambda part: part.message_id)
        try:
            await pending.flush(pending.ticket_id, parts)
        except Exception:  # a background task: log, never lose the loop
            log.exception("relaying an album of ticket #%s failed", pending.ticket_id)

    def _spawn(self, coro: Awaitable[None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task
