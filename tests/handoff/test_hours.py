from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from handoff.errors import HoursError
from handoff.hours import WorkingHours

BERLIN = ZoneInfo("Europe/Berlin")
MOSCOW = ZoneInfo("Europe/Moscow")
WEEKDAYS = frozenset({1, 2, 3, 4, 5})


def office(zone: ZoneInfo = BERLIN, **changes: object) -> WorkingHours:
    values: dict[str, object] = {
        "zone": zone,
        "days": WEEKDAYS,
        "start": time(9),
        "end": time(18),
        "holidays": frozenset(),
    }
    values.update(changes)
    return WorkingHours(**values)  # type: ignore[arg-type]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_open_inside_the_shift_in_local_time() -> None:
    hours = office()
    # Monday 2025-01-06: Berlin is UTC+1 in winter.
    assert not hours.is_open(utc(2025, 1, 6, 7, 59))
    assert hours.is_open(utc(2025, 1, 6, 8, 0))
    assert hours.is_open(utc(2025, 1, 6, 16, 59))
    assert not hours.is_open(utc(2025, 1, 6, 17, 0))  # end is exclusive
    assert not hours.is_open(utc(2025, 1, 4, 12, 0))  # Saturday


def test_next_opening_when_open_is_now() -> None:
    at = utc(2025, 1, 6, 10, 0)
    assert office().next_opening(at) == at


def test_friday_evening_to_monday_across_spring_forward() -> None:
    # Friday 2025-03-28 19:00 CET; clocks go forward on Sunday 30 March.
    opening = office().next_opening(utc(2025, 3, 28, 18, 0))
    assert opening == utc(2025, 3, 31, 7, 0)  # 09:00 CEST = 07:00 UTC
    assert opening.strftime("%a %H:%M %Z") == "Mon 09:00 CEST"  # returned in the office's zone


def test_friday_evening_to_monday_across_fall_back() -> None:
    # Clocks go back on Sunday 26 October 2025: Monday 09:00 is UTC+1 again.
    assert office().next_opening(utc(2025, 10, 24, 17, 30)) == utc(2025, 10, 27, 8, 0)


def test_start_inside_the_spring_forward_gap_opens_after_it() -> None:
    hours = office(days=frozenset(range(1, 8)), start=time(2, 30), end=time(5))
    # 02:30 does not exist in Berlin on 2025-03-30; the shift begins at 03:30 CEST.
    opening = hours.next_opening(utc(2025, 3, 29, 23, 0))
    assert opening == utc(2025, 3, 30, 1, 30)
    assert opening.astimezone(BERLIN).strftime("%H:%M %Z") == "03:30 CEST"


def test_after_midnight_local_when_utc_is_still_the_day_before() -> None:
    hours = office(zone=MOSCOW)
    # Sunday 22:30 UTC is Monday 01:30 in Moscow (UTC+3): opens the same Moscow morning.
    at = utc(2025, 1, 5, 22, 30)
    assert not hours.is_open(at)
    assert hours.next_opening(at) == utc(2025, 1, 6, 6, 0)


def test_late_evening_opens_next_morning() -> None:
    assert office().next_opening(utc(2025, 1, 7, 22, 0)) == utc(2025, 1, 8, 8, 0)


def test_holidays_are_skipped() -> None:
    hours = office(holidays=frozenset({date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 2)}))
    assert not hours.is_open(utc(2025, 12, 31, 10, 0))
    # Tuesday 30 Dec after hours → Wed, Thu, Fri are holidays, weekend → Monday 5 January.
    assert hours.next_opening(utc(2025, 12, 30, 20, 0)) == utc(2026, 1, 5, 8, 0)


def test_no_working_day_raises_instead_of_looping() -> None:
    with pytest.raises(HoursError, match="no working days"):
        office(days=frozenset()).next_opening(utc(2025, 1, 6, 20, 0))
    every_monday = frozenset(date.fromordinal(n) for n in _mondays(2025, 2030))
    with pytest.raises(HoursError, match="check \\[hours\\] days and holidays"):
        office(days=frozenset({1}), holidays=every_monday).next_opening(utc(2025, 1, 7, 0, 0))


def _mondays(first: int, last: int) -> list[int]:
    start, end = date(first, 1, 1).toordinal(), date(last, 12, 31).toordinal()
    return [n for n in range(start, end + 1) if date.fromordinal(n).isoweekday() == 1]


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(HoursError, match="no time zone"):
        office().is_open(datetime(2025, 1, 6, 10, 0))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"days": frozenset({0, 8})}, "not weekdays"),
        ({"start": time(18), "end": time(9)}, "must be earlier"),
    ],
)
def test_invalid_configuration(changes: dict[str, object], message: str) -> None:
    with pytest.raises(HoursError, match=message):
        office(**changes)  # type: ignore[arg-type]


@dataclass
class FakeSettings:
    """Shaped like bot.config.HoursSettings (lists, a zone property)."""

    timezone: str = "Europe/Moscow"
    days: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5])
    start: time = time(9)
    end: time = time(21)
    holidays: list[date] = field(default_factory=lambda: [date(2025, 1, 7)])

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def test_from_settings() -> None:
    hours = WorkingHours.from_settings(FakeSettings())
    assert hours == WorkingHours(MOSCOW, WEEKDAYS, time(9), time(21), frozenset({date(2025, 1, 7)}))


def test_from_the_real_settings_section() -> None:
    from bot.config import HoursSettings

    hours = WorkingHours.from_settings(HoursSettings(timezone="Europe/Berlin", days=[6, 7]))
    assert hours.zone == BERLIN
    assert hours.days == frozenset({6, 7})
