"""One source of truth for working hours: answers write ``{hours}`` and get the configured hours
("Mon–Fri 09:00–21:00 (UTC+3, Moscow)"); ``supportbot check`` warns about answers that state
hours of their own which contradict the configuration (:func:`contradicting_hours`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time

from bot.core.texts import Texts
from handoff.hours import WorkingHours

__all__ = [
    "HOURS",
    "StatedHours",
    "contradicting_hours",
    "hours_phrase",
    "stated_hours",
    "with_hours",
]

HOURS = "{hours}"
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


def _day_ranges(days: frozenset[int], names: list[str]) -> str:
    ordered = sorted(days)
    runs: list[tuple[int, int]] = []
    for day in ordered:
        if runs and runs[-1][1] == day - 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return ", ".join(names[a - 1] if a == b else f"{names[a - 1]}–{names[b - 1]}" for a, b in runs)


def hours_phrase(hours: WorkingHours, texts: Texts, lang: str, now: datetime) -> str:
    """The configured hours in words, with the zone: "Mon–Fri 09:00–21:00 (UTC+3, Moscow)"."""
    from bot.core.handoff_flow import zone_label  # the zone's words live with the off-hours text

    names = texts(lang, "weekdays_short").split()
    days = _day_ranges(hours.days, names)
    local = now.astimezone(hours.zone)
    return f"{days} {hours.start:%H:%M}–{hours.end:%H:%M} ({zone_label(local)})"


def with_hours(text: str, hours: WorkingHours, texts: Texts, lang: str, now: datetime) -> str:
    return text.replace(HOURS, hours_phrase(hours, texts, lang, now)) if HOURS in text else text


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
