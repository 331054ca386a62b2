"""One source of truth for working hours: answers write ``{hours}`` and get the configured hours
("Mon–Fri 09:00–21:00 (UTC+3, Moscow)"); ``supportbot check`` warns about answers that state
hours of their own which contradict the configuration (:mod:`handoff.stated_hours`)."""

from __future__ import annotations

from datetime import datetime

from bot.core.texts import Texts
from handoff import WorkingHours

__all__ = ["HOURS", "hours_phrase", "with_hours", "zone_label"]

HOURS = "{hours}"


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
    names = texts(lang, "weekdays_short").split()
    days = _day_ranges(hours.days, names)
    local = now.astimezone(hours.zone)
    return f"{days} {hours.start:%H:%M}–{hours.end:%H:%M} ({zone_label(local)})"


def with_hours(text: str, hours: WorkingHours, texts: Texts, lang: str, now: datetime) -> str:
    return text.replace(HOURS, hours_phrase(hours, texts, lang, now)) if HOURS in text else text


def zone_label(moment: datetime) -> str:
    """The operators' time zone as a customer anywhere can read it: "UTC+3, Moscow"."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    utc = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"
    key = getattr(moment.tzinfo, "key", None)
    place = key.rsplit("/", 1)[-1].replace("_", " ") if isinstance(key, str) else None
    return f"{utc}, {place}" if place and place != "UTC" else utc
