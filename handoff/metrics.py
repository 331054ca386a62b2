"""Support metrics over a period ``[start, end)``, from tickets, survey answers and bot decisions.

Definitions (all counted over the period):

- *tickets created / resolved*: ``created_at`` / ``resolved_at`` (status RESOLVED) in the period.
- *first response time*: ``first_reply_at - created_at`` of tickets created in the period that got
  an operator reply. *Resolution time*: ``resolved_at - created_at`` of tickets resolved in it.
  Median and 90th percentile by linear interpolation between ranks (numpy's default).
- *first-contact resolution (FCR)*: among survey answers given in the period with a yes/no to
  "was it solved", the share where the answer is yes, the ticket was not reopened after the
  answer (it is still resolved and was not resolved again later) and no follow-up ticket links to
  it (``previous_ticket_id``) within ``follow_up_window`` of its resolution. Reopen and follow-up
  can only be seen for tickets passed in.
- *CSAT*: mean of the 1..5 scores given in the period, and the share of 4s and 5s.
- *resolved by the bot*: conversations with at least one decision in the period form the base;
  a conversation counts when one of its answers got ``helped=True``, none of its decisions was a
  hand-off and no ticket passed in belongs to it.
- *unanswered questions*: decision texts whose action was a hand-off or whose answer got
  ``helped=False``, compared case- and whitespace-insensitively, most frequent first.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from handoff.model import Decision, SurveyAnswer, Ticket, TicketStatus
from handoff.ports import UnitOfWork

__all__ = [
    "Metrics",
    "Unanswered",
    "compute_metrics",
    "format_metrics",
    "load_metrics",
    "percentile",
]

# the decisions where the bot did not answer: a hand-off, or nothing matched ("unknown"; recorded
# as "handoff" before the matcher named it, so both count)
_NOT_ANSWERED = frozenset({"handoff", "unknown"})


@dataclass(frozen=True, slots=True)
class Unanswered:
    text: str  # normalised: case-folded, whitespace collapsed
    count: int


@dataclass(frozen=True, slots=True)
class Metrics:
    start: datetime
    end: datetime
    tickets_created: int
    tickets_resolved: int
    first_response_median: timedelta | None
    first_response_p90: timedelta | None
    first_response_count: int
    resolution_median: timedelta | None
    resolution_p90: timedelta | None
    fcr_share: float | None
    fcr_count: int  # survey answers with a yes/no to "was it solved"
    csat_mean: float | None
    csat_satisfied_share: float | None  # share of 4 and 5
    csat_count: int
    bot_resolved_share: float | None
    bot_conversations: int  # conversations with at least one decision
    unanswered: tuple[Unanswered, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: datetimes as ISO 8601, durations as seconds."""

        def value(item: object) -> object:
            if isinstance(item, datetime):
                return item.isoformat()
            if isinstance(item, timedelta):
                return item.total_seconds()
            return item

        data: dict[str, object] = {
            item.name: value(getattr(self, item.name)) for item in fields(self)
        }
        data["unanswered"] = [{"text": u.text, "count": u.count} for u in self.unanswered]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def compute_metrics(
    tickets: Iterable[Ticket],
    surveys: Iterable[SurveyAnswer],
    decisions: Iterable[Decision],
    *,
    start: datetime,
    end: datetime,
    top: int = 10,
    follow_up_window: timedelta = timedelta(days=7),
) -> Metrics:
    """The metrics of ``[start, end)``; the inputs may hold records outside it."""

    def inside(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    by_id = {ticket.id: ticket for ticket in tickets}
    created = [t for t in by_id.values() if inside(t.created_at)]
    resolved = [
        t for t in by_id.values() if t.status is TicketStatus.RESOLVED and inside(t.resolved_at)
    ]
    first_waits = [
        (t.first_reply_at - t.created_at).total_seconds()
        for t in created
        if t.first_reply_at is not None
    ]
    resolutions = [
        (t.resolved_at - t.created_at).total_seconds() for t in resolved if t.resolved_at
    ]
    answers = [s for s in surveys if inside(s.created_at)]
    scores = [s.csat for s in answers if s.csat is not None]
    judged = [s for s in answers if s.solved is not None]
    fcr = sum(1 for s in judged if s.solved and _first_contact(s, by_id, follow_up_window))
    in_period = [d for d in decisions if inside(d.created_at)]
    bot_resolved, conversations = _bot_resolved(in_period, by_id.values())
    unanswered = Counter(
        _normalise(d.text) for d in in_period if d.action in _NOT_ANSWERED or d.helped is False
    )
    ranked = sorted(unanswered.items(), key=lambda item: (-item[1], item[0]))[:top]
    return Metrics(
        start=start,
        end=end,
        tickets_created=len(created),
        tickets_resolved=len(resolved),
        first_response_median=_seconds(percentile(first_waits, 0.5)),
        first_response_p90=_seconds(percentile(first_waits, 0.9)),
        first_response_count=len(first_waits),
        resolution_median=_seconds(percentile(resolutions, 0.5)),
        resolution_p90=_seconds(percentile(resolutions, 0.9)),
        fcr_share=_share(fcr, len(judged)),
        fcr_count=len(judged),
        csat_mean=sum(scores) / len(scores) if scores else None,
        csat_satisfied_share=_share(sum(1 for s in scores if s >= 4), len(scores)),
        csat_count=len(scores),
        bot_resolved_share=_share(bot_resolved, conversations),
        bot_conversations=conversations,
        unanswered=tuple(Unanswered(text, count) for text, count in ranked if text),
    )


def _first_contact(answer: SurveyAnswer, by_id: dict[int, Ticket], window: timedelta) -> bool:
    ticket = by_id.get(answer.ticket_id)
    if ticket is None:
        return True  # nothing known beyond the customer's own answer
    if ticket.status is not TicketStatus.RESOLVED or ticket.resolved_at is None:
        return False  # reopened and open again (or cancelled since)
    if ticket.resolved_at > answer.created_at:
        return False  # resolved again after the answer: it was reopened
    return not any(
        other.previous_ticket_id == ticket.id and other.created_at - ticket.resolved_at <= window
        for other in by_id.values()
    )


def _bot_resolved(decisions: Sequence[Decision], tickets: Iterable[Ticket]) -> tuple[int, int]:
    per_conversation: dict[int, list[Decision]] = defaultdict(list)
    for decision in decisions:
        per_conversation[decision.conversation_id].append(decision)
    with_ticket = {ticket.conversation_id for ticket in tickets}
    resolved = sum(
        1
        for conversation_id, items in per_conversation.items()
        if conversation_id not in with_ticket
        and any(d.action == "answer" and d.helped is True for d in items)
        and not any(d.action in _NOT_ANSWERED for d in items)
    )
    return resolved, len(per_conversation)


# --- text ---------------------------------------------------------------------------------------


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "n/a"
    seconds = round(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def format_metrics(metrics: Metrics) -> str:
    """A plain-text table for the terminal."""
    csat = "n/a" if metrics.csat_mean is None else f"{metrics.csat_mean:.2f} / 5"
    rows = [
        ("Tickets created", str(metrics.tickets_created)),
        ("Tickets resolved", str(metrics.tickets_resolved)),
        ("First response, median", _duration(metrics.first_response_median)),
        ("First response, p90", _duration(metrics.first_response_p90)),
        ("Resolution, median", _duration(metrics.resolution_median)),
        ("Resolution, p90", _duration(metrics.resolution_p90)),
        ("First-contact resolution", f"{_percent(metrics.fcr_share)} of {metrics.fcr_count}"),
        ("CSAT, mean", f"{csat} ({metrics.csat_count} answers)"),
        ("CSAT, 4-5", _percent(metrics.csat_satisfied_share)),
        (
            "Resolved by the bot",
            f"{_percent(metrics.bot_resolved_share)} of {metrics.bot_conversations} conversations",
        ),
    ]
    width = max(len(label) for label, _ in rows)
    start, end = metrics.start.astimezone(UTC), metrics.end.astimezone(UTC)
    lines = [f"Support metrics {start:%Y-%m-%d %H:%M} — {end:%Y-%m-%d %H:%M} UTC"]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    lines.append("Unanswered questions:")
    if metrics.unanswered:
        lines += [f"  {u.count:>4}  {u.text}" for u in metrics.unanswered]
    else:
        lines.append("  none")
    return "\n".join(lines)


# --- loading ------------------------------------------------------------------------------------


async def load_metrics(
    uow: UnitOfWork,
    *,
    start: datetime,
    end: datetime,
    top: int = 10,
    follow_up_window: timedelta = timedelta(days=7),
) -> Metrics:
    """Read what :func:`compute_metrics` needs for ``[start, end)`` and compute it.

    Tickets created up to ``follow_up_window`` after ``end`` are read too, so a follow-up to a
    ticket of the period is seen; so are the tickets of the period's survey answers.
    """
    tickets = {t.id: t for t in await uow.tickets.created_between(start, end + follow_up_window)}
    tickets.update((t.id, t) for t in await uow.tickets.resolved_between(start, end))
    surveys = await uow.surveys.between(start, end)
    for answer in surveys:
        if answer.ticket_id not in tickets:
            ticket = await uow.tickets.get(answer.ticket_id)
            if ticket is not None:
                tickets[ticket.id] = ticket
    decisions = await uow.decisions.between(start, end)
    return compute_metrics(
        tickets.values(),
        surveys,
        decisions,
        start=start,
        end=end,
        top=top,
        follow_up_window=follow_up_window,
    )
