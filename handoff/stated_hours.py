"""Working hours as content states them in words ("Mon–Fri 9:00–21:00", "пн–пт с 9:00 до 21:00"),
and which of those statements the configured hours contradict: ``supportbot check`` warns about
them, since answers should write ``{hours}`` instead (one source of truth)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time

from handoff.hours import WorkingHours

__all__ = ["StatedHours", "contradicting_hours", "stated_hours"]

_DAYS = {
    **{name: n for n, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), 1)},
    **{name: n for n, name in enumerate(("пн", "вт", "ср", "чт", "пт", "сб", "вс"), 1)},
    **{
        name: n
        for n, name in enumerate(("понед", "вторн", "сред", "четв", "пятн", "суб", "воскр"), 1)
    },
}
_DAY = "(" + "|".join(_DAYS) + r")\w*"
_CLOCK = r"(\d{1,2})[:.](\d{2})"
# "Mon–Fri 9:00–21:00", "пн–пт с 9:00 до 21:00", "<b>Sat–Sun 10:00–18:00</b>"
_STATEMENT = re.compile(
    rf"(?<!\w){_DAY}\s*(?:[–—-]|to|and|по|и)\s*{_DAY}\s*(?:</?b>|\*\*)?\s*(?:с|from)?\s*"
    rf"{_CLOCK}\s*(?:[–—-]|до|to)\s*{_CLOCK}",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class StatedHours:
    text: str  # as written
    days: frozenset[int]
    start: time
    end: time


def stated_hours(text: str) -> Iterator[StatedHours]:
    """Working hours an answer states in words ("Mon–Fri 9:00–21:00")."""
    for match in _STATEMENT.finditer(text):
        first, last = _DAYS[match.group(1).lower()], _DAYS[match.group(2).lower()]
        days = frozenset(range(first, last + 1)) if first <= last else frozenset()
        h1, m1, h2, m2 = (int(match.group(i)) for i in range(3, 7))
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
            continue
        end = time(0) if h2 == 24 else time(h2, m2)
        yield StatedHours(match.group(0), days, time(h1, m1), end)


def contradicting_hours(text: str, hours: WorkingHours) -> list[StatedHours]:
    """The statements of ``text`` that the configured hours contradict: days outside the
    working days, or another start or end."""
    return [
        stated
        for stated in stated_hours(text)
        if not stated.days <= hours.days or (stated.start, stated.end) != (hours.start, hours.end)
    ]
