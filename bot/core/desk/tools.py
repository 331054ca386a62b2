"""Operator tools beyond the ticket's lifecycle: /mine (my open tickets), /ban and /unban (a
customer whose messages are stored but no longer relayed; they are told nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from bot.core.deps import Deps
from bot.core.desk.cards import age_text, escape
from bot.core.desk.once import Once
from bot.core.desk.topics import Board
from bot.core.views import TicketView
from handoff import Customer, TicketStatus

__all__ = ["is_banned", "my_tickets", "set_banned"]

MINE_SHOWN = 30


def is_banned(customer: Customer) -> bool:
    return customer.state.banned


async def set_banned(deps: Deps, view: TicketView, banned: bool, once: Once) -> None:
    """Ban or unban the ticket's customer (kept in their dialog state, read on each relay);
    setting it again changes nothing, so a resumed handling runs it again."""
    async with once.uow(replay=True) as uow:
        stored = await uow.customers.get(view.customer.id)
        state = replace(stored.state if stored else view.customer.state, banned=banned)
        await uow.customers.save_state(view.customer.id, state)


async def my_tickets(deps: Deps, board: Board, operator_id: int, once: Once) -> str:
    """The operator's open tickets, oldest first, as the text of one message."""
    now = deps.clock.now()
    async with once.uow(replay=True) as uow:  # only reads
        mine = [
            t
            for t in await uow.tickets.open_tickets()
            if t.operator_id == operator_id and t.status is TicketStatus.TAKEN
        ]
        mine.sort(key=lambda t: (t.created_at, t.id))
        names: Mapping[int, str] = {
            t.id: (c.name if (c := await uow.customers.get(t.customer_id)) else "?")
            for t in mine[:MINE_SHOWN]
        }
    lang = board.lang
    if not mine:
        return deps.texts(lang, "desk_mine_empty")
    lines = [deps.texts(lang, "desk_mine_title", count=len(mine))]
    for ticket in mine[:MINE_SHOWN]:
        lines.append(
            deps.texts(
                lang,
                "desk_mine_item",
                ticket=ticket.id,
                age=age_text(now - ticket.created_at, deps.texts, lang),
                customer=escape(names[ticket.id]),
                subject=escape(ticket.subject),
            )
        )
    if len(mine) > MINE_SHOWN:
        lines.append("…")
    return "\n".join(lines)
