"""One customer event's outcome: decided inside the transaction, carried out after it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.core.replies import Reply
from bot.core.views import TicketView
from handoff import Customer, DialogState, UnitOfWork
from handoff.tickets import OpenKind

__all__ = ["Turn"]


@dataclass
class Turn:
    customer: Customer
    conversation_id: int
    replies: list[Reply] = field(default_factory=list)
    opened: list[tuple[int, OpenKind]] = field(default_factory=list)  # (ticket, NEW | REOPENED)
    cancelled: list[int] = field(default_factory=list)  # tickets the customer withdrew
    strip: list[tuple[int, int]] = field(default_factory=list)  # (chat, message): drop keyboard
    survey_comment: TicketView | None = None  # the message answered the survey's last question
    reload_requested: bool = False  # an admin asked to reload the content (done after commit)
    gaps_days: int | None = None  # an admin asked for the content gaps (read after commit)
    add_example: tuple[int, str] | None = None  # (decision, intent): an admin's tap, after commit
    ticket_id: int | None = None  # the customer's open ticket, if any
    state_changed: bool = False  # the dialog state is to be saved at the end of the turn

    @property
    def lang(self) -> str:
        return self.customer.language

    def say(self, reply: Reply) -> None:
        self.replies.append(reply)

    def keep_state(self, state: DialogState) -> None:
        """The customer's dialog state from now on; saved once, at the end of the turn
        (:meth:`save_state`), however many times it changes."""
        if state != self.customer.state:
            self.customer = replace(self.customer, state=state)
            self.state_changed = True

    async def save_state(self, uow: UnitOfWork) -> None:
        if self.state_changed:
            await uow.customers.save_state(self.customer.id, self.customer.state)
            self.state_changed = False

    def speak(self, lang: str) -> None:
        """Replies from now on are in ``lang``."""
        self.customer = replace(self.customer, language=lang)
