"""Operator commands in the group: /queue, /take N, /close, /escalate [line], /kb words,
/stats [days], /help.

(/note and ``!`` notes are handled by the relay: they are messages, not commands.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.actions import Button, SendPhoto, SendText
from bot.core.deps import Deps
from bot.core.desk.callbacks import SendArticle, encode_desk
from bot.core.desk.cards import age_text, escape
from bot.core.desk.lifecycle import Lifecycle, Reply
from bot.core.desk.once import Once
from bot.core.desk.topics import Board
from bot.core.events import MessageReceived
from bot.core.views import TicketView
from handoff import order_queue

__all__ = ["COMMANDS", "ArticleFinder", "Commands", "FoundArticle", "StatsPicture", "StatsSource"]

COMMANDS = frozenset({"queue", "take", "close", "escalate", "kb", "stats", "help"})
STATS_DAYS, STATS_MAX_DAYS = 7, 92
QUEUE_SHOWN = 30  # longer queues are cut; the count in the title stays true


class FoundArticle(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...


class ArticleFinder(Protocol):
    """Finds and renders knowledge-base articles for /kb (see :mod:`bot.core.desk.kb`)."""

    def find(self, query: str, lang: str) -> FoundArticle | None: ...
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
            case "escalate" if view is not None:
                await life.escalate(view.ticket.id, number, event.sender, reply, once)
            case "kb" if view is not None:
                await once.record()
                await self._kb(view, args, reply)
            case "stats":
                await once.record()
                await self._send_stats(args, reply)
            case "take":
                await once.record()
                await life.answer(reply, self._t("desk_take_usage"))
            case "close" | "escalate" | "kb":
                await once.record()
                await life.answer(reply, self._t("desk_no_ticket"))
            case _:
                await once.record()
                await life.answer(reply, self._t("desk_help"))

    def render_article(self, article_id: str, lang: str) -> tuple[str, str] | None:
        return self._articles.render(article_id, lang)

    async def _queue(self, once: Once) -> str:
        deps = self._deps
        now = deps.clock.now()
        async with once.uow() as uow:
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
        if not query:
            await self._lifecycle.answer(reply, self._t("desk_kb_usage"))
            return
        lang = view.customer.language
        found = self._articles.find(query, lang)
        rendered = self._articles.render(found.id, lang) if found else None
        if found is None or rendered is None:
            await self._lifecycle.answer(reply, self._t("desk_kb_none", query=escape(query)))
            return
        _, body = rendered
        data = encode_desk(SendArticle(view.ticket.id, found.id))
        keyboard = ((Button(self._t("button_kb_send"), data=data),),) if data else ()
        await self._deps.outbox(
            SendText(event_chat(reply), body, keyboard, reply.thread_id, reply.message_id)
        )


def event_chat(reply: Reply) -> int:
    assert reply.chat_id is not None
    return reply.chat_id


def _number(args: str) -> int | None:
    word = args.split(maxsplit=1)[0].lstrip("#№") if args else ""
    return int(word) if word.isdigit() else None
