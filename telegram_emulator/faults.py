"""Fault injection: make chosen calls fail (or answer slowly) the way Telegram does."""

from __future__ import annotations

from dataclasses import dataclass

from telegram_emulator.errors import ApiError

__all__ = ["Fault", "Faults"]

_DEFAULT_REASON = {
    400: "Bad Request: injected fault",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: injected fault",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Fault:
    """One rule. ``None`` matches any method / chat; ``times=None`` fires forever.

    The rule lets ``after_calls`` matching calls through, then fires on the next ``times``.
    ``error=None`` with a ``delay`` makes a slow but successful answer.
    """

    method: str | None = None
    chat_id: int | str | None = None
    error: int | None = None
    description: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int | None = 1
    after_calls: int = 0
    seen: int = 0
    fired: int = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    def to_error(self) -> ApiError | None:
        if self.error is None:
            return None
        if self.error == 429:
            return ApiError(429, self.description or "", retry_after=self.retry_after or 1)
        reason = self.description or _DEFAULT_REASON.get(self.error, "injected fault")
        return ApiError(self.error, reason)


# Methods that change what a chat shows: the ones ``send_delay`` holds.
_SEND_PREFIXES = (
    "send",
    "copy",
    "forward",
    "edit",
    "delete",
    "create",
    "close",
    "reopen",
    "pin",
    "unpin",
)


class Faults:
    """The active rules, consulted before every Bot API call, and ``send_delay``: how long every
    call that changes a chat (send, copy, forward, edit, delete, topics, pins) is held before it
    takes effect, so a bot killed meanwhile never learns that its message was delivered."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []
        self.send_delay = 0.0

    def hold(self, method: str) -> float:
        """Seconds to hold ``method`` before it takes effect (``send_delay`` for sends, else 0)."""
        if self.send_delay > 0 and method.lower().startswith(_SEND_PREFIXES):
            return self.send_delay
        return 0.0

    def add(
        self,
        *,
        method: str | None = None,
        chat_id: int | str | None = None,
        error: int | None = None,
        description: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        times: int | None = 1,
        after_calls: int = 0,
    ) -> Fault:
        if error is None and delay <= 0:
            raise ValueError("a fault needs an error code, a delay or both")
        fault = Fault(
            method=method,
            chat_id=chat_id,
            error=error,
            description=description,
            retry_after=retry_after,
            delay=delay,
            times=times,
            after_calls=after_calls,
        )
        self.rules.append(fault)
        return fault

    def clear(self) -> None:
        self.rules.clear()

    def pick(self, method: str, chat_id: int | str | None) -> Fault | None:
        """The first rule that fires for this call (counting it on every matching rule)."""
        chosen: Fault | None = None
        for fault in self.rules:
            if fault.exhausted or not fault.matches(method, chat_id):
                continue
            fault.seen += 1
            if chosen is None and fault.seen > fault.after_calls:
                fault.fired += 1
                chosen = fault
        return chosen
