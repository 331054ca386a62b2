"""SLA reminders: a ticket waiting longer than ``config.sla`` is pointed out in its topic, with a
Take button, once per SLA period (``handoff.tickets.overdue`` / ``mark_reminded`` keep count)."""

from __future__ import annotations

from bot.core import callbacks as cb
from bot.core.actions import Button, Done
from bot.core.deps import Deps
from bot.core.desk.cards import age_text
from bot.core.desk.topics import Board
from bot.core.shared import KeyedOrder
from handoff import TicketStatus, tickets

__all__ = ["remind_overdue"]


async def remind_overdue(deps: Deps, board: Board, locks: KeyedOrder) -> int:
    now = deps.clock.now()
    sla = deps.config.sla
    async with deps.uow() as uow:
        due = await tickets.overdue(uow, now=now, sla=sla)
    texts, lang = deps.texts, board.lang
    reminded = 0
    for ticket in due:
        async with locks.hold(ticket.id):
            view = await board.view(ticket.id)
            if view is None or view.ticket.status is not TicketStatus.WAITING:
                continue  # taken while we were reminding about the others
            text = texts(
                lang,
                "desk_reminder",
                ticket=ticket.id,
                age=age_text(now - ticket.created_at, texts, lang),
                sla=age_text(sla, texts, lang),
            )
            take = Button(texts(lang, "button_take"), data=cb.encode(cb.TakeTicket(ticket.id)))
            _, result = await board.post(view, text, ((take,),))
            if isinstance(result, Done):
                async with deps.uow() as uow:
                    await tickets.mark_reminded(uow, ticket.id, now=now)
                reminded += 1
    return reminded
