"""Operator commands in the group: /queue, /mine, /take N, /close, /escalate [line], /kb words,
/t (answer templates), /ban, /unban, /stats [days], /start and /help; /reload for admins.

(/note and ``!`` notes are handled by the relay: they are messages, not commands.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.core.actions import Button, SendPhoto, SendText
from bot.core.callbacks import parse_id
from bot.core.deps import Deps
from bot.core.desk.callbacks import SendArticle, encode_desk
from bot.core.desk.cards import age_text, escape
from bot.core.desk.kb import INTENT_MARK
from bot.core.desk.lifecycle import Lifecycle, Reply
from bot.core.desk.once import Once
from bot.core.desk.templates import Templates
from bot.core.desk.tools import my_tickets, set_banned
from bot.core.desk.topics import Board
from bot.core.events import MessageReceived
from bot.core.reload import reload_content
from bot.core.views import TicketView
from handoff import order_queue, plain_text

__all__ = ["COMMANDS", "ArticleFinder", "Commands", "FoundArticle", "StatsPicture", "StatsSource"]

COMMANDS = frozenset(
    {"queue", "mine", "take", "close", "escalate", "kb", "t", "ban", "unban", "help", "start"}
    | {"reload", "stats"}
)
STATS_DAYS, STATS_MAX_DAYS = 7, 92
QUEUE_SHOWN = 30  # longer queues are cut; the count in the title stays true
KB_SHOWN = 5  # /kb hits offered
PREVIEW = 120  # characters of each hit shown
BUTTON_TEXT = 64  # a button's words, cut


class FoundArticle(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...


class ArticleFinder(Protocol):
    """Finds and renders knowledge-base articles and intent answers for /kb (see
    :mod:`bot.core.desk.kb`)."""

    def search(self, query: str, lang: str) -> Sequence[FoundArticle]:
        """The best hits, best first (at most five)."""
        ...

    def render(self, article_id: str, lang: str) -> tuple[str, str] | None:
        """(title, Telegram HTML body) of the article in ``lang``; None if it is gone."""
        ...


@dataclass(frozen=True, slots=True)
class StatsPicture:
    png: bytes
    caption: str  # Telegram HTML, at most 1024 characters


class StatsSource(Protocol):
    """Draws the desk's figures of the last days for /stats (see :mod:`bot.reports.stats`)."""

    async def picture(self, days: int, lang: str) -> StatsPicture: ...


