"""The report's tables: the figures of :mod:`handoff.metrics` split per day or week, intent,
operator, support line, language and customer category; any table exports as CSV.

Every column is one of the definitions in :mod:`handoff.metrics` applied to a slice of the
history, so a total row and the summary always agree.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from statistics import mean

from handoff.hours import WorkingHours
from handoff.metrics import (
    CAUSE_LABELS,
    History,
    Share,
    bot_resolution,
    causes_of_handoff,
    contact_reasons,
    csat_scores,
    first_response_buckets,
    first_response_times,
    percentile,
    resolution_times,
    working_time,
)
from handoff.model import Ticket

__all__ = [
    "Table",
    "all_tables",
    "by_category",
    "by_intent",
    "by_language",
    "by_line",
    "by_operator",
    "by_period",
    "causes_table",
    "first_response_table",
]

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Table:
    """A named table: ``key`` is a short file-friendly name (``per_day``, ``intents``…)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def to_csv(self) -> str:
        """RFC 4180 CSV with a header row; empty cells for figures that do not exist."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows(["" if cell is None else cell for cell in row] for row in self.rows)
        return out.getvalue()

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def text(self) -> str:
        """An aligned plain-text rendering for the terminal."""
        cells = [list(self.columns)] + [[_show(c) for c in row] for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = [self.title]
        for row in cells:
            lines.append(
                "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            )
        return "\n".join(lines)


def _show(cell: Cell) -> str:
    if cell is None:
        return "n/a"
    if isinstance(cell, float):
        return f"{cell:g}"
    return str(cell)


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _mean(values: Sequence[int]) -> float | None:
    return round(float(mean(values)), 2) if values else None


def _inside(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


# --- slicing the history ------------------------------------------------------------------------


def _slice(history: History, keep_conversation: Callable[[int], bool]) -> History:
    """The history of the conversations ``keep_conversation`` accepts."""
    kept_tickets = tuple(t for t in history.tickets if keep_conversation(t.conversation_id))
    ticket_ids = {t.id for t in kept_tickets}
    return replace(
        history,
        conversations=tuple(c for c in history.conversations if keep_conversation(c.id)),
        decisions=tuple(d for d in history.decisions if keep_conversation(d.conversation_id)),
        tickets=kept_tickets,
        surveys=tuple(s for s in history.surveys if s.ticket_id in ticket_ids),
    )


def _desk_columns(
    history: History, start: datetime, end: datetime, hours: WorkingHours | None
) -> tuple[Cell, ...]:
    first = first_response_times(history.tickets, start, end, hours)
    resolved = resolution_times(history.tickets, start, end, hours)
    scores = csat_scores(history.surveys, start, end)
    share = bot_resolution(history, start, end)
    return (
        share.whole,
        _round(_percent(share)),
        sum(1 for t in history.tickets if _inside(t.created_at, start, end)),
        _minutes(percentile(first, 0.5)),
        _minutes(percentile(resolved, 0.5)),
        _mean(scores),
        len(scores),
    )


def _percent(share: Share) -> float | None:
    value = share.value
    return None if value is None else value * 100


DESK_COLUMNS = (
    "conversations",
    "bot resolved %",
    "tickets",
    "first response median (min)",
    "resolution median (min)",
    "CSAT mean",
    "CSAT answers",
)


def _grouped(
    key: str,
    title: str,
    label: str,
    history: History,
    start: datetime,
    end: datetime,
    hours: WorkingHours | None,
    group_of: Callable[[int], str],
) -> Table:
    """One row per group of conversations (``group_of(conversation_id)``), then a total."""
    ids = {c.id for c in history.conversations}
    ids |= {d.conversation_id for d in history.decisions}
    ids |= {t.conversation_id for t in history.tickets}
    groups: dict[str, set[int]] = defaultdict(set)
    for conversation_id in ids:
        groups[group_of(conversation_id)].add(conversation_id)
    rows = []
    for name in sorted(groups):
        members = groups[name]
        part = _slice(history, members.__contains__)
        row = (name, *_desk_columns(part, start, end, hours))
        if row[1] or row[3]:  # a conversation or a ticket in the period
            rows.append(row)
    rows.append(("total", *_desk_columns(history, start, end, hours)))
    return Table(key, title, (label, *DESK_COLUMNS), tuple(rows))


# --- the tables ---------------------------------------------------------------------------------


def by_period(
    history: History,
    start: datetime,
    end: datetime,
    *,
    week: bool = False,
    hours: WorkingHours | None = None,
) -> Table:
    """One row per day (or ISO week, from Monday) in UTC: the desk's figures of that slice."""
    step = timedelta(days=7 if week else 1)
    first = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if week:
        first -= timedelta(days=first.weekday())
    rows = []
    moment = first
    while moment < end:
        low, high = max(moment, start), min(moment + step, end)
        label = f"{moment:%G-W%V}" if week else f"{moment:%Y-%m-%d}"
        rows.append((label, *_desk_columns(history, low, high, hours)))
        moment += step
    key, title = ("per_week", "Per week") if week else ("per_day", "Per day")
    return Table(key, title, ("week" if week else "day", *DESK_COLUMNS), tuple(rows))


