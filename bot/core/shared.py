"""The state one bot process keeps for itself, behind ports, so several replicas can share it.

One process needs nothing more than today's in-memory classes (``Deps.shared`` is None: each
service keeps its :class:`~bot.core.locks.KeyedLocks`, ``FloodGate``, ``Albums``). Several
replicas behind a load balancer get a :class:`SharedState` whose implementations share the state
(``bot.replicas``, on Redis); the composition root (``bot.app``) chooses once, at start-up:

- :class:`KeyedOrder`: events with the same key run one at a time, *in arrival order* (a chat's
  messages; a ticket's relays). A plain lock is not enough across processes: its waiters are
  not served in the order they came.
- :class:`FloodCounter`: a customer's messages in the last minute, counted over all replicas.
- :class:`AlbumBuffer`: the parts of an album, collected wherever they arrive, relayed whole.
- :class:`ContentSignal`: after a ``/reload`` every replica swaps in the new content.
- :class:`Leadership`: the minute housekeeping (SLA reminders) runs on one replica only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.core.events import MessageReceived

__all__ = [
    "AlbumBuffer",
    "ContentSignal",
    "FloodCounter",
    "Flush",
    "KeyedOrder",
    "Leadership",
    "SharedState",
]


Flush = Callable[[int, list[MessageReceived]], Awaitable[None]]  # (ticket id, parts)


class KeyedOrder(Protocol):
    def hold(self, key: Hashable) -> AbstractAsyncContextManager[None]:
        """One holder per key at a time; waiters get their turn in the order they asked."""
        ...


class FloodCounter(Protocol):
    async def admit(self, chat_id: int, now: datetime) -> bool:
        """Count a message; False once the chat is over the limit for the last minute."""
        ...

    async def warn_once(self, chat_id: int) -> bool:
        """True the first time a flood needs a notice; False while the same flood goes on."""
        ...


class AlbumBuffer(Protocol):
    async def add(self, ticket_id: int, event: MessageReceived, flush: Flush) -> None:
        """Buffer one part of an album; the whole album goes to ``flush`` after a short wait."""
        ...

    async def flush_chat(self, chat_id: int, flush: Flush) -> None:
        """Hand over, now, every album still waiting in ``chat_id`` (wherever it was started)."""
        ...

    async def drain(self) -> None:
        """Hand over the albums this process is waiting for (before shutdown)."""
        ...


class ContentSignal(Protocol):
    async def announce(self) -> None:
        """Tell the other replicas the content was reloaded here."""
        ...

    async def listen(self, on_reload: Callable[[], Awaitable[None]]) -> None:
        """Call ``on_reload`` for each reload announced by another replica; runs until
        cancelled (returns at once when there is nobody else)."""
        ...


class Leadership(Protocol):
    async def lead(self) -> bool:
        """True when this process is (still, or now) the one to run the housekeeping."""
        ...


@dataclass(frozen=True)
class SharedState:
    """The per-process state's ports, built once by the composition root."""

    chat_order: KeyedOrder
    ticket_order: KeyedOrder
    flood: Callable[[int], FloodCounter]  # messages per minute → counter
    albums: Callable[[float], AlbumBuffer]  # seconds to wait for an album's parts → buffer
    content: ContentSignal
    leader: Leadership
    close: Callable[[], Awaitable[None]]  # releases the connections at shutdown
