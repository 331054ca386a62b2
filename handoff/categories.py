"""Customer categories — newcomers, experienced and corporate clients — and how a category
raises a ticket's priority or routes it to a higher support line. All of it is configuration
(``[categories]``): an admin-maintained list of customers, the words that mark a corporate
client, how many earlier tickets make a customer experienced, and a route per category."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from handoff.model import Priority, Ticket
from handoff.ports import UnitOfWork

__all__ = [
    "CORPORATE",
    "EXPERIENCED",
    "NEWCOMER",
    "CategoryRules",
    "Route",
    "categorize",
    "earlier_tickets",
    "route",
]

NEWCOMER, EXPERIENCED, CORPORATE = "newcomer", "experienced", "corporate"


@dataclass(frozen=True, slots=True)
class Route:
    """What a category does to a ticket: at least this priority, at least this line."""

    priority: Priority = Priority.NORMAL
    line: int = 1


@dataclass(frozen=True, slots=True)
class CategoryRules:
    listed: Mapping[int, str] = field(default_factory=dict)  # Telegram user id → category
    corporate_words: tuple[str, ...] = ()
    experienced_after: int = 3  # earlier tickets
    routes: Mapping[str, Route] = field(default_factory=dict)


def categorize(
    rules: CategoryRules, telegram_id: int, earlier_tickets: int, said: Iterable[str]
) -> str:
    """The admins' list first; then corporate when the customer used one of its words; then
    experienced or newcomer by the number of earlier tickets."""
    if telegram_id in rules.listed:
        return rules.listed[telegram_id]
    text = " ".join(said)
    for word in rules.corporate_words:
        # at the start of a word: "юрлиц" finds "юрлицо", "VAT" does not find "private"
        if word.strip() and re.search(r"(?<!\w)" + re.escape(word.strip()), text, re.IGNORECASE):
            return CORPORATE
    return EXPERIENCED if earlier_tickets >= rules.experienced_after else NEWCOMER


def route(rules: CategoryRules, category: str, priority: Priority, line: int) -> Route:
    """The ticket's priority and line once its category's route is applied (never lowered)."""
    rule = rules.routes.get(category, Route())
    return Route(max(priority, rule.priority), max(line, rule.line))


async def earlier_tickets(
    uow: UnitOfWork, customer_id: int, *, before: int | None = None, limit: int = 10
) -> list[Ticket]:
    """The customer's tickets, newest first (each new ticket links the one before it), older
    than ticket ``before`` when given; at most ``limit``."""
    found: list[Ticket] = []
    ticket = await uow.tickets.last_for_customer(customer_id)
    while ticket is not None and len(found) < limit:
        if before is None or ticket.id < before:
            found.append(ticket)
        previous = ticket.previous_ticket_id
        ticket = await uow.tickets.get(previous) if previous is not None else None
    return found
