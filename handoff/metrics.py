"""What a support lead watches, defined once over a stored history; docs/metrics.md explains each.

Everything here is a pure function of a :class:`History` (the records of a period, read by
``storage.history``) and a period ``[start, end)``:

- *the bot's resolution share*: among the conversations in which the customer asked something
  other than small talk (a decision in the period), those the bot answered (an ``answer`` with an
  intent or an article) with no hand-off (no ticket in the conversation), no 👎 and no repeat of
  an answered question (the same intent or article matched again for the same customer within
  ``repeat_window`` after the answer). A 👍 is not needed.
- *first response time*: ``first_reply_at - created_at`` of the tickets created in the period
  that got an operator reply; *resolution time*: ``resolved_at - created_at`` of the tickets
  resolved in it. Either in wall-clock time or, given :class:`~handoff.hours.WorkingHours`, in
  working time only. Median and 90th percentile by linear interpolation between ranks.
- *first-contact resolution (FCR)*: among the survey answers of the period with a yes/no to "was
  it solved", the share answered yes whose ticket was not reopened after the answer and has no
  follow-up ticket (``previous_ticket_id``) within ``follow_up_window`` of its resolution.
- *CSAT*: the mean of the 1..5 scores given in the period, and the share of 4s and 5s.
- *contact reasons*: the questions of the period per matched intent (``(not recognised)`` when the
  bot could not place them, ``(unclear)`` for a "did you mean"), each with the share of its
  answers that got 👎 and the share that ended with a person (a ticket in the same conversation
  opened at or after the question).
- *causes of hand-off*: the tickets created in the period by the cause stored on them (asked for
  a person, low confidence, automatic, didn't help); a person asked for after a 👎 in the same
  conversation counts as "didn't help".
- *unanswered questions*: the questions the bot could not place (``handoff`` with no intent) and
  the answers that got 👎; hand-offs that were right (a person asked for, a topic that always
  goes to people) are not misses.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta

from handoff.hours import WorkingHours
from handoff.model import Conversation, Customer, Decision, SurveyAnswer, Ticket, TicketStatus

__all__ = [
    "CAUSES",
    "CAUSE_LABELS",
    "FIRST_RESPONSE_BUCKETS",
    "HUMAN_REQUEST",
    "NOT_RECOGNISED",
    "SMALL_TALK",
    "UNCLEAR",
    "Cause",
    "History",
    "Metrics",
    "Reason",
    "Share",
    "Unanswered",
    "bot_resolution",
    "causes_of_handoff",
    "compute_metrics",
    "contact_reasons",
    "csat_scores",
    "duration_text",
    "fcr",
    "first_response_buckets",
    "first_response_times",
    "format_metrics",
    "handoff_cause",
    "is_miss",
    "percent_text",
    "percentile",
    "reason_of",
    "resolution_times",
    "summary_rows",
    "unanswered",
    "working_time",
]

HUMAN_REQUEST = "human_request"
SMALL_TALK = frozenset({"greeting", "thanks", "goodbye"})
NOT_RECOGNISED = "(not recognised)"
UNCLEAR = "(unclear)"


class Cause:
    """Why a ticket was opened; stored on the ticket (``tickets.handoff_cause``)."""

    ASKED = "asked"  # the customer asked for a person: button, /operator, "a human please"
    LOW_CONFIDENCE = "low_confidence"  # the bot could not place several messages in a row
    NOT_HELPED = "not_helped"  # an answer got 👎 (and a person was called after it)
    AUTOMATIC = "automatic"  # a topic that always goes to people (double charge, bugs)
    UNKNOWN = "unknown"  # tickets stored before causes were recorded


CAUSES = (Cause.ASKED, Cause.LOW_CONFIDENCE, Cause.NOT_HELPED, Cause.AUTOMATIC, Cause.UNKNOWN)

# (label, upper bound in seconds; None = no bound), as Chatwoot's reports show them
FIRST_RESPONSE_BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("< 5 min", 5 * 60),
    ("< 15 min", 15 * 60),
    ("< 1 h", 3600),
    ("< 4 h", 4 * 3600),
    ("more", None),
)


@dataclass(frozen=True, slots=True)
class History:
    """The stored records a report needs; they may reach outside the period asked about."""

    customers: tuple[Customer, ...] = ()
    conversations: tuple[Conversation, ...] = ()
    decisions: tuple[Decision, ...] = ()
    tickets: tuple[Ticket, ...] = ()
    surveys: tuple[SurveyAnswer, ...] = ()

    def customer_of(self) -> dict[int, int]:
        """conversation id → customer id."""
        return {c.id: c.customer_id for c in self.conversations}


@dataclass(frozen=True, slots=True)
class Share:
    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True, slots=True)
class Unanswered:
    text: str  # normalised: case-folded, whitespace collapsed
    count: int


def _inside(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def percentile(values: Sequence[float], share: float) -> float | None:
    """Linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * share
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


