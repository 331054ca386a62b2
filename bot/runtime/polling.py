"""Long polling that confirms an update only once it was handled (or parked).

Telegram confirms every update below the ``offset`` of the next ``getUpdates``. The libraries'
own loops move the offset past an update as soon as it is fetched; here the offset stays at the
oldest update still being handled, so a crash, a kill or a failing handler never loses one: it
comes again after a restart (and the core's update log makes a second handling of a committed one
a no-op).

Updates of different chats are handled concurrently, a chat's (or a group topic's) one after
another in order (:func:`lane_of`). While an update is in hand Telegram keeps answering with it,
so the loop skips the ones it already has and, when nothing new came, waits for a handling to
finish (at most ``idle_wait_s``) before asking again, instead of spinning. Since every answer
repeats all the updates in hand (read as JSON again each time), the loop also asks at most once
every ``busy_poll_s`` while some are in hand: under load a poll then brings several new updates
instead of one, for at most ``busy_poll_s`` of extra latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence

from bot.runtime.update_handling import Incoming, JsonDict, UpdateHandling, lane_of

__all__ = ["Fetch", "PollingLoop"]

log = logging.getLogger(__name__)

# getUpdates as raw JSON: (offset, seconds to hold the poll, limit) → the updates, unparsed.
Fetch = Callable[[int | None, int, int], Awaitable[Sequence[JsonDict]]]


class PollingLoop:
    def __init__(
        self,
        fetch: Fetch,
        handling: UpdateHandling,
        *,
        timeout: int = 30,
        limit: int = 100,
        idle_wait_s: float = 0.2,
        busy_poll_s: float = 0.01,
        error_wait_s: tuple[float, float] = (1.0, 30.0),
    ) -> None:
        self._fetch = fetch
        self._handling = handling
        self._timeout = timeout
        self._limit = limit
        self._idle_wait_s = idle_wait_s
        self._busy_poll_s = busy_poll_s
        self._error_wait_s = error_wait_s
        self._in_hand: dict[int, asyncio.Task[None]] = {}  # update id → its handling
        self._lanes: dict[Hashable, asyncio.Task[None]] = {}  # lane → its last handling
        self._seen: set[int] = set()  # ids at or above the offset already in hand or done
        self._next: int | None = None  # one past the newest update fetched

    @property
    def offset(self) -> int | None:
        """What the next ``getUpdates`` confirms up to: the oldest update still in hand, else
        one past the newest fetched."""
        return min(self._in_hand) if self._in_hand else self._next

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set, then finish what is in hand and confirm it. Cancelled (a
        kill), it abandons what is in hand unconfirmed: Telegram sends it again next time."""
        try:
            await self._poll(stop)
            if self._in_hand:
                await asyncio.wait(list(self._in_hand.values()))
            await self._confirm()
        except BaseException:
            for task in self._in_hand.values():
                task.cancel()
            await asyncio.gather(*self._in_hand.values(), return_exceptions=True)
            raise

    async def _poll(self, stop: asyncio.Event) -> None:
        failures = 0
        stopping = asyncio.ensure_future(stop.wait())
        clock = asyncio.get_running_loop().time
        try:
            while not stop.is_set():
                asked = clock()
                offset = self.offset
                if offset is not None:
                    self._seen = {i for i in self._seen if i >= offset}
                fetching = asyncio.ensure_future(
                    self._fetch(offset, 0 if self._in_hand else self._timeout, self._limit)
                )
                await asyncio.wait({fetching, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not fetching.done():
                    fetching.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await fetching
                    return
                try:
                    updates = fetching.result()
                except Exception as exc:
                    failures += 1
                    low, high = self._error_wait_s
                    pause = min(low * 2 ** (failures - 1), high)
                    log.warning("getUpdates failed (%s); again in %.1f s", exc, pause)
                    await asyncio.wait({stopping}, timeout=pause)
                    continue
                failures = 0
                if not self._take(updates) and self._in_hand:
                    await asyncio.wait(
                        {stopping, *self._in_hand.values()},
                        timeout=self._idle_wait_s,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                pause = self._busy_poll_s - (clock() - asked)
                if self._in_hand and pause > 0:  # the answer would repeat them all again
                    await asyncio.wait({stopping}, timeout=pause)
        finally:
            stopping.cancel()

    def _take(self, updates: Sequence[JsonDict]) -> int:
        """Start handling the updates not already in hand; how many were new."""
        new = 0
        for raw in updates:
            update_id = raw.get("update_id")
            if not isinstance(update_id, int) or update_id in self._seen:
                continue
            self._seen.add(update_id)
            self._next = max(self._next or 0, update_id + 1)
            self._start(self._handling.read(raw))
            new += 1
        return new

    def _start(self, incoming: Incoming) -> None:
        update_id = incoming.update_id
        lane = lane_of(incoming)
        before = self._lanes.get(lane) if lane is not None else None
        task = asyncio.create_task(self._handle(incoming, before), name=f"update-{update_id}")
        self._in_hand[update_id] = task
        task.add_done_callback(lambda _: self._in_hand.pop(update_id, None))
        if lane is not None:
            self._lanes[lane] = task
            task.add_done_callback(lambda done: self._leave(lane, done))

    def _leave(self, lane: Hashable, task: asyncio.Task[None]) -> None:
        if self._lanes.get(lane) is task:
            del self._lanes[lane]

    async def _handle(self, incoming: Incoming, before: asyncio.Task[None] | None) -> None:
        if before is not None:
            await asyncio.wait({before})  # the lane's previous update first, however it ended
        try:
            await self._handling.handle(incoming)
        except Exception:  # a bug: log it, confirm the update rather than stall the offset
            log.exception("handling update %s failed unexpectedly", incoming.update_id)

    async def _confirm(self) -> None:
        """Tell Telegram everything handled is done (a clean stop)."""
        if self._next is None:
            return
        try:
            await self._fetch(self._next, 0, 1)
        except Exception as exc:
            log.warning("could not confirm the last updates (%s); they come again, harmlessly", exc)
