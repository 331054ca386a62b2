"""The report's charts, drawn with matplotlib (Agg: no display) as inline SVG or PNG bytes.

Each chart is a function of the tables in :mod:`handoff.breakdowns`, so a chart and the table
under it always show the same figures.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from handoff import Table

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "Chart",
    "causes_chart",
    "csat_chart",
    "first_response_chart",
    "reasons_chart",
    "to_png",
    "to_svg",
    "trend_chart",
]

BOT = "#2a9d8f"
PEOPLE = "#e76f51"
ACCENT = "#264653"
MUTED = "#8d99ae"
_RC: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller, selectable, any script
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
}


@dataclass(frozen=True, slots=True)
class Chart:
    key: str  # unique on the page; also salts the SVG's element ids
    title: str
    figure: Figure


@contextmanager
def _style(key: str) -> Iterator[None]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context

    params: Any = {**_RC, "svg.hashsalt": key}
    with rc_context(params):
        yield


def _figure(width: float = 7.5, height: float = 3.2) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.subplots()


def _numbers(table: Table, column: str) -> list[float]:
    return [float(v) if isinstance(v, int | float) else 0.0 for v in table.column(column)]


def trend_chart(per_period: Table) -> Chart:
    """Conversations per day (or week): resolved by the bot vs the rest, and tickets."""
    with _style("trend"):
        figure, axes = _figure()
        labels = [str(v) for v in per_period.column(per_period.columns[0])]
        conversations = _numbers(per_period, "conversations")
        share = _numbers(per_period, "bot resolved %")
        by_bot = [c * s / 100 for c, s in zip(conversations, share, strict=True)]
        rest = [c - b for c, b in zip(conversations, by_bot, strict=True)]
        positions = range(len(labels))
        axes.bar(positions, by_bot, color=BOT, label="resolved by the bot")
        axes.bar(positions, rest, bottom=by_bot, color=PEOPLE, label="not by the bot alone")
        tickets = _numbers(per_period, "tickets")
        axes.plot(positions, tickets, color=ACCENT, marker="o", markersize=3, label="tickets")
        axes.set_ylabel("conversations")
        _label_x(axes, labels)
        figure.legend(loc="outside lower center", frameon=False, ncols=3)
        axes.set_title("Conversations and tickets")
        return Chart("trend", "Conversations per " + per_period.columns[0], figure)


def _label_x(axes: Axes, labels: Sequence[str]) -> None:
    step = max(1, len(labels) // 12)
    axes.set_xticks(range(0, len(labels), step))
    axes.set_xticklabels([label[5:] if len(label) == 10 else label for label in labels][::step])


def first_response_chart(buckets: Table) -> Chart:
    with _style("first_response"):
        figure, axes = _figure(4.5, 3.0)
        labels = [str(v) for v in buckets.column("bucket")]
        counts = _numbers(buckets, "tickets")
        colors = [BOT, BOT, MUTED, PEOPLE, PEOPLE][: len(labels)]
        bars = axes.bar(labels, counts, color=colors)
        axes.bar_label(bars, fmt="%d")
        axes.set_ylabel("tickets")
        axes.set_title("First response time")
        return Chart("first_response", "First response time", figure)


def causes_chart(causes: Table) -> Chart:
    with _style("causes"):
        figure, axes = _figure(4.5, 3.0)
        labels = [str(v) for v in causes.column("cause")]
        counts = _numbers(causes, "tickets")
        bars = axes.barh(labels[::-1], counts[::-1], color=PEOPLE)
        axes.bar_label(bars, fmt="%d")
        axes.set_xlabel("tickets")
        axes.set_title("Causes of hand-off")
        return Chart("causes", "Causes of hand-off", figure)


def reasons_chart(reasons: Table, top: int = 12) -> Chart:
    """The most asked contact reasons; the part that ended with a person in the other colour."""
    with _style("reasons"):
        rows = list(reasons.rows)[:top][::-1]
        height = max(2.5, 0.28 * len(rows) + 1.0)
        figure, axes = _figure(7.5, height)
        names = [str(row[0]) for row in rows]
        questions = [float(row[1] or 0) for row in rows]
        handed = [float(row[5] or 0) for row in rows]
        kept = [q - h for q, h in zip(questions, handed, strict=True)]
        axes.barh(names, kept, color=BOT, label="stayed with the bot")
        axes.barh(names, handed, left=kept, color=PEOPLE, label="ended with a person")
        axes.set_xlabel("questions")
        figure.legend(loc="outside lower center", frameon=False, ncols=2)
        axes.set_title("Contact reasons")
        return Chart("reasons", "Contact reasons", figure)


def csat_chart(scores: Sequence[int]) -> Chart:
    with _style("csat"):
        figure, axes = _figure(4.5, 3.0)
        counts = [sum(1 for s in scores if s == value) for value in range(1, 6)]
        colors = [PEOPLE, PEOPLE, MUTED, BOT, BOT]
        bars = axes.bar([str(v) for v in range(1, 6)], counts, color=colors)
        axes.bar_label(bars, fmt="%d")
        axes.set_xlabel("score")
        axes.set_ylabel("answers")
        axes.set_title("CSAT")
        return Chart("csat", "CSAT", figure)


_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def to_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element to put inline in a page (no XML prologue)."""
    with _style(chart.key):
        buffer = io.StringIO()
        chart.figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = _XML_PROLOGUE.sub("", buffer.getvalue(), count=1)
    return svg.replace("<svg ", f'<svg data-chart="{chart.key}" role="img" ', 1)


def to_png(chart: Chart, dpi: int = 110) -> bytes:
    with _style(chart.key):
        buffer = io.BytesIO()
        chart.figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