def by_intent(history: History, start: datetime, end: datetime) -> Table:
    """Contact reasons: questions per intent with the 👎 and hand-off rates."""
    rows = tuple(
        (
            r.reason,
            r.questions,
            r.answers,
            r.disliked,
            _round(None if r.disliked_share is None else r.disliked_share * 100),
            r.handed_off,
            _round(None if r.handoff_share is None else r.handoff_share * 100),
        )
        for r in contact_reasons(history, start, end)
    )
    columns = ("intent", "questions", "answers", "👎", "👎 %", "handed off", "hand-off %")
    return Table("intents", "Contact reasons", columns, rows)


def by_operator(
    history: History, start: datetime, end: datetime, hours: WorkingHours | None = None
) -> Table:
    """Per operator: tickets taken in the period, first response, resolution, CSAT."""
    taken: dict[str, list[Ticket]] = defaultdict(list)
    for ticket in history.tickets:
        if ticket.operator_name and _inside(ticket.taken_at, start, end):
            taken[ticket.operator_name].append(ticket)
    surveys = {s.ticket_id: s for s in history.surveys}
    rows = []
    for name in sorted(taken):
        mine = taken[name]
        ids = {t.id for t in mine}
        first = [_seconds(hours, t.created_at, t.first_reply_at) for t in mine if t.first_reply_at]
        resolved = [
            _seconds(hours, t.created_at, t.resolved_at)
            for t in mine
            if t.resolved_at and t.status.value == "resolved"
        ]
        scores = [s.csat for i, s in surveys.items() if i in ids and s.csat is not None]
        rows.append(
            (
                name,
                len(mine),
                len(resolved),
                _minutes(percentile(first, 0.5)),
                _minutes(percentile(resolved, 0.5)),
                _mean(scores),
                len(scores),
            )
        )
    columns = (
        "operator",
        "tickets taken",
        "resolved",
        "first response median (min)",
        "resolution median (min)",
        "CSAT mean",
        "CSAT answers",
    )
    return Table("operators", "Per operator", columns, tuple(rows))


def _seconds(hours: WorkingHours | None, begin: datetime, finish: datetime) -> float:
    if hours is None:
        return (finish - begin).total_seconds()
    return working_time(hours, begin, finish).total_seconds()


def by_line(
    history: History, start: datetime, end: datetime, hours: WorkingHours | None = None
) -> Table:
    """Per support line (the line a ticket is on now); conversations without a ticket: "bot"."""
    line_of = {t.conversation_id: f"line {t.line}" for t in history.tickets}
    return _grouped(
        "lines", "Per support line", "line", history, start, end, hours,
        lambda c: line_of.get(c, "bot only"),
    )  # fmt: skip


def by_language(
    history: History, start: datetime, end: datetime, hours: WorkingHours | None = None
) -> Table:
    """Per language: the language of the conversation's first question (else its ticket's)."""
    language: dict[int, str] = {}
    for ticket in history.tickets:
        language[ticket.conversation_id] = ticket.language
    for decision in sorted(history.decisions, key=lambda d: d.created_at, reverse=True):
        language[decision.conversation_id] = decision.language
    return _grouped(
        "languages", "Per language", "language", history, start, end, hours,
        lambda c: language.get(c, "?"),
    )  # fmt: skip


def by_category(
    history: History, start: datetime, end: datetime, hours: WorkingHours | None = None
) -> Table:
    """Per customer category: *new* (first seen in the period) or *returning*."""
    customer_of = history.customer_of()
    first_seen = {c.id: c.created_at for c in history.customers}

    def category(conversation_id: int) -> str:
        seen = first_seen.get(customer_of.get(conversation_id, -1))
        if seen is None:
            return "unknown"
        return "new" if seen >= start else "returning"

    return _grouped(
        "categories", "Per customer category", "category", history, start, end, hours, category
    )


def first_response_table(
    history: History, start: datetime, end: datetime, hours: WorkingHours | None = None
) -> Table:
    first = first_response_times(history.tickets, start, end, hours)
    counts = first_response_buckets(first)
    total = len(first)
    rows = tuple(
        (label, count, _round(count / total * 100 if total else None)) for label, count in counts
    )
    return Table("first_response", "First response time", ("bucket", "tickets", "%"), rows)


def causes_table(history: History, start: datetime, end: datetime) -> Table:
    counts = causes_of_handoff(history, start, end)
    total = sum(counts.values())
    rows = tuple(
        (CAUSE_LABELS[cause], count, _round(count / total * 100 if total else None))
        for cause, count in counts.items()
    )
    return Table("causes", "Causes of hand-off", ("cause", "tickets", "%"), rows)


def all_tables(
    history: History,
    start: datetime,
    end: datetime,
    hours: WorkingHours | None = None,
) -> list[Table]:
    """Every table of the report, in the order the page shows them."""
    return [
        by_period(history, start, end, hours=hours),
        by_period(history, start, end, week=True, hours=hours),
        first_response_table(history, start, end, hours),
        causes_table(history, start, end),
        by_intent(history, start, end),
        by_operator(history, start, end, hours),
        by_line(history, start, end, hours),
        by_language(history, start, end, hours),
        by_category(history, start, end, hours),
    ]
