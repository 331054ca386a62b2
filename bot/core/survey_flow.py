"""The satisfaction survey as the customer sees it: CSAT 1–5, "was it solved?", a comment.

The steps and the storage are :mod:`handoff.survey`'s; this module asks the questions, takes the
answers (buttons, then the comment as text), removes each answered question's buttons, and posts
every answer into the ticket's topic so the operators see it. The step lives in
customer's dialog state (``Customer.state.survey``), so a restart in the middle changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import TypeAdapter

from bot.core import callbacks as cb
from bot.core.actions import AnswerButton, Button, EditKeyboard, Keyboard
from bot.core.deps import Deps
from bot.core.desk.cards import escape
from bot.core.desk.topics import Board
from bot.core.events import ButtonPressed, MessageReceived
from bot.core.sender import carry, resuming, stage
from bot.core.views import TicketView
from handoff import Customer, DialogState, SurveyError, UnitOfWork, survey
from handoff.survey import SurveyState, SurveyStep

__all__ = ["ANSWERED", "SurveyFlow"]

ANSWERED = "survey.answered"  # the pending work of a survey button (bot/core/sender.py)


@dataclass(frozen=True, slots=True)
class _Answered:
    event: ButtonPressed
    ticket_id: int | None  # None: nothing applied (an old question pressed again)
    note: str
    step: SurveyStep | None


_ANSWERED = TypeAdapter(_Answered)


class SurveyFlow:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self._board = Board(deps)

    # ------------------------------------------------------------------ questions
    def _question(self, ticket_id: int, step: SurveyStep, lang: str) -> tuple[str, Keyboard]:
        t = self._deps.texts
        if step is SurveyStep.CSAT:
            row = tuple(
                Button(str(score), data=cb.encode(cb.Csat(ticket_id, score)))
                for score in range(1, 6)
            )
            return t(lang, "survey_csat"), (row,)
        if step is SurveyStep.SOLVED:
            return t(lang, "survey_solved"), (
                (
                    Button(t(lang, "button_yes"), data=cb.encode(cb.Solved(ticket_id, True))),
                    Button(t(lang, "button_no"), data=cb.encode(cb.Solved(ticket_id, False))),
                ),
            )
        if step is SurveyStep.COMMENT:
            skip = Button(t(lang, "button_skip"), data=cb.encode(cb.SkipComment(ticket_id)))
            return t(lang, "survey_comment"), ((skip,),)
        return t(lang, "survey_thanks"), ()

    async def _ask(self, view: TicketView, step: SurveyStep) -> None:
        text, keyboard = self._question(view.ticket.id, step, view.customer.language)
        await self._board.tell_customer(view, text, keyboard, notice=False)

    async def _tell_operators(self, view: TicketView, text: str) -> None:
        if self._deps.config.operator_group_id and view.placed:
            await self._board.place_text(view, text)

    # ------------------------------------------------------------------ entry points
    async def start(self, ticket_id: int) -> None:
        """Ask the first question, once per ticket (``handoff.survey.should_survey``)."""
        async with self._deps.uow() as uow:
            ticket = await uow.tickets.get(ticket_id)
            customer = await uow.customers.get(ticket.customer_id) if ticket else None
            if ticket is None or customer is None or not await survey.should_survey(uow, ticket):
                return
            current = customer.state.survey  # a damaged one was dropped when it was read
            if current is not None and current.ticket_id == ticket_id:
                if not resuming():
                    return  # already asked
                state = current  # asked when the work stopped: the question may not be out
            else:
                state = survey.start(ticket_id)
                await uow.customers.save_state(customer.id, customer.state.with_survey(state))
        await self._ask(TicketView(ticket, customer), state.step)

    async def button(
        self, event: ButtonPressed, payload: cb.Csat | cb.Solved | cb.SkipComment
    ) -> None:
        deps = self._deps
        now = deps.clock.now()
        async with deps.uow() as uow:
            # recorded with the answer itself: a failure before the commit leaves it redeliverable
            if not await uow.updates.first_time(event.update_id, now=now):
                return
            customer = await uow.customers.get_by_telegram_id(event.sender.telegram_id)
            state = customer.state.survey if customer else None
            view = await self._view(uow, payload.ticket_id, customer)
            if (
                customer is None
                or state is None
                or view is None
                or state.ticket_id != payload.ticket_id
            ):
                state = None
            else:
                try:
                    after, note = await self._apply(uow, state, payload, now)
                except SurveyError:
                    state = None  # an old question pressed again, or out of order
                else:
                    await uow.customers.save_state(customer.id, customer.state.with_survey(after))
            answered = (
                _Answered(event, None, "", None)
                if state is None or view is None
                else _Answered(event, view.ticket.id, note, after.step)
            )
            work = await stage(
                uow,
                ANSWERED,
                _ANSWERED.dump_json(answered).decode(),
                chat_id=event.chat_id,
                thread_id=None,
                now=now,
            )
        carry(work)
        await self._answered(answered)

    async def resume(self, kind: str, payload: str) -> None:
        """Carry on a survey answer's pending work (:mod:`bot.core.sender`)."""
        if kind == ANSWERED:
            await self._answered(_ANSWERED.validate_json(payload))

    async def _answered(self, answered: _Answered) -> None:
        deps, event = self._deps, answered.event
        await deps.outbox(AnswerButton(event.callback_id))
        if event.message_id is not None:
            await deps.outbox(EditKeyboard(event.chat_id, event.message_id, ()))
        if answered.ticket_id is None or answered.step is None:
            return
        view = await self._board.view(answered.ticket_id)
        if view is None:
            return
        await self._tell_operators(view, answered.note)
        await self._ask(view, answered.step)

    async def comment(self, event: MessageReceived, customer_state: DialogState) -> bool:
        """True if ``event`` was the survey's comment (stored, thanked, shown to operators)."""
        async with self._deps.uow() as uow:
            view = await self.store_comment(uow, event, customer_state)
        if view is None:
            return False
        await self.announce_comment(view, event)
        return True

    async def store_comment(
        self, uow: UnitOfWork, event: MessageReceived, customer_state: DialogState
    ) -> TicketView | None:
        """Store ``event`` as the survey's comment in the caller's unit of work (with the rest
        of the message's handling); the ticket's view when it was one, for
        :meth:`announce_comment` after the commit."""
        state = customer_state.survey
        if state is None or state.step is not SurveyStep.COMMENT or not (event.text or "").strip():
            return None
        return await self._comment(uow, state, event)

    async def announce_comment(self, view: TicketView, event: MessageReceived) -> None:
        """Show the stored comment to the operators and thank the customer."""
        text = escape((event.text or "").strip()[: survey.COMMENT_MAX])
        await self._tell_operators(
            view, self._deps.texts(self._board.lang, "desk_survey_comment", comment=text)
        )
        await self._ask(view, SurveyStep.DONE)

    # ------------------------------------------------------------------ storage
    async def _comment(
        self, uow: UnitOfWork, state: SurveyState, event: MessageReceived
    ) -> TicketView | None:
        customer = await uow.customers.get_by_telegram_id(event.sender.telegram_id)
        view = await self._view(uow, state.ticket_id, customer)
        if customer is None or view is None:
            return None
        after = await survey.answer_comment(uow, state, event.text, now=self._deps.clock.now())
        await uow.customers.save_state(customer.id, customer.state.with_survey(after))
        return view

    @staticmethod
    async def _view(
        uow: UnitOfWork, ticket_id: int, customer: Customer | None
    ) -> TicketView | None:
        ticket = await uow.tickets.get(ticket_id)
        if ticket is None or customer is None or ticket.customer_id != customer.id:
            return None
        return TicketView(ticket, customer)

    async def _apply(
        self,
        uow: UnitOfWork,
        state: SurveyState,
        payload: cb.Csat | cb.Solved | cb.SkipComment,
        now: datetime,
    ) -> tuple[SurveyState, str]:
        t, lang = self._deps.texts, self._board.lang
        match payload:
            case cb.Csat(_, score):
                after = await survey.answer_csat(uow, state, score, now=now)
                return after, t(lang, "desk_survey_csat", score=score)
            case cb.Solved(_, solved):
                after = await survey.answer_solved(uow, state, solved, now=now)
                key = "desk_survey_solved_yes" if solved else "desk_survey_solved_no"
                return after, t(lang, key)
            case cb.SkipComment():
                after = await survey.answer_comment(uow, state, None, now=now)
                return after, t(lang, "desk_survey_skipped")
