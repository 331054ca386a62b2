"""Hands raw updates to the core so that none is lost, and none blocks the others for ever.

Both runtimes, polling or webhook, go through :class:`UpdateHandling`: the update's JSON is read
by the runtime's library (``parse``), the event goes to :meth:`SupportCore.handle`, and

- returning means the update's effects are committed (the update may be confirmed to Telegram);
- raising means nothing was committed: the update is tried again after a pause
  (:class:`RetryPolicy`), and after the last try it is *parked*: stored with its JSON and the
  error as a dead letter (``supportbot dead-letters``), the customer told to try again;
- an update the library cannot read is parked at once: reading it again would fail again.

If even parking fails (the database is down), the update is not given up: polling keeps it
unconfirmed and tries the whole round again later; a webhook answers an error so Telegram sends
it again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from bot.core import Event, SupportCore
from bot.core.actions import SendText
from bot.core.events import MembershipChanged

__all__ = ["Incoming", "JsonDict", "Parse", "RetryPolicy", "UpdateHandling", "lane_of"]

log = logging.getLogger(__name__)

JsonDict = dict[str, Any]
# The runtime's reader: the library's Update from raw JSON, then the core's event (None when the
# core has nothing to do with it). Raises when the library cannot read the update.
Parse = Callable[[JsonDict], Event | None]

NOTICE_KEY = "update_failed"
_ERROR_LIMIT = 2000


@dataclass(frozen=True)
class RetryPolicy:
    """How often a failing update is tried, and the pauses between tries (they double)."""

    tries: int = 4
    first_pause_s: float = 0.5
    factor: float = 2.0
    max_pause_s: float = 30.0

    def __post_init__(self) -> None:
        if self.tries < 1:
            raise ValueError("RetryPolicy.tries must be at least 1 (1 = no retry)")

    def pause(self, failed: int) -> float:
        """The pause after the ``failed``-th failed try (1, 2, …)."""
        return min(self.first_pause_s * self.factor ** (failed - 1), self.max_pause_s)


@dataclass(frozen=True)
class Incoming:
    """An update as received: its JSON, and the event read from it or why it could not be read."""

    raw: JsonDict
    event: Event | None
    unreadable: str | None = None

    @property
    def update_id(self) -> int:
        value = self.raw.get("update_id")
        return value if isinstance(value, int) else 0

    @property
    def kind(self) -> str:
        return next((key for key in self.raw if key != "update_id"), "unknown")[:32]


def lane_of(incoming: Incoming) -> Hashable | None:
    """Updates with the same lane are handled one after another, in order: a private chat, or a
    topic of a group (as :class:`SupportCore` orders them). None: no order to keep."""
    event = incoming.event
    if event is None:
        return None
    if isinstance(event, MembershipChanged) or event.private:
        return (event.chat_id, None)
    return (event.chat_id, event.thread_id)


class UpdateHandling:
    def __init__(
        self, core: SupportCore, parse: Parse, *, retry: RetryPolicy | None = None
    ) -> None:
        self.core = core
        self._parse = parse
        self.retry = retry or RetryPolicy()
        self._failures: dict[int, int] = {}  # webhook: failed tries per update id

    def read(self, raw: JsonDict) -> Incoming:
        try:
            return Incoming(raw, self._parse(raw))
        except Exception as exc:  # whatever the library raises on JSON it cannot read
            log.warning("update %s cannot be read: %s", raw.get("update_id"), _describe(exc))
            return Incoming(raw, None, unreadable=_describe(exc))

    async def handle(self, incoming: Incoming) -> None:
        """Polling: handle the update, retrying with pauses, and park it after the last try.
        Returns once the update may be confirmed; while it cannot even be parked it keeps trying."""
        while True:
            error = incoming.unreadable or await self._tries(incoming)
            tried = 0 if incoming.unreadable else self.retry.tries
            if error is None or await self._park(incoming, error, tried):
                return
            await asyncio.sleep(self.retry.max_pause_s)

    async def attempt(self, incoming: Incoming) -> bool:
        """Webhook: one try. True when the update may be confirmed (handled, or parked after
        ``retry.tries`` failed deliveries); False asks Telegram to deliver it again."""
        error = incoming.unreadable or await self._once(incoming)
        update_id = incoming.update_id
        if error is None:
            self._failures.pop(update_id, None)
            return True
        failed = self._failures.get(update_id, 0) + 1
        if incoming.unreadable is None and failed < self.retry.tries:
            self._failures[update_id] = failed
            return False
        if not await self._park(incoming, error, failed):
            return False
        self._failures.pop(update_id, None)
        return True

    async def retry_parked(self) -> int:
        """Handle once more every parked update an administrator asked to retry; drop the ones
        that succeed, count a failure on the others. Returns how many were handled."""
        uow = self.core.deps.uow
        async with uow() as tx:
            letters = await tx.dead_letters.retry_requested()
        handled = 0
        for letter in letters:
            async with uow() as tx:
                if not await tx.dead_letters.claim_retry(letter.id):
                    continue  # another replica took it
            try:
                raw = json.loads(letter.raw)
                incoming = self.read(raw if isinstance(raw, dict) else {})
            except ValueError as exc:
                incoming = Incoming({}, None, unreadable=_describe(exc))
            error = incoming.unreadable or await self._once(incoming)
            async with uow() as tx:
                if error is None:
                    await tx.dead_letters.drop(letter.id)
                    handled += 1
                else:
                    now = self.core.deps.clock.now()
                    await tx.dead_letters.failed_again(letter.id, error=error, now=now)
            log.info("dead letter %s retried: %s", letter.id, error or "handled")
        return handled

    async def _tries(self, incoming: Incoming) -> str | None:
        error: str | None = None
        for failed in range(1, self.retry.tries + 1):
            error = await self._once(incoming)
            if error is None:
                return None
            if failed < self.retry.tries:
                log.warning(
                    "update %s failed (try %d of %d), trying again: %s",
                    incoming.update_id,
                    failed,
                    self.retry.tries,
                    error,
                )
                await asyncio.sleep(self.retry.pause(failed))
        return error

    async def _once(self, incoming: Incoming) -> str | None:
        if incoming.event is None:
            return None
        try:
            await self.core.handle(incoming.event)
        except Exception as exc:
            return _describe(exc)
        return None

    async def _park(self, incoming: Incoming, error: str, attempts: int) -> bool:
        chat_id, private, language = _where(incoming)
        try:
            async with self.core.deps.uow() as tx:
                letter = await tx.dead_letters.park(
                    update_id=incoming.update_id,
                    kind=incoming.kind,
                    chat_id=chat_id,
                    private=private,
                    error=error,
                    raw=json.dumps(incoming.raw, ensure_ascii=False),
                    attempts=attempts,
                    now=self.core.deps.clock.now(),
                )
        except Exception:
            log.exception("update %s could not be parked; it stays unconfirmed", incoming.update_id)
            return False
        log.error(
            "update %s parked as dead letter %s after %d tries: %s",
            incoming.update_id,
            letter.id,
            attempts,
            error,
        )
        if private and chat_id is not None:
            await self._tell(chat_id, language)
        return True

    async def _tell(self, chat_id: int, language: str | None) -> None:
        """Ask the customer to send it again (best effort: the database may be what failed)."""
        texts = self.core.deps.texts
        lang = language if language is not None and language in texts.by_lang else texts.default
        try:
            async with self.core.deps.uow() as tx:
                customer = await tx.customers.get_by_telegram_id(chat_id)
            if customer is not None:
                lang = customer.language
        except Exception as exc:
            log.info("the customer's language is unknown (%s); using %s", _describe(exc), lang)
        try:
            await self.core.deps.outbox(SendText(chat_id=chat_id, text=texts(lang, NOTICE_KEY)))
        except Exception:
            log.exception("could not tell chat %s to try again", chat_id)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT]


def _where(incoming: Incoming) -> tuple[int | None, bool, str | None]:
    """The chat an update came from, whether it is private, the sender's language code; read
    from the event, else (an unreadable update) from the JSON as far as it goes."""
    event = incoming.event
    if event is not None:
        private = isinstance(event, MembershipChanged) or event.private
        return event.chat_id, private, event.sender.language_code
    body = incoming.raw.get(incoming.kind)
    if not isinstance(body, dict):
        return None, False, None
    sender = body.get("from")
    language = sender.get("language_code") if isinstance(sender, dict) else None
    inner = body.get("message")
    message: JsonDict = inner if isinstance(inner, dict) else body
    chat = message.get("chat")
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
        return None, False, language if isinstance(language, str) else None
    private = chat.get("type") == "private"
    return chat["id"], private, language if isinstance(language, str) else None
