"""The clock seam: code asks a :class:`Clock` for the time instead of calling ``datetime.now``.

Every clock returns timezone-aware UTC datetimes. Tests use :class:`ManualClock` and move it
with :meth:`ManualClock.advance`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from handoff.errors import HoursError

__all__ = ["Clock", "ManualClock", "SystemClock", "ensure_aware"]


def ensure_aware(at: datetime, *, name: str = "datetime") -> datetime:
    """Return ``at`` in UTC; a naive datetime is refused because its zone would be a guess."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise HoursError(
            f"{name} {at.isoformat()} has no time zone: pass an aware datetime "
            "(e.g. from Clock.now() or datetime(..., tzinfo=UTC))"
        )
    return at.astimezone(UTC)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until told to move; for tests and the emulator demo."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_aware(start, name="start")

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | None = None, /, **units: float) -> datetime:
        """Move forward by ``delta`` or by ``timedelta`` keyword units; returns the new time."""
        step = (delta or timedelta()) + timedelta(**units)
        if step < timedelta():
            raise HoursError("a ManualClock only moves forward: pass a positive step")
        self._now += step
        return self._now

    def set(self, at: datetime) -> None:
        """Jump to ``at`` (any direction)."""
        self._now = ensure_aware(at, name="at")
