"""Telegram's limits: sizes (always on by default) and send rates (on when asked)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram_emulator.errors import ApiError

__all__ = ["Limits", "RateLimiter"]


@dataclass
class Limits:
    """What the emulator enforces. ``enforce = True`` switches on everything.

    Rates are token buckets: ``private_per_second`` with a burst of ``private_burst`` per
    private chat, ``group_per_minute`` per group (burst of the same size), and
    ``global_per_second`` over all chats.
    """

    sizes: bool = True
    rates: bool = False
    text_length: int = 4096
    caption_length: int = 1024
    callback_data_bytes: int = 64
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20
    global_per_second: int = 30

    @property
    def enforce(self) -> bool:
        return self.sizes and self.rates

    @enforce.setter
    def enforce(self, value: bool) -> None:
        self.sizes = value
        self.rates = value


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """Counts sends per chat and answers 429 with ``retry_after`` past a limit."""

    limits: Limits
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[object, _Bucket] = field(default_factory=dict)

    def reset(self) -> None:
        self._buckets.clear()

    def take(self, chat_id: int, *, private: bool, count: int = 1) -> None:
        if not self.limits.rates:
            return
        if private:
            chat_bucket = (self.limits.private_burst, self.limits.private_per_second)
        else:
            chat_bucket = (self.limits.group_per_minute, self.limits.group_per_minute / 60)
        global_bucket = (self.limits.global_per_second, self.limits.global_per_second)
        keys: list[tuple[object, tuple[float, float]]] = [
            (chat_id, chat_bucket),
            ("*", global_bucket),
        ]
        now = self.clock()
        buckets = [self._bucket(key, spec, now) for key, spec in keys]
        for bucket in buckets:
            if bucket.tokens < count:
                wait = (count - bucket.tokens) / bucket.per_second
                raise ApiError(429, "", retry_after=max(1, math.ceil(wait)))
        for bucket in buckets:
            bucket.tokens -= count

    def _bucket(self, key: object, spec: tuple[float, float], now: float) -> _Bucket:
        capacity, per_second = spec
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(capacity, per_second, capacity, now)
            self._buckets[key] = bucket
        bucket.tokens = min(bucket.capacity, bucket.tokens + (now - bucket.stamp) * per_second)
        bucket.stamp = now
        return bucket
