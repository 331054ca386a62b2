from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from handoff.clock import ManualClock, SystemClock
from handoff.errors import HandoffError


def test_system_clock_is_aware_utc() -> None:
    assert SystemClock().now().utcoffset() == timedelta(0)


def test_manual_clock_advances_and_normalises_to_utc() -> None:
    clock = ManualClock(datetime(2025, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=3))))
    assert clock.now() == datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.advance(minutes=5) == datetime(2025, 1, 1, 9, 5, tzinfo=UTC)
    later = clock.advance(timedelta(hours=1), seconds=30)
    assert later == datetime(2025, 1, 1, 10, 5, 30, tzinfo=UTC)


def test_manual_clock_refuses_naive_time_and_going_back() -> None:
    with pytest.raises(HandoffError, match="no time zone"):
        ManualClock(datetime(2025, 1, 1))
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(HandoffError, match="only moves forward"):
        clock.advance(seconds=-1)
