"""What ``/stats [days]`` in the operator group shows: one PNG chart (conversations per day, the
bot's part in its colour, tickets as a line) and a short summary, read from the database."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.core import StatsPicture, Texts
from bot.reports.charts import to_png, trend_chart
from handoff import (
    Cause,
    Clock,
    History,
    by_period,
    compute_metrics,
    contact_reasons,
    duration_text,
    percent_text,
)
from storage import Database, read_history

__all__ = ["DatabaseStats", "stats_picture"]

CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption


class DatabaseStats:
    """The :class:`~bot.core.desk.commands.StatsSource` the bot runs with."""

    def __init__(self, database: Database, clock: Clock, texts: Texts) -> None:
        self._database = database
        self._clock = clock
        self._texts = texts

    async def picture(self, days: int, lang: str) -> StatsPicture:
        end = self._clock.now()
        start = end - timedelta(days=days)
        history = await read_history(self._database, start=start, end=end)
        # drawing takes a few hundred milliseconds of CPU: off the event loop
        return await asyncio.to_thread(stats_picture, history, start, end, days, lang, self._texts)


def stats_picture(
    history: History, start: datetime, end: datetime, days: int, lang: str, texts: Texts
) -> StatsPicture:
    metrics = compute_metrics(history, start=start, end=end)
    reasons = [r for r in contact_reasons(history, start, end) if not r.reason.startswith("(")][:3]
    causes = metrics.causes
    csat = "—" if metrics.csat_mean is None else f"{metrics.csat_mean:.1f}/5 ({metrics.csat_count})"
    caption = texts(
        lang,
        "stats_caption",
        days=days,
        conversations=metrics.conversations,
        bot_share=percent_text(metrics.bot_resolved_share),
        tickets=metrics.tickets_created,
        first_response=duration_text(metrics.first_response_median),
        resolution=duration_text(metrics.resolution_median),
        csat=csat,
        fcr=percent_text(metrics.fcr_share),
        asked=causes.get(Cause.ASKED, 0),
        low=causes.get(Cause.LOW_CONFIDENCE, 0),
        not_helped=causes.get(Cause.NOT_HELPED, 0),
        automatic=causes.get(Cause.AUTOMATIC, 0),
        reasons=", ".join(f"{r.reason} {r.questions}" for r in reasons) or "—",
    )
    chart = trend_chart(by_period(history, start, end, week=days > 62))
    return StatsPicture(png=to_png(chart), caption=caption[:CAPTION_LIMIT])
