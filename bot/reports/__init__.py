"""The support lead's reports: charts (matplotlib), the self-contained HTML page, the `/stats`
picture and the weekly digest."""

from bot.reports.digest import GRACE, WeeklyDigest, last_slot
from bot.reports.page import GapRow, Report, build_report, render_html
from bot.reports.stats import DatabaseStats, stats_picture

__all__ = [
    "GRACE",
    "DatabaseStats",
    "GapRow",
    "Report",
    "WeeklyDigest",
    "build_report",
    "last_slot",
    "render_html",
    "stats_picture",
]
