"""The customer's commands: /start, /help, /operator, /language, /cancel; /reload and /gaps for
admins."""

from __future__ import annotations

import html

from bot.core import callbacks as cb
from bot.core.actions import Button
from bot.core.customer.gaps import GAPS_MAX_DAYS, gaps_days
from bot.core.customer.person import call_person
from bot.core.customer.turn import Turn
from bot.core.deps import Deps
from bot.core.events import MessageReceived
from bot.core.replies import Reply, topics_menu
from handoff import Cause, TicketStatus, UnitOfWork

__all__ = ["LANGUAGE_NAMES", "run_command"]

LANGUAGE_NAMES = {"ru": "Русский", "en": "English"}


async def run_command(
    uow: UnitOfWork, deps: Deps, turn: Turn, event: MessageReceived, command: str
) -> bool:
    """Carry out the command; True when it is no command of the bot's and an operator has the
    customer's ticket: then it is a message for the operator, relayed like any other."""
    texts, lang = deps.texts, turn.lang
    match command:
        case "start":
            menu = topics_menu(deps.brain.content, lang, deps.config.popular_intents)
            first = event.sender.name.split()[0] if event.sender.name.strip() else ""
            turn.say(Reply(texts(lang, "start", name=_escape(first)), menu.keyboard))
        case "help":
            text = texts(lang, "help")
            if event.sender.telegram_id in deps.config.admin_ids:
                text += "\n" + texts(lang, "help_admin")
            turn.say(Reply(text))
        case "operator" | "human" | "person":
            await call_person(
                uow, deps, turn, subject="", intent_id=None, score=None, cause=Cause.ASKED
            )
        case "language" | "lang":
            row = tuple(
                Button(LANGUAGE_NAMES.get(code, code), data=cb.encode(cb.Language(code)))
                for code in deps.config.languages
            )
            turn.say(Reply(texts(lang, "language_prompt"), (row,)))
        case "cancel":
            await _cancel(uow, deps, turn)
        case "reload":
            if event.sender.telegram_id not in deps.config.admin_ids:
                turn.say(Reply(texts(lang, "not_admin")))
            else:
                turn.reload_requested = True  # after the commit: a rebuild takes seconds
        case "gaps":
            days = gaps_days(event.command_args)
            if event.sender.telegram_id not in deps.config.admin_ids:
                turn.say(Reply(texts(lang, "not_admin")))
            elif days is None:
                turn.say(Reply(texts(lang, "gaps_usage", most=GAPS_MAX_DAYS)))
            else:
                turn.gaps_days = days  # read and grouped after the commit
        case _:
            if turn.ticket_id is not None:
                return True  # "/close 6193", "/note": the operator reads and answers it
            turn.say(Reply(texts(lang, "unknown_command")))
    return False


async def _cancel(uow: UnitOfWork, deps: Deps, turn: Turn) -> None:
    ticket = await uow.tickets.open_for_customer(turn.customer.id)
    if ticket is None:
        turn.say(Reply(deps.texts(turn.lang, "nothing_to_cancel")))
        return
    await uow.tickets.set_status(ticket.id, TicketStatus.CANCELLED, now=deps.clock.now())
    turn.say(Reply(deps.texts(turn.lang, "cancelled", ticket=ticket.id)))
    turn.cancelled.append(ticket.id)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
