"""What both sides of the core see of a ticket: the desk places it, the customer side and the
survey answer in it. A module of its own so neither side imports the other for it."""

from __future__ import annotations

from dataclasses import dataclass

from handoff import Customer, Ticket

__all__ = ["TicketView"]


@dataclass(frozen=True, slots=True)
class TicketView:
    ticket: Ticket
    customer: Customer

    @property
    def placed(self) -> bool:
        """The card is posted somewhere in an operator group."""
        return self.ticket.group_chat_id is not None and self.ticket.card_message_id is not None
