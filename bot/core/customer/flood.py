"""A customer who floods the bot is throttled: past the limit the bot stops answering (the
messages are still stored and still reach an operator), and says so once."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

__all__ = ["FloodGate"]

_WINDOW = timedelta(minutes=1)
_SWEEP_EVERY = 512  # messages between sweeps of the chats that went quiet


class FloodGate:
    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._recent: dict[int, deque[datetime]] = {}
        self._warned: set[int] = set()
        self._seen = 0

    async def admit(self, chat_id: int, now: datetime) -> bool:
        """Count a message; False once the chat is over the limit for the last minute."""
        self._seen += 1
        if self._seen % _SWEEP_EVERY == 0:
            self._forget_quiet(now)
        window = self._recent.setdefault(chat_id, deque())
        while window and now - window[0] > _WINDOW:
            window.popleft()
        window.append(now)
        if len(window) <= self._per_minute:
            self._warned.discard(chat_id)
            return True
        return False

    async def warn_once(self, chat_id: int) -> bool:
        """True the first time a flood needs a notice; False while the same flood goes on."""
        if chat_id in self._warned:
            return False
        self._warned.add(chat_id)
        return True

    def _forget_quiet(self, now: datetime) -> None:
        for chat_id in list(self._recent):
            window = self._recent[chat_id]
            while window and now - window[0] > _WINDOW:
                window.popleft()
            if not window:
                del self._recent[chat_id]
                self._warned.discard(chat_id)
