"""The bot's update queue: one ``update_id`` counter, confirmation by offset, long polling."""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Callable
from typing import Any

from telegram_emulator.errors import ApiError

__all__ = ["UpdateQueue"]

JsonDict = dict[str, Any]

# Telegram leaves these out unless a bot asks for them by name.
_NOT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class _Poll:
    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.terminated = False


class UpdateQueue:
    """Pending updates and the long polls that wait for them."""

    def __init__(
        self, first_update_id: int = 1, on_change: Callable[[], None] = lambda: None
    ) -> None:
        self._on_change = on_change
        self._ids = itertools.count(first_update_id)
        self._pending: list[JsonDict] = []
        self._polls: set[_Poll] = set()
        self._listeners: set[asyncio.Event] = set()
        self._closed = False
        self.allowed_updates: frozenset[str] | None = None
        self.history: list[JsonDict] = []

    @property
    def held_polls(self) -> int:
        """How many ``getUpdates`` requests are being held open right now."""
        return len(self._polls)

    @property
    def pending(self) -> list[JsonDict]:
        return list(self._pending)

    def allows(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _NOT_BY_DEFAULT

    def push(self, kind: str, payload: JsonDict) -> JsonDict | None:
        """Queue an update; ``None`` when the bot's ``allowed_updates`` filter it out."""
        if not self.allows(kind):
            return None
        update = {"update_id": next(self._ids), kind: copy.deepcopy(payload)}
        self._pending.append(update)
        self.history.append(update)
        self._wake()
        return update

    def push_raw(self, fields: JsonDict) -> JsonDict:
        """Queue an update made of ``fields`` exactly as given (only ``update_id`` is added),
        whatever ``allowed_updates`` says: to see how a bot copes with one it cannot read."""
        if "update_id" in fields:
            raise ValueError("leave update_id out: the queue numbers the update itself")
        update = {"update_id": next(self._ids), **copy.deepcopy(fields)}
        self._pending.append(update)
        self.history.append(update)
        self._wake()
        return update

    def redeliver(self, update_id: int) -> JsonDict:
        """Queue an already delivered update again, same ``update_id`` (at-least-once delivery,
        as after a bot crashed before confirming it)."""
        for update in self.history:
            if update["update_id"] == update_id:
                again = copy.deepcopy(update)
                self._pending.append(again)
                self._wake()
                return again
        raise KeyError(f"no update {update_id} was ever queued")

    def remember_allowed(self, allowed: list[str] | None) -> None:
        if allowed is None:
            return
        self.allowed_updates = frozenset(allowed)
        self._pending = [u for u in self._pending if self.allows(_kind(u))]

    def confirm(self, offset: int) -> None:
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def confirm_update(self, update: JsonDict) -> None:
        """Confirm this one update (a webhook answered 2xx for it), whatever its neighbours."""
        self._pending = [u for u in self._pending if u is not update]

    def drop(self, update_id: int) -> None:
        """Take one pending update out of the queue (as if confirmed), leaving the others."""
        self._pending = [u for u in self._pending if u["update_id"] != update_id]

    def drop_all(self) -> None:
        self._pending.clear()

    def close(self) -> None:
        """Wake every held poll and listener: the server is stopping."""
        self._closed = True
        self._wake()

    def poke(self) -> None:
        """Wake the listeners of :meth:`wait_for` (something they wait on may have changed)."""
        self._wake()

    def _wake(self) -> None:
        for poll in self._polls:
            poll.wake.set()
        for event in self._listeners:
            event.set()

    async def get(self, *, offset: int | None, limit: int, hold: float) -> list[JsonDict]:
        """Answer ``getUpdates``: hold until an update arrives, the timeout passes or we stop."""
        if offset is not None:
            self.confirm(offset)
        for other in self._polls:
            other.terminated = True
            other.wake.set()
        limit = min(max(limit, 1), 100)
        if self._pending or hold <= 0 or self._closed:
            return self._pending[:limit]
        poll = _Poll()
        self._polls.add(poll)
        self._on_change()
        try:
            async with asyncio.timeout(hold):
                while not self._pending and not self._closed:
                    await poll.wake.wait()
                    poll.wake.clear()
                    if poll.terminated:
                        raise ApiError(409, _CONFLICT_POLL)
        except TimeoutError:
            pass
        finally:
            self._polls.discard(poll)
            self._on_change()
        return self._pending[:limit]

    async def wait_pending(self) -> bool:
        """Wait until an update is pending; ``False`` once the queue is closed."""
        return await self.wait_for(lambda: bool(self._pending))

    async def wait_for(self, ready: Callable[[], bool]) -> bool:
        """Wait until ``ready()``, checked whenever an update is queued or :meth:`poke` is
        called; ``False`` once the queue is closed."""
        event = asyncio.Event()
        self._listeners.add(event)
        try:
            while not ready() and not self._closed:
                await event.wait()
                event.clear()
        finally:
            self._listeners.discard(event)
        return not self._closed


def _kind(update: JsonDict) -> str:
    return next(key for key in update if key != "update_id")
