"""The satisfaction survey after a ticket is resolved, as a small state machine.

    CSAT (1..5) ──► SOLVED (yes/no) ──► COMMENT (text or skip) ──► DONE

The state lives in ``Customer.state["survey"]`` as a JSON-serialisable dict; every answer is
stored at once through ``uow.surveys.save``, so a customer who stops half-way still counts.
At most one survey per ticket (:func:`should_survey`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from handoff.errors import SurveyError
from handoff.model import Ticket, TicketStatus
from handoff.ports import UnitOfWork

__all__ = [
    "COMMENT_MAX",
    "STATE_KEY",
    "SurveyState",
    "SurveyStep",
    "answer_comment",
    "answer_csat",
    "answer_solved",
    "should_survey",
    "start",
]

STATE_KEY = "survey"
COMMENT_MAX = 2000  # longer comments are cut, not refused: the customer already wrote them


class SurveyStep(enum.StrEnum):
    CSAT = "csat"
    SOLVED = "solved"
    COMMENT = "comment"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class SurveyState:
    ticket_id: int
    step: SurveyStep

    @classmethod
    def from_state(cls, state: Mapping[str, object]) -> SurveyState | None:
        """The survey in a customer's dialog state, or None if there is none."""
        raw = state.get(STATE_KEY)
        if raw is None:
            return None
        if not isinstance(raw, Mapping):
            raise SurveyError(f"state[{STATE_KEY!r}] is not a mapping: drop it to end the survey")
        ticket_id, step = raw.get("ticket_id"), raw.get("step")
        if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
            raise SurveyError(f"state[{STATE_KEY!r}] has no integer ticket_id: drop it")
        if step not in {member.value for member in SurveyStep}:
            raise SurveyError(f"state[{STATE_KEY!r}] has an unknown step {step!r}: drop it")
        return cls(ticket_id=ticket_id, step=SurveyStep(str(step)))

    def to_state(self, state: Mapping[str, object] | None = None) -> dict[str, object]:
        """A copy of ``state`` holding this survey; a finished survey is removed from it."""
        merged = dict(state or {})
        if self.step is SurveyStep.DONE:
            merged.pop(STATE_KEY, None)
        else:
            merged[STATE_KEY] = {"ticket_id": self.ticket_id, "step": self.step.value}
        return merged


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
