"""Working hours: are operators on duty now, and if not, when do they return.

Times are wall-clock times in the configured zone, so a 09:00 start stays 09:00 across daylight
saving changes. A shift is ``start <= time < end`` within one day (no overnight shifts). A start
that falls into a spring-forward gap opens at the first real instant after it (02:30 → 03:30).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from handoff.clock import ensure_aware
from handoff.errors import HoursError

__all__ = ["HoursConfig", "WorkingHours"]

# How far ahead next_opening looks before deciding the calendar has no working day at all.
_SEARCH_DAYS = 3 * 366


class HoursConfig(Protocol):
    """What :meth:`WorkingHours.from_settings` reads; ``bot.config.HoursSettings`` fits it."""

    @property
    def zone(self) -> ZoneInfo: ...
    @property
    def days(self) -> Iterable[int]: ...
    @property
    def start(self) -> time: ...
    @property
    def end(self) -> time: ...
    @property
    def holidays(self) -> Iterable[date]: ...


@dataclass(frozen=True, slots=True)
class WorkingHours:
    zone: ZoneInfo
    days: frozenset[int]  # ISO weekdays: 1 = Monday .. 7 = Sunday
    start: time
    end: time
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        wrong = sorted(day for day in self.days if not 1 <= day <= 7)
        if wrong:
            raise HoursError(f"working days {wrong} are not weekdays: use 1 (Monday) .. 7 (Sunday)")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise HoursError("start and end are wall-clock times: give them without a time zone")
        if self.start >= self.end:
            raise HoursError(
                f"start {self.start:%H:%M} must be earlier than end {self.end:%H:%M} "
                "(overnight shifts are not supported)"
            )

    @classmethod
    def from_settings(cls, settings: HoursConfig) -> WorkingHours:
        return cls(
            zone=settings.zone,
            days=frozenset(settings.days),
            start=settings.start,
            end=settings.end,
            holidays=frozenset(settings.holidays),
        )

    def is_working_day(self, day: date) -> bool:
        return day.isoweekday() in self.days and day not in self.holidays

    def is_open(self, at: datetime) -> bool:
        local = ensure_aware(at, name="at").astimezone(self.zone)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself when open, else the next start of a shift, in :attr:`zone`.

        Raises :class:`HoursError` when no working day exists (no days configured, or holidays
        covering every working day for years ahead).
        """
        moment = ensure_aware(at, name="at")
        if self.is_open(moment):
            return moment.astimezone(self.zone)
        if not self.days:
            raise HoursError(
                "no working days are configured: set [hours] days, e.g. [1, 2, 3, 4, 5]"
            )
        today = moment.astimezone(self.zone).date()
        for offset in range(_SEARCH_DAYS):
            day = today + timedelta(days=offset)
            if not self.is_working_day(day):
                continue
            opening = self._wall(day, self.start)
            if opening > moment:
                return opening.astimezone(self.zone)
        raise HoursError(
            f"no working day in the {_SEARCH_DAYS} days after {today.isoformat()}: "
            "check [hours] days and holidays"
        )

    def _wall(self, day: date, wall: time) -> datetime:
        """The instant (UTC) of a wall-clock time; gap times move forward by the gap."""
        return datetime.combine(day, wall, tzinfo=self.zone).astimezone(UTC)
