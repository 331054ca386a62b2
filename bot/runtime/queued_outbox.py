"""The send queue both runtime adapters share: ordering, splitting, retries, refusals.

Each chat's sends run one at a time, in order; a 429 waits the ``retry_after`` Telegram asked for
and tries again (the message is never dropped or overtaken); network and server errors are retried
with a short backoff; Telegram's refusals become :class:`Failed` results the core understands (a
blocked customer, a deleted topic…). A subclass only says how to make each call with its client
library and how to read that library's errors (:meth:`QueuedOutbox.judge`).
"""

from __future__ import annotations

import abc
import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.core import split_html
from bot.core.actions import (
    Action,
    AnswerButton,
    CloseTopic,
    CopyMessages,
    CreateTopic,
    DeleteMessage,
    Done,
    EditKeyboard,
    EditText,
    Failed,
    Failure,
    ReopenTopic,
    Result,
    SendPhoto,
    SendText,
)

__all__ = ["Backoff", "QueuedOutbox", "Verdict", "WaitAndRetry"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WaitAndRetry:
    """Telegram said 429: wait this long, then send again."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Backoff:
    """A network or server error: retry a few times with a growing pause."""

    description: str


Verdict = WaitAndRetry | Backoff | Failed


class QueuedOutbox(abc.ABC):
    """Executes core actions; ``max_retries`` bounds 429s and network errors per call."""

    def __init__(self, *, max_retries: int = 8, max_wait_s: float = 60.0) -> None:
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._max_retries = max_retries
        self._max_wait_s = max_wait_s
        self.on_retry_wait: Callable[[float], None] | None = None  # monitoring's hook

    async def __call__(self, action: Action) -> Result:
        if isinstance(action, AnswerButton):  # not a message: no queue, no order to keep
            return await self._call(lambda: self.answer(action))
        chat = action.to_chat_id if isinstance(action, CopyMessages) else action.chat_id
        async with self._locks[chat]:
            return await self._run(action)

    async def _run(self, action: Action) -> Result:
        match action:
            case SendText():
                return await self._send_parts(action)
            case EditText():
                return await self._call(lambda: self.edit_text(action, split_html(action.text)[0]))
            case EditKeyboard():
                return await self._call(lambda: self.edit_keyboard(action))
            case DeleteMessage():
                return await self._call(lambda: self.delete(action))
            case CopyMessages():
                return await self._call(lambda: self.copy(action))
            case SendPhoto():
                return await self._call(lambda: self.send_photo(action))
            case CreateTopic():
                return await self._call(lambda: self.create_topic(action))
            case CloseTopic():
                return await self._call(lambda: self.close_topic(action))
            case ReopenTopic():
                return await self._call(lambda: self.reopen_topic(action))
        raise TypeError(f"unknown action {action!r}")  # pragma: no cover - exhaustive match

    async def _send_parts(self, action: SendText) -> Result:
        """Long text goes out in parts, in order; the keyboard sits under the last one."""
        ids: list[int] = []
        parts = split_html(action.text)
        for index, part in enumerate(parts):
            result = await self._call(self._part(action, part, last=index == len(parts) - 1))
            if isinstance(result, Failed):
                return result if not ids else Done(message_ids=tuple(ids))
            ids.extend(result.message_ids)
        return Done(message_ids=tuple(ids))

    def _part(self, action: SendText, text: str, *, last: bool) -> Callable[[], Awaitable[Result]]:
        return lambda: self.send(action, text, with_keyboard=last)

    async def _call(self, attempt: Callable[[], Awaitable[Result]]) -> Result:
        for tries in range(self._max_retries + 1):
            try:
                return await attempt()
            except Exception as exc:
                match self.judge(exc):
                    case None:
                        raise  # not a Telegram error: a bug to see, not to retry
                    case Failed() as refused:
                        return refused
                    case WaitAndRetry(seconds):
                        wait = min(seconds, self._max_wait_s)
                        log.warning("Telegram asked to wait %.0fs (429); retrying", wait)
                        if self.on_retry_wait is not None:
                            self.on_retry_wait(wait)
                        await asyncio.sleep(wait)
                    case Backoff(description):
                        if tries == self._max_retries:
                            return Failed(Failure.OTHER, description)
                        await asyncio.sleep(min(2.0**tries * 0.2, 5.0))
        return Failed(Failure.OTHER, "gave up after repeated 429 / server errors")

    # ------------------------------------------------------------------ per client library
    @abc.abstractmethod
    def judge(self, exc: Exception) -> Verdict | None:
        """What to do about the library's exception; None for one that is not Telegram's."""

    @abc.abstractmethod
    async def send(self, action: SendText, text: str, *, with_keyboard: bool) -> Done: ...

    @abc.abstractmethod
    async def send_photo(self, action: SendPhoto) -> Done: ...

    @abc.abstractmethod
    async def answer(self, action: AnswerButton) -> Done: ...

    @abc.abstractmethod
    async def edit_text(self, action: EditText, text: str) -> Done: ...

    @abc.abstractmethod
    async def edit_keyboard(self, action: EditKeyboard) -> Done: ...

    @abc.abstractmethod
    async def delete(self, action: DeleteMessage) -> Done: ...

    @abc.abstractmethod
    async def copy(self, action: CopyMessages) -> Done: ...

    @abc.abstractmethod
    async def create_topic(self, action: CreateTopic) -> Done: ...

    @abc.abstractmethod
    async def close_topic(self, action: CloseTopic) -> Done: ...

    @abc.abstractmethod
    async def reopen_topic(self, action: ReopenTopic) -> Done: ...