# --- the bot's share ----------------------------------------------------------------------------


def _answered(decision: Decision) -> bool:
    return decision.action == "answer" and (
        decision.article is not None
        or (decision.intent is not None and decision.intent not in SMALL_TALK)
    )


def _topic(decision: Decision) -> tuple[str | None, str | None]:
    return decision.intent, decision.article


def bot_resolution(
    history: History,
    start: datetime,
    end: datetime,
    *,
    repeat_window: timedelta = timedelta(hours=24),
) -> Share:
    """Conversations resolved by the bot alone, out of those with a real question."""
    customer_of = history.customer_of()
    per_conversation: dict[int, list[Decision]] = defaultdict(list)
    for decision in history.decisions:
        per_conversation[decision.conversation_id].append(decision)
    base = {
        conversation_id
        for conversation_id, items in per_conversation.items()
        if any(_inside(d.created_at, start, end) and d.intent not in SMALL_TALK for d in items)
    }
    with_ticket = {t.conversation_id for t in history.tickets}
    per_customer: dict[int, list[Decision]] = defaultdict(list)
    for decision in history.decisions:
        owner = customer_of.get(decision.conversation_id, -decision.conversation_id)
        per_customer[owner].append(decision)

    def repeated(answer: Decision) -> bool:
        owner = customer_of.get(answer.conversation_id, -answer.conversation_id)
        return any(
            other.id != answer.id
            and _topic(other) == _topic(answer)
            and answer.created_at <= other.created_at <= answer.created_at + repeat_window
            for other in per_customer[owner]
        )

    resolved = 0
    for conversation_id in base:
        items = per_conversation[conversation_id]
        answers = [d for d in items if _answered(d)]
        if (
            answers
            and conversation_id not in with_ticket
            and not any(d.helped is False for d in items)
            and not any(repeated(d) for d in answers)
        ):
            resolved += 1
    return Share(resolved, len(base))


# --- times --------------------------------------------------------------------------------------


def working_time(hours: WorkingHours, begin: datetime, finish: datetime) -> timedelta:
    """The part of ``[begin, finish)`` inside working hours (working days, start..end)."""
    if finish <= begin:
        return timedelta(0)
    total = timedelta(0)
    day = begin.astimezone(hours.zone).date() - timedelta(days=1)
    last = finish.astimezone(hours.zone).date()
    while day <= last:
        if hours.is_working_day(day):
            opens = datetime.combine(day, hours.start, tzinfo=hours.zone).astimezone(UTC)
            closes = datetime.combine(day, hours.end, tzinfo=hours.zone).astimezone(UTC)
            overlap = min(closes, finish) - max(opens, begin)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def _duration(hours: WorkingHours | None, begin: datetime, finish: datetime) -> float:
    if hours is None:
        return (finish - begin).total_seconds()
    return working_time(hours, begin, finish).total_seconds()


def first_response_times(
    tickets: Iterable[Ticket], start: datetime, end: datetime, hours: WorkingHours | None = None
) -> list[float]:
    """Seconds to the first operator reply of the tickets created in the period."""
    return [
        _duration(hours, t.created_at, t.first_reply_at)
        for t in tickets
        if _inside(t.created_at, start, end) and t.first_reply_at is not None
    ]


def resolution_times(
    tickets: Iterable[Ticket], start: datetime, end: datetime, hours: WorkingHours | None = None
) -> list[float]:
    """Seconds from creation to resolution of the tickets resolved in the period."""
    return [
        _duration(hours, t.created_at, t.resolved_at)
        for t in tickets
        if t.status is TicketStatus.RESOLVED
        and t.resolved_at is not None
        and _inside(t.resolved_at, start, end)
    ]


def first_response_buckets(seconds: Iterable[float]) -> list[tuple[str, int]]:
    """How many first responses fall in each of :data:`FIRST_RESPONSE_BUCKETS`."""
    counts = dict.fromkeys((label for label, _ in FIRST_RESPONSE_BUCKETS), 0)
    for value in seconds:
        for label, bound in FIRST_RESPONSE_BUCKETS:
            if bound is None or value < bound:
                counts[label] += 1
                break
    return list(counts.items())


# --- FCR, CSAT ----------------------------------------------------------------------------------


def _first_contact(answer: SurveyAnswer, by_id: dict[int, Ticket], window: timedelta) -> bool:
    ticket = by_id.get(answer.ticket_id)
    if ticket is None:
        return True  # nothing known beyond the customer's own answer
    if ticket.status is not TicketStatus.RESOLVED or ticket.resolved_at is None:
        return False  # reopened and open again (or cancelled since)
    if ticket.resolved_at > answer.created_at:
        return False  # resolved again after the answer: it was reopened
    resolved_at = ticket.resolved_at
    return not any(
        other.previous_ticket_id == ticket.id and other.created_at - resolved_at <= window
        for other in by_id.values()
    )


