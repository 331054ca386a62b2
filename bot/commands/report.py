"""``supportbot report --html FILE`` (the support lead's page) and ``supportbot gaps`` (what to
write next), both over the last ``--days`` of the database."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands import Context
from bot.commands.metrics import add_period_arguments, load_period, positive

if TYPE_CHECKING:
    from handoff import Gap, History

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    report = commands.add_parser(
        "report",
        help="write the support report as one self-contained HTML page (charts and tables)",
        description="Charts and tables of the last N days in one HTML file that opens without "
        "a network: the bot's share, conversations per day, contact reasons, first response, "
        "causes of hand-off, CSAT, per operator / line / language / customer category (each "
        "table with its CSV), and the content gaps.",
    )
    report.add_argument("--html", type=Path, required=True, metavar="FILE", help="page to write")
    add_period_arguments(report)
    report.set_defaults(handler=_report)

    gaps = commands.add_parser(
        "gaps",
        help="group the questions the bot missed by similarity and suggest what to write",
        description="Unanswered and 👎 questions of the last N days, grouped by similarity "
        "(the sentence encoder's vectors with [matching] encoder = 'use', character n-grams "
        "otherwise), each group with its size, examples, the nearest intent and a "
        "suggested action; --yaml writes a ready fragment for the content files.",
    )
    add_period_arguments(gaps)
    gaps.add_argument("--yaml", type=Path, metavar="FILE", help="write the YAML fragment here")
    gaps.add_argument(
        "--min-size", type=positive, default=2, metavar="N", help="smallest group (default: 2)"
    )
    gaps.add_argument(
        "--examples", type=positive, default=3, metavar="N", help="examples shown per group"
    )
    gaps.set_defaults(handler=_gaps)


def content_gaps(
    context: Context, history: History, start: datetime, end: datetime, min_size: int = 2
) -> list[Gap]:
    """The gaps of the period against the configured content's intent examples."""
    from handoff import find_gaps, misses_of
    from intents import load_content, make_encoder

    content_settings, matching = context.settings.content, context.settings.matching
    content = load_content(content_settings.intents_dir, content_settings.kb_dir)
    examples = {
        intent.id: [phrase for phrases in intent.examples.values() for phrase in phrases]
        for intent in content.intents.values()
    }
    # [matching] encoder = "use": group by the sentence encoder's vectors, else by n-grams
    encoder = make_encoder(matching.encoder, matching.cache_dir)
    embed = None if encoder is None else encoder.encode
    return find_gaps(misses_of(history, start, end), examples, embed=embed, min_size=min_size)


def _gaps(args: argparse.Namespace, context: Context) -> int:
    from handoff import format_gaps, gaps_yaml, misses_of

    period = load_period(args, context, "gaps")
    if period is None:
        return 1
    found = content_gaps(context, period.history, period.start, period.end, args.min_size)
    print(format_gaps(found, examples=args.examples))
    if args.yaml is not None:
        languages = {
            m.text: m.language for m in misses_of(period.history, period.start, period.end)
        }
        header = f"{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d} UTC."
        try:
            args.yaml.write_text(gaps_yaml(found, languages, header=header), encoding="utf-8")
        except OSError as exc:
            print(f"supportbot gaps: cannot write {args.yaml}: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {args.yaml}")
    return 0


def _report(args: argparse.Namespace, context: Context) -> int:
    from bot.reports import GapRow, build_report, render_html

    period = load_period(args, context, "report")
    if period is None:
        return 1
    found = content_gaps(context, period.history, period.start, period.end)
    rows = [GapRow(gap.size, gap.examples(), gap.suggestion) for gap in found[:15]]
    report = build_report(period.history, period.start, period.end, hours=period.hours, gaps=rows)
    try:
        args.html.write_text(render_html(report), encoding="utf-8")
    except OSError as exc:
        print(f"supportbot report: cannot write {args.html}: {exc}", file=sys.stderr)
        return 1
    metrics = report.metrics
    share = metrics.bot_resolved_share
    print(
        f"wrote {args.html}: {len(report.charts)} charts, {len(report.tables)} tables, "
        f"{len(rows)} content gaps; {metrics.conversations} conversations, resolved by the bot "
        f"{'n/a' if share is None else f'{share:.1%}'}"
    )
    return 0
