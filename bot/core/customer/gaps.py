"""/gaps for admins in the private chat: the missed questions of the last days, grouped, and a
button that adds a question to the examples of the intent it belongs to (written to the
content files, validated, reloaded)."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence
from datetime import timedelta

from bot.core import callbacks as cb
from bot.core.actions import Button
from bot.core.deps import Deps
from bot.core.reload import reload_content
from bot.core.replies import Reply
from handoff import ADD_EXAMPLES, REVIEW_ANSWER, Decision, Gap, History, find_gaps, misses_of
from intents import ContentError, EditError, add_example

__all__ = ["GAPS_DAYS", "GAPS_MAX_DAYS", "add_example_reply", "gaps_days", "gaps_reply"]

GAPS_DAYS = 7
GAPS_MAX_DAYS = 90
GAPS_SHOWN = 5
BUTTON_TEXT = 28  # characters of the question shown on its button


def gaps_days(args: str) -> int | None:
    """The period asked for (``/gaps``, ``/gaps 30``); None when it is not 1..GAPS_MAX_DAYS."""
    args = args.strip()
    if not args:
        return GAPS_DAYS
    return int(args) if args.isdigit() and 1 <= int(args) <= GAPS_MAX_DAYS else None


async def gaps_reply(deps: Deps, days: int, lang: str) -> Reply:
    texts = deps.texts
    end = deps.clock.now()
    start = end - timedelta(days=days)
    async with deps.uow() as uow:
        decisions = tuple(await uow.decisions.between(start, end))
    misses = misses_of(History(decisions=decisions), start, end)
    content = deps.brain.content
    examples = {
        intent.id: [p for phrases in intent.examples.values() for p in phrases]
        for intent in content.intents.values()
        if not intent.is_system
    }
    encoder = deps.brain.engine.encoder  # with it, questions group by meaning
    embed = None if encoder is None else encoder.encode
    # clustering takes CPU (scikit-learn): off the event loop
    gaps = await asyncio.to_thread(find_gaps, misses, examples, embed=embed, min_size=1)
    gaps = gaps[:GAPS_SHOWN]
    if not gaps:
        return Reply(texts(lang, "gaps_none", days=days))
    lines = [texts(lang, "gaps_header", days=days, misses=len(misses))]
    rows: list[tuple[Button, ...]] = []
    for number, gap in enumerate(gaps, 1):
        lines.append(
            texts(
                lang,
                _LINE_KEYS.get(gap.action, "gaps_line_new"),
                number=number,
                size=gap.size,
                example=_escape(gap.texts[0]),
                intent=gap.target or gap.nearest_intent or "—",
            )
        )
        decision = _newest_with(decisions, gap)
        if gap.action == ADD_EXAMPLES and gap.target is not None and decision is not None:
            title = texts(lang, "gaps_add_button", text=_short(gap.texts[0]), intent=gap.target)
            rows.append((Button(title, data=cb.encode(cb.AddExample(decision, gap.target))),))
    return Reply("\n".join(lines), tuple(rows))


_LINE_KEYS = {ADD_EXAMPLES: "gaps_line_add", REVIEW_ANSWER: "gaps_line_review"}


async def add_example_reply(deps: Deps, decision_id: int, intent_id: str, lang: str) -> Reply:
    """Write the question of ``decision_id`` into the examples of ``intent_id``, then reload."""
    texts = deps.texts
    async with deps.uow() as uow:
        decision = await uow.decisions.get(decision_id)
    if decision is None or deps.config.intents_dir is None:
        return Reply(texts(lang, "example_gone"))
    try:
        added = await asyncio.to_thread(
            add_example,
            deps.config.intents_dir,
            intent_id,
            decision.language,
            decision.text,
            deps.config.languages,
        )
    except EditError as exc:
        return Reply(texts(lang, "example_refused", reason=_escape(str(exc))))
    except ContentError as exc:
        problems = "\n".join(_escape(str(p)) for p in exc.problems[:10])
        return Reply(texts(lang, "example_invalid", problems=problems))
    reloaded = await reload_content(deps, lang)
    added_text = texts(
        lang, "example_added", text=_escape(added.text), intent=intent_id, language=added.lang
    )
    return Reply(f"{added_text}\n{reloaded.text}")


def _newest_with(decisions: Sequence[Decision], gap: Gap) -> int | None:
    """The newest stored question whose text is the group's first (the one on the button)."""
    wanted = gap.texts[0]
    found = [d for d in decisions if " ".join(d.text.casefold().split()) == wanted]
    return max(found, key=lambda d: (d.created_at, d.id)).id if found else None


def _short(text: str) -> str:
    return text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1] + "…"


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
