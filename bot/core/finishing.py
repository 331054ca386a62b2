"""Finishing handled updates together: the records and deletions of many in one transaction.

When an update's sends are done, its handling still writes what it deferred (the replies with
their Telegram ids, the relay links) and deletes its finished work (bot/core/sender.py). Done
one update at a time that is a transaction per update after the sends; here the finishes of
the updates handled at about the same time share one (a group commit): a finish waits until
every handling in hand is waiting to finish, until ``max_batch`` are waiting, or at most
``delay_s``, and the batch is written in one unit of work. :meth:`FinishBatch.finish` returns
once that transaction committed, so an update is still confirmed to Telegram only after all of
its effects are stored, and the chat's next update (which waits for it) reads them.

The crash window is the one a single finish has, held open ``delay_s`` longer: work whose
sends were made but whose finish was not committed yet stays pending, and is resumed after a
restart like any other, so its last sends (the unrecorded steps) are made again. If the batch's
transaction fails, each handling is finished on its own, so one bad record fails only its own
update.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.core.sender import Handling, finish_together
from handoff import UnitOfWorkFactory

__all__ = ["FinishBatch"]

log = logging.getLogger(__name__)


class FinishBatch:
    """Finishes handlings in shared transactions; ``in_hand`` tells how many handlings are
    running (a batch is written at once when all of them are waiting in it)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        in_hand: Callable[[], int],
        *,
        max_batch: int = 64,
        delay_s: float = 0.005,
    ) -> None:
        self._uow = uow
        self._in_hand = in_hand
        self._max_batch = max_batch
        self._delay_s = delay_s
        self._waiting: list[tuple[Handling, asyncio.Future[None]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._writing: asyncio.Task[None] | None = None

    async def finish(self, scope: Handling) -> None:
        """Write what ``scope`` deferred and delete its work, with the others waiting now;
        raises what its own finish raised."""
        if not scope.works and not scope.deferred:
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((scope, done))
        self._schedule()
        await done

    def _schedule(self) -> None:
        if self._writing is not None:
            return  # the batch being written starts the next one when it is done
        if len(self._waiting) >= min(self._max_batch, self._in_hand()):
            self._start()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._delay_s, self._start)

    def _start(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._writing is not None or not self._waiting:
            return
        batch = self._waiting[: self._max_batch]
        del self._waiting[: len(batch)]
        self._writing = asyncio.get_running_loop().create_task(self._write(batch))

    async def _write(self, batch: list[tuple[Handling, asyncio.Future[None]]]) -> None:
        try:
            try:
                await finish_together([scope for scope, _done in batch], self._uow)
            except Exception:
                log.warning("a batch of %d finishes failed; finishing them one by one", len(batch))
                for scope, done in batch:
                    try:
                        await scope.finish(self._uow)
                    except Exception as exc:
                        _settle(done, exc)
                    else:
                        _settle(done, None)
                return
            for _scope, done in batch:
                _settle(done, None)
        except BaseException as exc:  # cancelled (the loop is closing): nobody waits forever
            for _scope, done in batch:
                _settle(done, exc)
            raise
        finally:
            self._writing = None
            if self._waiting:  # once the finished handlings have left the count of those in hand
                asyncio.get_running_loop().call_soon(self._schedule)


def _settle(done: asyncio.Future[None], error: BaseException | None) -> None:
    """Tell a waiting handling how its finish went, unless it stopped waiting (its task was
    cancelled, which cancels the future it awaited): the others of the batch are still told."""
    if done.done():
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)
