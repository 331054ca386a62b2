"""/reload: swap in the edited content and report, in the admin's language alone, what changed.
Used by the customer dialog (an admin's private chat) and by the desk (the operator groups)."""

from __future__ import annotations

import html

from bot.core.deps import Deps
from bot.core.ports import ReloadOutcome
from bot.core.reader import prepare_reader
from bot.core.replies import Reply
from intents import ReloadInProgress

__all__ = ["reload_content"]


async def reload_content(deps: Deps, lang: str) -> Reply:
    """Swap in the edited content; on errors the live content stays and the problems are listed."""
    try:
        report = await deps.brain.reload()
    except ReloadInProgress:
        return Reply(deps.texts(lang, "reload_busy"))
    if report.ok:
        await prepare_reader(deps)
        if deps.shared:
            await deps.shared.content.announce()  # the other replicas reload too
        return Reply(_reload_summary(deps, lang, report))
    problems = "\n".join(_escape(str(problem)) for problem in report.problems[:20])
    return Reply(deps.texts(lang, "reload_failed", problems=problems))


def _reload_summary(deps: Deps, lang: str, report: ReloadOutcome) -> str:
    """The reload report in the admin's language alone (the content's ids stay as they are)."""
    texts = deps.texts
    lines = [
        texts(
            lang,
            "reload_ok",
            intents=report.stats.get("intents", 0),
            articles=report.stats.get("articles", 0),
        )
    ]
    added, removed, changed = report.changes()
    if not (added or removed or changed):
        lines.append(texts(lang, "reload_nothing_changed"))
    else:

        def ids(group: tuple[str, ...]) -> str:
            return _escape(", ".join(group) or "—")

        lines.append(
            texts(
                lang,
                "reload_changes",
                added=ids(added),
                removed=ids(removed),
                changed=ids(changed),
            )
        )
    return "\n".join(lines)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
