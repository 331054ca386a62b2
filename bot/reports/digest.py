"""The weekly digest: on the configured weekday and time (in the operators' zone), every admin
gets the /stats chart and summary of the last days in a private message.

Checked on each housekeeping tick (every minute); a slot is sent once per process, and only
within ``GRACE`` after its time, so a bot started hours later does not send a stale digest.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core import StatsSource
from bot.core.actions import Failed, Outbox, SendPhoto
from handoff import Clock

__all__ = ["GRACE", "WeeklyDigest", "last_slot"]

log = logging.getLogger(__name__)
GRACE = timedelta(minutes=30)


def last_slot(now: datetime, weekday: int, at: time, zone: ZoneInfo) -> datetime:
    """The latest ``weekday`` (1 = Monday) at ``at`` in ``zone`` not after ``now``."""
    local = now.astimezone(zone)
    back = (local.isoweekday() - weekday) % 7
    slot = datetime.combine(local.date() - timedelta(days=back), at, tzinfo=zone)
    if slot > now:
        slot -= timedelta(days=7)
    return slot


class WeeklyDigest:
    def __init__(
        self,
        *,
        stats: StatsSource,
        outbox: Outbox,
        clock: Clock,
        admins: frozenset[int],
        weekday: int,
        at: time,
        zone: ZoneInfo,
        days: int,
        lang: str,
    ) -> None:
        self._stats, self._outbox, self._clock = stats, outbox, clock
        self._admins = admins
        self._weekday, self._at, self._zone = weekday, at, zone
        self._days, self._lang = days, lang
        self._sent: datetime | None = None

    async def tick(self) -> int:
        """Send the digest if its slot has come; returns how many admins got it."""
        if not self._weekday or not self._admins:
            return 0
        now = self._clock.now()
        slot = last_slot(now, self._weekday, self._at, self._zone)
        if slot == self._sent or now - slot > GRACE:
            return 0
        self._sent = slot
        picture = await self._stats.picture(self._days, self._lang)
        delivered = 0
        for admin in sorted(self._admins):
            result = await self._outbox(
                SendPhoto(admin, picture.png, picture.caption, filename="weekly-digest.png")
            )
            if isinstance(result, Failed):
                log.warning("weekly digest not delivered to admin %s: %s", admin, result.reason)
            else:
                delivered += 1
        return delivered
