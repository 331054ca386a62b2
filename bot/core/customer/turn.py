"""One customer event's outcome: decided inside the transaction, carried out after it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.core.replies import Reply
from bot.core.views import TicketView
from handoff import Customer
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

    @property
    def lang(self) -> str:
        return self.customer.language

    def say(self, reply: Reply) -> None:
        self.replies.append(reply)

    def speak(self, lang: str) -> None:
        """Replies from now on are in ``lang``."""
        self.customer = replace(self.customer, language=lang)
