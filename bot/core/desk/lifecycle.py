"""What operators do to a ticket — take, close, escalate — and how the group and the customer
learn about it. The storage change goes through :mod:`handoff.tickets` (taking is atomic there);
the messages are sent after the unit of work committed, after the one that recorded the
operator's update (:class:`~bot.core.desk.once.Once`). Each change stores its outcome with the
handling's pending work (:mod:`bot.core.desk.outcome`): a handling resumed after a crash sends
what is missing from what the change did then, without making it again. Callers hold the
ticket's lock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from pydantic import TypeAdapter

from bot.core.actions import AnswerButton, Button, SendText
from bot.core.deps import Deps
from bot.core.desk.callbacks import ConfirmClose, DeskCallback, KeepOpen, encode_desk
from bot.core.desk.cards import button_answer, escape
from bot.core.desk.once import Once
from bot.core.desk.outcome import decided, once_only
from bot.core.desk.topics import Board
from bot.core.events import Person
from bot.core.views import TicketView
from handoff import (
    EscalationError,
    TakeResult,
    Ticket,
    TicketClosed,
    TicketNotFound,
    UnitOfWork,
    survey,
    tickets,
)

__all__ = ["Closed", "Lifecycle", "Reply", "SurveyStarter", "took_here", "took_key"]


@dataclass(frozen=True, slots=True)
class Reply:
    """How to answer the operator who acted: their button, or their command message."""

    callback_id: str | None = None
    chat_id: int | None = None
    thread_id: int | None = None
    message_id: int | None = None

    @property
    def pending(self) -> bool:
        """A button press that still needs its (exactly one) answer."""
        return self.callback_id is not None


SurveyStarter = Callable[[int], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Closed:
    """What closing found: the ticket closed, and whether its survey is due."""

    ticket: Ticket
    survey_due: bool


_TAKEN = TypeAdapter(TakeResult)
_CLOSED = TypeAdapter(Closed)
_TICKET = TypeAdapter(Ticket)


def took_key(ticket_id: int) -> str:
    return f"take:{ticket_id}"


def took_here(ticket_id: int) -> bool:
    """This handling took the ticket before a crash stopped it: a resumed handling goes through
    the take again (its outcome is read back) so the notices it owes are sent."""
    return decided(took_key(ticket_id))


def _data(value: DeskCallback) -> str:
    data = encode_desk(value)
    assert data is not None  # ticket numbers always fit
    return data


def first_name(person: Person) -> str:
    return person.name.split()[0] if person.name.strip() else person.name


class Lifecycle:
    def __init__(self, deps: Deps, board: Board, start_survey: SurveyStarter) -> None:
        self._deps = deps
        self._board = board
        self._start_survey = start_survey

    def _t(self, key: str, **params: object) -> str:
        return self._deps.texts(self._board.lang, key, **params)

    async def answer(self, reply: Reply, text: str | None = None, *, alert: bool = False) -> None:
        """``text`` is Telegram HTML; a button's answer gets it as plain text (see
        :func:`~bot.core.desk.cards.button_answer`)."""
        outbox = self._deps.outbox
        if reply.callback_id is not None:
            plain = button_answer(text) if text else text
            await outbox(AnswerButton(reply.callback_id, plain, alert))
        elif text and reply.chat_id is not None:
            await outbox(SendText(reply.chat_id, text, (), reply.thread_id, reply.message_id))

    async def _refuse(self, reply: Reply, once: Once, key: str, **params: object) -> None:
        await once.record()  # nothing changed, but the update was handled
        await self.answer(reply, self._t(key, **params), alert=True)

    async def take(
        self, ticket_id: int, operator: Person, reply: Reply, once: Once
    ) -> Ticket | None:
        """Atomic take; the loser is told who has it. The ticket when this operator owns it."""
        deps = self._deps

        async def take(uow: UnitOfWork) -> TakeResult:
            return await tickets.take(
                uow,
                ticket_id,
                operator_id=operator.telegram_id,
                operator_name=operator.name,
                now=deps.clock.now(),
            )

        try:
            result = await once_only(once, took_key(ticket_id), _TAKEN, take)
        except TicketNotFound:
            await self._refuse(reply, once, "desk_not_found", ticket=ticket_id)
            return None
        except TicketClosed:
            await self._refuse(reply, once, "desk_is_closed", ticket=ticket_id)
            return None
        ticket = result.ticket
        if not result.won:
            if ticket.operator_id == operator.telegram_id:
                await self.answer(reply, self._t("desk_already_yours", ticket=ticket_id))
                return ticket
            owner = escape(ticket.operator_name or "?")
            await self.answer(
                reply, self._t("desk_taken_by", ticket=ticket_id, operator=owner), alert=True
            )
            return None
        await self.answer(reply, self._t("desk_took", ticket=ticket_id))
        view = await self._board.view(ticket_id)
        if view is None:
            return ticket
        view = await self._board.refresh_card(view)
        if reply.callback_id is None and reply.chat_id is None:  # taken by writing to the customer
            await self._board.post(
                view, self._t("desk_taken_notice", ticket=ticket_id, operator=escape(operator.name))
            )
        lang = view.customer.language
        await self._board.tell_customer(
            view,
            deps.texts(lang, "ticket_taken", operator=escape(first_name(operator))),
        )
        return view.ticket

    async def close(
        self, ticket_id: int, operator: Person, reply: Reply, once: Once, *, ask: bool = False
    ) -> None:
        """Close the ticket; with ``ask`` (a tap on Close), a ticket no operator has answered is
        not closed yet: the topic is asked to confirm (the customer is still waiting)."""
        deps = self._deps
        if ask:
            view = await self._board.view(ticket_id)
            if view is not None and view.ticket.status.is_open and not view.ticket.first_reply_at:
                await once.record()
                await self.answer(reply)
                keyboard = (
                    (
                        Button(self._t("button_close_anyway"), data=_data(ConfirmClose(ticket_id))),
                        Button(self._t("button_keep_open"), data=_data(KeepOpen(ticket_id))),
                    ),
                )
                await self._board.post(
                    view, self._t("desk_close_confirm", ticket=ticket_id), keyboard
                )
                return

        async def close(uow: UnitOfWork) -> Closed:
            ticket = await tickets.close(uow, ticket_id, now=deps.clock.now())
            return Closed(ticket, await survey.should_survey(uow, ticket))

        try:
            closed = await once_only(once, f"close:{ticket_id}", _CLOSED, close)
        except TicketNotFound:
            await self._refuse(reply, once, "desk_not_found", ticket=ticket_id)
            return
        except TicketClosed:
            await self._refuse(reply, once, "desk_is_closed", ticket=ticket_id)
            return
        notice = self._t("desk_closed_notice", ticket=ticket_id, operator=escape(operator.name))
        if reply.pending:
            await self.answer(reply, notice)
        view = await self._board.view(ticket_id)
        if view is None:
            return
        view = await self._board.refresh_card(view)
        view, _ = await self._board.post(view, notice)
        await self._board.close_topic(view)
        lang = view.customer.language
        await self._board.tell_customer(view, deps.texts(lang, "ticket_closed", ticket=ticket_id))
        if closed.survey_due:
            await self._start_survey(ticket_id)

    async def escalate(
        self, ticket_id: int, line: int | None, operator: Person, reply: Reply, once: Once
    ) -> None:
        deps = self._deps

        async def escalate(uow: UnitOfWork) -> Ticket:
            return await tickets.escalate(uow, ticket_id, line=line, now=deps.clock.now())

        try:  # escalating is not safe to repeat: a resumed handling reads what it did
            ticket = await once_only(once, f"escalate:{ticket_id}", _TICKET, escalate)
        except TicketNotFound:
            await self._refuse(reply, once, "desk_not_found", ticket=ticket_id)
            return
        except TicketClosed:
            await self._refuse(reply, once, "desk_is_closed", ticket=ticket_id)
            return
        except EscalationError as exc:
            await self._refuse(
                reply, once, "desk_escalate_failed", ticket=ticket_id, reason=escape(str(exc))
            )
            return
        notice = self._t(
            "desk_escalated_notice",
            ticket=ticket_id,
            line=ticket.line,
            operator=escape(operator.name),
        )
        if reply.pending:
            await self.answer(reply, notice)
        view = await self._board.view(ticket_id)
        if view is None:
            return
        # the place as the escalation found it: a resumed handling may find it moved already,
        # and must retrace the same calls to read their results back
        view = TicketView(ticket, view.customer)
        board = self._board
        target = board.group_for_line(view.ticket.line)
        if view.placed and target != view.ticket.group_chat_id:
            # the line has a group of its own: retire this card and topic, open there afresh
            await board.refresh_card(view, buttons=False)
            view, _ = await board.post(
                view, self._t("desk_escalated_away", ticket=ticket_id, line=view.ticket.line)
            )
            await board.close_topic(view)
            view = await board.open(
                TicketView(replace(view.ticket, group_chat_id=target), view.customer), group=target
            )
        else:
            view = await board.refresh_card(view)
        view, _ = await board.post(view, notice)
        lang = view.customer.language
        await board.tell_customer(
            view, deps.texts(lang, "ticket_escalated", ticket=ticket_id, line=view.ticket.line)
        )