def fcr(
    history: History,
    start: datetime,
    end: datetime,
    *,
    follow_up_window: timedelta = timedelta(days=7),
) -> Share:
    by_id = {t.id: t for t in history.tickets}
    judged = [
        s for s in history.surveys if _inside(s.created_at, start, end) and s.solved is not None
    ]
    yes = sum(1 for s in judged if s.solved and _first_contact(s, by_id, follow_up_window))
    return Share(yes, len(judged))


def csat_scores(surveys: Iterable[SurveyAnswer], start: datetime, end: datetime) -> list[int]:
    return [s.csat for s in surveys if s.csat is not None and _inside(s.created_at, start, end)]


# --- reasons and causes -------------------------------------------------------------------------


def reason_of(decision: Decision) -> str:
    """The contact reason of one question: its intent or article, else why there is none."""
    if decision.intent is not None:
        return decision.intent
    if decision.article is not None:
        return f"article:{decision.article}"
    return UNCLEAR if decision.action == "clarify" else NOT_RECOGNISED


@dataclass(frozen=True, slots=True)
class Reason:
    reason: str
    questions: int
    answers: int
    disliked: int  # answers with 👎
    handed_off: int  # questions followed by a ticket in the same conversation

    @property
    def disliked_share(self) -> float | None:
        return Share(self.disliked, self.answers).value

    @property
    def handoff_share(self) -> float | None:
        return Share(self.handed_off, self.questions).value


def _questions(history: History, start: datetime, end: datetime) -> list[Decision]:
    """The decisions of the period: typed questions and topics picked from buttons."""
    return [d for d in history.decisions if _inside(d.created_at, start, end)]


def contact_reasons(history: History, start: datetime, end: datetime) -> list[Reason]:
    """Per reason, most asked first; small talk is left out."""
    tickets_of: dict[int, list[Ticket]] = defaultdict(list)
    for ticket in history.tickets:
        tickets_of[ticket.conversation_id].append(ticket)
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for decision in _questions(history, start, end):
        if decision.intent in SMALL_TALK:
            continue
        row = rows[reason_of(decision)]
        row[0] += 1
        if decision.action == "answer":
            row[1] += 1
            row[2] += decision.helped is False
        row[3] += any(
            t.created_at >= decision.created_at for t in tickets_of[decision.conversation_id]
        )
    reasons = [Reason(name, *values) for name, values in rows.items()]
    return sorted(reasons, key=lambda r: (-r.questions, r.reason))


def handoff_cause(ticket: Ticket, decisions: Iterable[Decision]) -> str:
    """The cause stored on the ticket; a person asked for after a 👎 is "didn't help"."""
    cause = ticket.handoff_cause or Cause.UNKNOWN
    if cause == Cause.ASKED and any(
        d.conversation_id == ticket.conversation_id
        and d.helped is False
        and d.created_at <= ticket.created_at
        for d in decisions
    ):
        return Cause.NOT_HELPED
    return cause


def causes_of_handoff(history: History, start: datetime, end: datetime) -> dict[str, int]:
    """Tickets created in the period per cause, every cause listed (zero included)."""
    per_conversation: dict[int, list[Decision]] = defaultdict(list)
    for decision in history.decisions:
        per_conversation[decision.conversation_id].append(decision)
    counts = Counter(
        handoff_cause(t, per_conversation[t.conversation_id])
        for t in history.tickets
        if _inside(t.created_at, start, end)
    )
    return {cause: counts.get(cause, 0) for cause in CAUSES}


def is_miss(decision: Decision) -> bool:
    """A question the bot did not answer well: not placed at all, or answered and 👎'd."""
    if decision.helped is False:
        return True
    # nothing matched: "unknown" (recorded as "handoff" with no intent before the matcher named it)
    not_placed = decision.action in ("unknown", "handoff") and decision.intent is None
    return not_placed and bool(decision.text.strip())


def unanswered(history: History, start: datetime, end: datetime, top: int) -> list[Unanswered]:
    counts = Counter(_normalise(d.text) for d in _questions(history, start, end) if is_miss(d))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [Unanswered(text, count) for text, count in ranked if text]


# --- the summary --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Metrics:
    start: datetime
    end: datetime
    working_hours_only: bool
    conversations: int  # with a real question in the period
    bot_resolved: int
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
    causes: dict[str, int] = field(default_factory=dict)
    buckets: tuple[tuple[str, int], ...] = ()
    unanswered: tuple[Unanswered, ...] = ()

    @property
    def bot_resolved_share(self) -> float | None:
        return Share(self.bot_resolved, self.conversations).value

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
        data["bot_resolved_share"] = self.bot_resolved_share
        data["buckets"] = dict(self.buckets)
        data["unanswered"] = [{"text": u.text, "count": u.count} for u in self.unanswered]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def _seconds(value: float | None) -> timedelta | None:
    return None if value is None else timedelta(seconds=value)


