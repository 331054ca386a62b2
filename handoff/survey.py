"""The satisfaction survey after a ticket is resolved, as a small state machine.

    CSAT (1..5) ──► SOLVED (yes/no) ──► COMMENT (text or skip) ──► DONE

The state lives in the customer's dialog state (:class:`handoff.dialog.DialogState`); every
answer is stored at once through ``uow.surveys.save``, so a customer who stops half-way still
counts.
At most one survey per ticket (:func:`should_survey`).
"""

from __future__ import annotations

from datetime import datetime

from handoff.dialog import SurveyState, SurveyStep
from handoff.errors import SurveyError
from handoff.model import Ticket, TicketStatus
from handoff.ports import UnitOfWork

__all__ = [
    "COMMENT_MAX",
    "SurveyState",
    "SurveyStep",
    "answer_comment",
    "answer_csat",
    "answer_solved",
    "should_survey",
    "start",
]

COMMENT_MAX = 2000  # longer comments are cut, not refused: the customer already wrote them


def start(ticket_id: int) -> SurveyState:
    return SurveyState(ticket_id=ticket_id, step=SurveyStep.CSAT)


async def should_survey(uow: UnitOfWork, ticket: Ticket) -> bool:
    """True for a resolved ticket without an answer; cancelled and open tickets get none."""
    if ticket.status is not TicketStatus.RESOLVED:
        return False
    return await uow.surveys.get(ticket.id) is None


async def answer_csat(
    uow: UnitOfWork, state: SurveyState, score: int, *, now: datetime
) -> SurveyState:
    _expect(state, SurveyStep.CSAT)
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise SurveyError(f"a satisfaction score is a whole number 1..5, got {score!r}")
    await uow.surveys.save(state.ticket_id, now=now, csat=score)
    return SurveyState(state.ticket_id, SurveyStep.SOLVED)


async def answer_solved(
    uow: UnitOfWork, state: SurveyState, solved: bool, *, now: datetime
) -> SurveyState:
    _expect(state, SurveyStep.SOLVED)
    if not isinstance(solved, bool):
        raise SurveyError(f"'was it solved' is answered yes or no (a bool), got {solved!r}")
    await uow.surveys.save(state.ticket_id, now=now, solved=solved)
    return SurveyState(state.ticket_id, SurveyStep.COMMENT)


async def answer_comment(
    uow: UnitOfWork, state: SurveyState, text: str | None, *, now: datetime
) -> SurveyState:
    """``None`` or blank text skips the comment."""
    _expect(state, SurveyStep.COMMENT)
    comment = (text or "").strip()[:COMMENT_MAX]
    if comment:
        await uow.surveys.save(state.ticket_id, now=now, comment=comment)
    return SurveyState(state.ticket_id, SurveyStep.DONE)


def _expect(state: SurveyState, step: SurveyStep) -> None:
    if state.step is not step:
        raise SurveyError(
            f"the survey for ticket #{state.ticket_id} is at step {state.step.value!r}, "
            f"not {step.value!r}: ask the question of the current step"
        )
