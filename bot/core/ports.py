"""Seams of the conversation core besides storage: the operator desk and the matcher."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

from bot.core.events import ButtonPressed, MessageEdited, MessageReceived
from bot.core.views import TicketView
from handoff import OpenKind
from intents import Content, Decision, Lang

if TYPE_CHECKING:
    from intents import Engine  # the matcher loads with the content, not with the core

__all__ = ["Brain", "Desk", "NullDesk", "ReloadOutcome"]


class ReloadOutcome(Protocol):
    @property
    def ok(self) -> bool: ...
    def summary(self) -> str: ...
    @property
    def problems(self) -> Sequence[object]: ...
    @property
    def stats(self) -> Mapping[str, int]: ...
    def changes(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The ids (intents, then articles) added, removed and changed."""
        ...


class Brain(Protocol):
    """The live matcher (``intents.ContentHolder``): decide, read the content, reload it."""

    @property
    def content(self) -> Content: ...

    @property
    def engine(self) -> Engine: ...

    def decide(self, text: str, lang: Lang | None = None) -> Decision: ...

    async def reload(self) -> ReloadOutcome: ...


class Desk(Protocol):
    """The operators' side. The customer dialog calls it after its own transaction committed.

    Implementations post the ticket card and transcript into the operator group, relay messages
    both ways, and run the operator commands. Every method is safe to call more than once.
    """

    async def ticket_opened(self, ticket_id: int, kind: OpenKind) -> None:
        """A ticket was created (``OpenKind.NEW``) or reopened (``OpenKind.REOPENED``)."""
        ...

    async def ticket_cancelled(self, ticket_id: int) -> None: ...

    async def customer_message(
        self, ticket_id: int, event: MessageReceived, view: TicketView | None = None
    ) -> None:
        """Relay what the customer sent (already stored) into the ticket's topic. ``view``: the
        ticket and customer as the customer's transaction read them, so they need not be read
        again (a hint: where it no longer holds, the desk reads them)."""
        ...

    async def customer_edited(self, ticket_id: int, event: MessageEdited) -> None: ...

    async def customer_reachability(self, ticket_id: int, blocked: bool) -> None:
        """The customer blocked (True) or restarted (False) the bot during an open ticket."""
        ...

    async def group_message(self, event: MessageReceived) -> None:
        """Anything written in the operator group (replies, notes, commands)."""
        ...

    async def group_edit(self, event: MessageEdited) -> None: ...

    async def group_button(self, event: ButtonPressed) -> None: ...

    async def remind_overdue(self) -> int:
        """Remind the group of unclaimed tickets past the SLA; returns how many."""
        ...

    async def resume(self, kind: str, payload: str) -> None:
        """Carry on the desk's pending work (``desk.*`` kinds, see ``bot/core/sender.py``)."""
        ...

    async def drain(self) -> None:
        """Deliver anything still buffered (an album being collected); call at shutdown."""
        ...


class NullDesk:
    """No operator group configured: tickets wait in storage; nothing is posted anywhere."""

    async def ticket_opened(self, ticket_id: int, kind: OpenKind) -> None:
        return None

    async def ticket_cancelled(self, ticket_id: int) -> None:
        return None

    async def customer_message(
        self, ticket_id: int, event: MessageReceived, view: TicketView | None = None
    ) -> None:
        return None

    async def customer_edited(self, ticket_id: int, event: MessageEdited) -> None:
        return None

    async def customer_reachability(self, ticket_id: int, blocked: bool) -> None:
        return None

    async def group_message(self, event: MessageReceived) -> None:
        return None

    async def group_edit(self, event: MessageEdited) -> None:
        return None

    async def group_button(self, event: ButtonPressed) -> None:
        return None

    async def remind_overdue(self) -> int:
        return 0

    async def resume(self, kind: str, payload: str) -> None:
        return None

    async def drain(self) -> None:
        return None