def compute_metrics(
    history: History,
    *,
    start: datetime,
    end: datetime,
    hours: WorkingHours | None = None,
    top: int = 10,
    repeat_window: timedelta = timedelta(hours=24),
    follow_up_window: timedelta = timedelta(days=7),
) -> Metrics:
    """The figures of ``[start, end)``; ``hours`` counts times in working hours only."""
    first = first_response_times(history.tickets, start, end, hours)
    resolutions = resolution_times(history.tickets, start, end, hours)
    scores = csat_scores(history.surveys, start, end)
    share = bot_resolution(history, start, end, repeat_window=repeat_window)
    contact = fcr(history, start, end, follow_up_window=follow_up_window)
    return Metrics(
        start=start,
        end=end,
        working_hours_only=hours is not None,
        conversations=share.whole,
        bot_resolved=share.part,
        tickets_created=sum(1 for t in history.tickets if _inside(t.created_at, start, end)),
        tickets_resolved=len(resolutions),
        first_response_median=_seconds(percentile(first, 0.5)),
        first_response_p90=_seconds(percentile(first, 0.9)),
        first_response_count=len(first),
        resolution_median=_seconds(percentile(resolutions, 0.5)),
        resolution_p90=_seconds(percentile(resolutions, 0.9)),
        fcr_share=contact.value,
        fcr_count=contact.whole,
        csat_mean=sum(scores) / len(scores) if scores else None,
        csat_satisfied_share=Share(sum(1 for s in scores if s >= 4), len(scores)).value,
        csat_count=len(scores),
        causes=causes_of_handoff(history, start, end),
        buckets=tuple(first_response_buckets(first)),
        unanswered=tuple(unanswered(history, start, end, top)),
    )


# --- text ---------------------------------------------------------------------------------------


def duration_text(value: timedelta | float | None) -> str:
    if value is None:
        return "n/a"
    seconds = round(value.total_seconds() if isinstance(value, timedelta) else value)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def percent_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


CAUSE_LABELS = {
    Cause.ASKED: "asked for a person",
    Cause.LOW_CONFIDENCE: "low confidence",
    Cause.NOT_HELPED: "didn't help",
    Cause.AUTOMATIC: "automatic (topic)",
    Cause.UNKNOWN: "not recorded",
}


def summary_rows(metrics: Metrics) -> list[tuple[str, str]]:
    csat = "n/a" if metrics.csat_mean is None else f"{metrics.csat_mean:.2f} / 5"
    return [
        (
            "Resolved by the bot",
            f"{percent_text(metrics.bot_resolved_share)} "
            f"({metrics.bot_resolved} of {metrics.conversations} conversations)",
        ),
        ("Tickets created", str(metrics.tickets_created)),
        ("Tickets resolved", str(metrics.tickets_resolved)),
        ("First response, median", duration_text(metrics.first_response_median)),
        ("First response, p90", duration_text(metrics.first_response_p90)),
        ("Resolution, median", duration_text(metrics.resolution_median)),
        ("Resolution, p90", duration_text(metrics.resolution_p90)),
        ("First-contact resolution", f"{percent_text(metrics.fcr_share)} of {metrics.fcr_count}"),
        ("CSAT, mean", f"{csat} ({metrics.csat_count} answers)"),
        ("CSAT, 4-5", percent_text(metrics.csat_satisfied_share)),
    ]


def format_metrics(metrics: Metrics) -> str:
    """A plain-text summary for the terminal."""
    rows = summary_rows(metrics)
    width = max(len(label) for label, _ in rows)
    start, end = metrics.start.astimezone(UTC), metrics.end.astimezone(UTC)
    scope = " (times in working hours)" if metrics.working_hours_only else ""
    lines = [f"Support metrics {start:%Y-%m-%d %H:%M} — {end:%Y-%m-%d %H:%M} UTC{scope}"]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    lines.append("First response:")
    lines.append("  " + ", ".join(f"{label}: {count}" for label, count in metrics.buckets))
    lines.append("Causes of hand-off:")
    lines.append(
        "  "
        + ", ".join(
            f"{CAUSE_LABELS[cause]}: {count}"
            for cause, count in metrics.causes.items()
            if count or cause != Cause.UNKNOWN
        )
    )
    lines.append("Unanswered questions (not placed, or answered and 👎):")
    if metrics.unanswered:
        lines += [f"  {u.count:>4}  {u.text}" for u in metrics.unanswered]
    else:
        lines.append("  none")
    return "\n".join(lines)
