"""``supportbot report --html``: one self-contained HTML page (charts inline as SVG, the tables,
each with its CSV as a download link); it opens without a network."""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.reports.charts import (
    Chart,
    causes_chart,
    csat_chart,
    first_response_chart,
    reasons_chart,
    to_svg,
    trend_chart,
)
from handoff import (
    History,
    Metrics,
    Table,
    WorkingHours,
    all_tables,
    compute_metrics,
    csat_scores,
    summary_rows,
)

__all__ = ["GapRow", "Report", "build_report", "render_html"]


@dataclass(frozen=True, slots=True)
class GapRow:
    """One group of content gaps, as the page shows it."""

    size: int
    examples: tuple[str, ...]
    suggestion: str


@dataclass(frozen=True, slots=True)
class Report:
    metrics: Metrics
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...]
    gaps: tuple[GapRow, ...] = field(default=())


def build_report(
    history: History,
    start: datetime,
    end: datetime,
    *,
    hours: WorkingHours | None = None,
    gaps: Sequence[GapRow] = (),
) -> Report:
    metrics = compute_metrics(history, start=start, end=end, hours=hours)
    tables = all_tables(history, start, end, hours)
    by_key = {table.key: table for table in tables}
    long = (end - start).days > 62
    charts = (
        trend_chart(by_key["per_week" if long else "per_day"]),
        reasons_chart(by_key["intents"]),
        first_response_chart(by_key["first_response"]),
        causes_chart(by_key["causes"]),
        csat_chart(csat_scores(history.surveys, start, end)),
    )
    return Report(metrics, tuple(tables), charts, tuple(gaps))


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;
color:#1d2433}
header{background:#264653;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.8}
main{padding:20px 28px;max-width:1180px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:12px}
.card{background:#fff;border-radius:8px;padding:12px 14px;box-shadow:0 1px 2px #0002}
.card .label{font-size:12px;color:#5c677d}
.card .value{font-size:18px;font-weight:600;margin-top:4px}
.charts{display:flex;flex-wrap:wrap;gap:14px;margin-top:18px}
figure{background:#fff;border-radius:8px;margin:0;padding:8px;box-shadow:0 1px 2px #0002}
figure svg{display:block;max-width:100%;height:auto}
section{margin-top:26px}h2{font-size:17px;margin:0 0 8px}
table{border-collapse:collapse;background:#fff;font-size:13px;box-shadow:0 1px 2px #0002}
th,td{padding:5px 10px;border-bottom:1px solid #e3e6eb;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef1f5;font-weight:600}
a.csv{font-size:12px;margin-left:10px}
ul.examples{margin:4px 0 0 18px;padding:0;color:#5c677d}
#gaps td{text-align:left;vertical-align:top}
footer{padding:16px 28px 30px;color:#5c677d;font-size:12px}
"""

# Marks the page once laid out: how many charts have a size on screen (a test reads it).
_SCRIPT = """
document.addEventListener("DOMContentLoaded", function () {
  var shown = 0;
  document.querySelectorAll("svg[data-chart]").forEach(function (svg) {
    var box = svg.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) { shown += 1; }
  });
  document.body.setAttribute("data-charts-shown", String(shown));
});
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return _e(value)


def _table_html(table: Table) -> str:
    csv_link = "data:text/csv;charset=utf-8;base64," + base64.b64encode(
        table.to_csv().encode("utf-8")
    ).decode("ascii")
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in table.rows
    )
    if not table.rows:
        body = f'<tr><td colspan="{len(table.columns)}">no data in this period</td></tr>'
    return (
        f'<section id="table-{_e(table.key)}"><h2>{_e(table.title)}'
        f'<a class="csv" download="{_e(table.key)}.csv" href="{csv_link}">CSV</a></h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></section>"
    )


def _gaps_html(gaps: Sequence[GapRow]) -> str:
    if not gaps:
        return ""
    items = "".join(
        f"<tr><td>{gap.size}</td><td>{_e(gap.suggestion)}<ul class='examples'>"
        + "".join(f"<li>{_e(example)}</li>" for example in gap.examples)
        + "</ul></td></tr>"
        for gap in gaps
    )
    return (
        '<section id="gaps"><h2>Content gaps: what to write next</h2>'
        "<table><thead><tr><th>questions</th><th>suggested action and examples</th></tr>"
        f"</thead><tbody>{items}</tbody></table></section>"
    )


def render_html(report: Report, *, generated: datetime | None = None) -> str:
    metrics = report.metrics
    start, end = metrics.start.astimezone(UTC), metrics.end.astimezone(UTC)
    period = f"{start:%Y-%m-%d %H:%M} — {end:%Y-%m-%d %H:%M} UTC"
    scope = "; times in working hours only" if metrics.working_hours_only else ""
    cards = "".join(
        f'<div class="card"><div class="label">{_e(label)}</div>'
        f'<div class="value">{_e(value)}</div></div>'
        for label, value in summary_rows(metrics)
    )
    charts = "".join(
        f'<figure id="chart-{_e(chart.key)}" aria-label="{_e(chart.title)}">{to_svg(chart)}'
        "</figure>"
        for chart in report.charts
    )
    tables = "".join(_table_html(table) for table in report.tables)
    made = (generated or datetime.now(UTC)).astimezone(UTC)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Support report {_e(period)}</title><style>{_CSS}</style></head>"
        f'<body data-charts="{len(report.charts)}">'
        f"<header><h1>Support report</h1><p>{_e(period)}{_e(scope)}</p></header><main>"
        f'<div class="cards">{cards}</div><div class="charts">{charts}</div>'
        f"{_gaps_html(report.gaps)}{tables}</main>"
        f"<footer>Generated {made:%Y-%m-%d %H:%M} UTC by supportbot. Definitions: "
        "docs/metrics.md. The bot's resolution share counts conversations the bot answered "
        "with no hand-off, no 👎 and no repeat of the question within 24 h.</footer>"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )
