"""What a customer event leaves to do after its commit, as stored pending work (JSON).

The turn is decided inside the transaction; this record of it is stored in the same transaction
(:mod:`bot.core.sender`), so the replies, the relay to the operators and the ticket's placement
survive a crash between the commit and the sends.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter

from bot.core.customer.turn import Turn
from bot.core.events import MessageEdited, MessageReceived
from bot.core.replies import Reply
from bot.core.views import TicketView
from handoff.tickets import OpenKind

__all__ = ["AFTER_TURN", "EDITED", "REACHABILITY", "AfterTurn", "Edited", "Reachability"]


@dataclass(frozen=True, slots=True)
class AfterTurn:
    chat_id: int
    customer_id: int
    lang: str
    conversation_id: int
    ticket_id: int | None
    replies: tuple[Reply, ...] = ()
    strip: tuple[tuple[int, int], ...] = ()
    opened: tuple[tuple[int, OpenKind], ...] = ()
    cancelled: tuple[int, ...] = ()
    survey_comment: TicketView | None = None
    reload_requested: bool = False
    gaps_days: int | None = None
    add_example: tuple[int, str] | None = None
    message: MessageReceived | None = None  # the customer's message (to relay, to announce)
    relay: bool = False
    callback_id: str | None = None  # a pressed button to answer first
    notice: str | None = None  # the button's answer

    @classmethod
    def of(cls, turn: Turn, **rest: object) -> AfterTurn:
        return cls(
            chat_id=turn.customer.chat_id,
            customer_id=turn.customer.id,
            lang=turn.lang,
            conversation_id=turn.conversation_id,
            ticket_id=turn.ticket_id,
            replies=tuple(turn.replies),
            strip=tuple(turn.strip),
            opened=tuple(turn.opened),
            cancelled=tuple(turn.cancelled),
            survey_comment=turn.survey_comment,
            reload_requested=turn.reload_requested,
            gaps_days=turn.gaps_days,
            add_example=turn.add_example,
            **rest,  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class Edited:
    ticket_id: int
    event: MessageEdited


@dataclass(frozen=True, slots=True)
class Reachability:
    ticket_id: int
    blocked: bool


AFTER_TURN = TypeAdapter(AfterTurn)
EDITED = TypeAdapter(Edited)
REACHABILITY = TypeAdapter(Reachability)
