"""The weekly digest: sent once in its slot, to every admin, not late after a restart."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.actions import RecordingOutbox, SendPhoto
from bot.core.desk.commands import StatsPicture
from bot.reports.digest import WeeklyDigest, last_slot
from handoff.clock import ManualClock

MOSCOW = ZoneInfo("Europe/Moscow")
MONDAY_9_MSK = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 09:00 in Moscow


class FakeStats:
    def __init__(self) -> None:
        self.asked: list[tuple[int, str]] = []

    async def picture(self, days: int, lang: str) -> StatsPicture:
        self.asked.append((days, lang))
        return StatsPicture(b"\x89PNG fake", f"<b>Last {days} days</b>")


def test_last_slot() -> None:
    at_nine = time(9)
    assert last_slot(MONDAY_9_MSK, 1, at_nine, MOSCOW) == MONDAY_9_MSK
    # a minute before: the previous Monday
    earlier = MONDAY_9_MSK - timedelta(minutes=1)
    assert last_slot(earlier, 1, at_nine, MOSCOW) == MONDAY_9_MSK - timedelta(days=7)
    # Wednesday: Monday of the same week
    assert last_slot(MONDAY_9_MSK + timedelta(days=2), 1, at_nine, MOSCOW) == MONDAY_9_MSK


async def test_sent_once_in_its_slot_to_every_admin() -> None:
    clock = ManualClock(MONDAY_9_MSK - timedelta(minutes=2))
    outbox, stats = RecordingOutbox(), FakeStats()
    digest = WeeklyDigest(stats=stats, outbox=outbox, clock=clock, admins=frozenset({11, 22}),
                          weekday=1, at=time(9), zone=MOSCOW, days=7, lang="ru")  # fmt: skip
    assert await digest.tick() == 0  # 08:58: not yet (last week's slot is long past)
    clock.advance(minutes=3)
    assert await digest.tick() == 2
    assert await digest.tick() == 0  # once per slot
    photos = [a for a in outbox.actions if isinstance(a, SendPhoto)]
    assert [p.chat_id for p in photos] == [11, 22]
    assert photos[0].caption == "<b>Last 7 days</b>"
    assert stats.asked == [(7, "ru")]
    clock.advance(days=7)
    assert await digest.tick() == 2  # next Monday


async def test_a_bot_started_late_does_not_send_a_stale_digest() -> None:
    clock = ManualClock(MONDAY_9_MSK + timedelta(hours=3))
    outbox = RecordingOutbox()
    digest = WeeklyDigest(stats=FakeStats(), outbox=outbox, clock=clock, admins=frozenset({11}),
                          weekday=1, at=time(9), zone=MOSCOW, days=7, lang="en")  # fmt: skip
    assert await digest.tick() == 0
    assert outbox.actions == []


async def test_off_without_a_weekday_or_admins() -> None:
    clock = ManualClock(MONDAY_9_MSK)
    for weekday, admins in ((0, frozenset({11})), (1, frozenset[int]())):
        digest = WeeklyDigest(stats=FakeStats(), outbox=RecordingOutbox(), clock=clock,
                              admins=admins, weekday=weekday, at=time(9), zone=MOSCOW, days=7,
                              lang="en")  # fmt: skip
        assert await digest.tick() == 0