class Commands:
    def __init__(
        self,
        deps: Deps,
        board: Board,
        lifecycle: Lifecycle,
        articles: ArticleFinder,
        stats: StatsSource | None = None,
    ) -> None:
        self._deps = deps
        self._board = board
        self._lifecycle = lifecycle
        self._articles = articles
        self._stats = stats
        self.templates = Templates(deps, board, lifecycle)

    def _t(self, key: str, **params: object) -> str:
        return self._deps.texts(self._board.lang, key, **params)

    async def run(self, event: MessageReceived, view: TicketView | None, once: Once) -> None:
        """Run the command; ``view`` is the ticket of the topic or card it was written under.
        ``once`` records the command's update with its first change (or on its own, for the
        commands that only answer) before anything is sent."""
        reply = Reply(chat_id=event.chat_id, thread_id=event.thread_id, message_id=event.message_id)
        life = self._lifecycle
        args = event.command_args
        number = _number(args)
        ticket_id = number if number is not None else (view.ticket.id if view else None)
        match event.command:
            case "queue":
                await life.answer(reply, await self._queue(once))
            case "take" if ticket_id is not None:
                await life.take(ticket_id, event.sender, reply, once)
            case "close" if view is not None:
                await life.close(view.ticket.id, event.sender, reply, once)
            case "escalate" if view is not None and args and number is None:
                await once.record()
                await life.answer(reply, self._t("desk_escalate_usage"))
            case "escalate" if view is not None:
                await life.escalate(view.ticket.id, number, event.sender, reply, once)
            case "kb" if view is not None:
                await once.record()
                await self._kb(view, args, reply)
            case "stats":
                await once.record()
                await self._send_stats(args, reply)
            case "t" if view is not None:
                await once.record()
                await self.templates.list(view, event.sender, reply)
            case "mine":
                await life.answer(
                    reply,
                    await my_tickets(self._deps, self._board, event.sender.telegram_id, once),
                )
            case "ban" | "unban" if view is not None:
                banned = event.command == "ban"
                await set_banned(self._deps, view, banned, once)
                key = "desk_banned" if banned else "desk_unbanned"
                await self._board.post(view, self._t(key, ticket=view.ticket.id))
            case "reload":
                await once.record()
                if event.sender.telegram_id not in self._deps.config.admin_ids:
                    await life.answer(reply, self._t("not_admin"))
                else:
                    report = await reload_content(self._deps, self._board.lang)
                    await life.answer(reply, report.text)
            case "take":
                await once.record()
                await life.answer(reply, self._t("desk_take_usage"))
            case "close" | "escalate" | "kb" | "t" | "ban" | "unban":
                await once.record()
                await life.answer(reply, self._t("desk_no_ticket"))
            case _:  # /help, /start and unknown commands
                await once.record()
                text = self._t("desk_help")
                if event.sender.telegram_id in self._deps.config.admin_ids:
                    text += "\n" + self._t("desk_help_admin")
                await life.answer(reply, text)

    def render_article(self, article_id: str, lang: str) -> tuple[str, str] | None:
        return self._articles.render(article_id, lang)

    async def _queue(self, once: Once) -> str:
        deps = self._deps
        now = deps.clock.now()
        async with once.uow(replay=True) as uow:  # only reads
            waiting = order_queue(await uow.tickets.waiting())
            names = {}
            for ticket in waiting[:QUEUE_SHOWN]:
                customer = await uow.customers.get(ticket.customer_id)
                names[ticket.id] = customer.name if customer else "?"
        if not waiting:
            return self._t("desk_queue_empty")
        lines = [self._t("desk_queue_title", count=len(waiting))]
        for ticket in waiting[:QUEUE_SHOWN]:
            lines.append(
                self._t(
                    "desk_queue_item",
                    ticket=ticket.id,
                    priority=self._t(f"card_priority_{ticket.priority.label}"),
                    line=ticket.line,
                    age=age_text(now - ticket.created_at, deps.texts, self._board.lang),
                    customer=escape(names[ticket.id]),
                    subject=escape(ticket.subject),
                )
            )
        if len(waiting) > QUEUE_SHOWN:
            lines.append("…")
        return "\n".join(lines)

    async def _send_stats(self, args: str, reply: Reply) -> None:
        days = _number(args) or STATS_DAYS
        if self._stats is None:
            await self._lifecycle.answer(reply, self._t("desk_stats_off"))
            return
        if not 1 <= days <= STATS_MAX_DAYS:
            await self._lifecycle.answer(reply, self._t("desk_stats_usage", most=STATS_MAX_DAYS))
            return
        picture = await self._stats.picture(days, self._board.lang)
        await self._deps.outbox(
            SendPhoto(
                event_chat(reply),
                picture.png,
                picture.caption,
                thread_id=reply.thread_id,
                reply_to=reply.message_id,
                filename=f"stats-{days}d.png",
            )
        )

    async def _kb(self, view: TicketView, query: str, reply: Reply) -> None:
        """The top hits in the customer's language, each previewed, a button each to send it."""
        if not query:
            await self._lifecycle.answer(reply, self._t("desk_kb_usage"))
            return
        lang = view.customer.language
        lines = [self._t("desk_kb_title", query=escape(query), language=lang)]
        rows: list[tuple[Button, ...]] = []
        for found in list(self._articles.search(query, lang))[:KB_SHOWN]:
            rendered = self._articles.render(found.id, lang)
            data = encode_desk(SendArticle(view.ticket.id, found.id))
            if rendered is None or data is None:
                continue
            number = len(rows) + 1
            mark = "💬" if found.id.startswith(INTENT_MARK) else "📄"
            lines.append(
                f"{number}. {mark} <b>{escape(found.title)}</b> — "
                f"{escape(_preview(rendered[1], found.title))}"
            )
            rows.append((Button(f"📨 {number}. {found.title}"[:BUTTON_TEXT], data=data),))
        if not rows:
            await self._lifecycle.answer(reply, self._t("desk_kb_none", query=escape(query)))
            return
        await self._deps.outbox(
            SendText(
                event_chat(reply), "\n".join(lines), tuple(rows), reply.thread_id, reply.message_id
            )
        )


def event_chat(reply: Reply) -> int:
    assert reply.chat_id is not None
    return reply.chat_id


def _preview(body_html: str, title: str) -> str:
    """The start of what the customer would get, as plain text, without a repeated title."""
    text = " ".join(plain_text(body_html).split())
    text = text.removeprefix(" ".join(title.split())).strip()
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1].rstrip() + "…"


def _number(args: str) -> int | None:
    """The number an operator gave (``5``, ``#5``, ``№5``); None for anything else, ``²`` and
    ``①`` and numbers too large to name a ticket included."""
    word = args.split(maxsplit=1)[0].lstrip("#№") if args else ""
    try:
        return parse_id(word)
    except ValueError:
        return None
