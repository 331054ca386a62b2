"""What the bot remembers of a customer's dialog between two messages, as a typed value.

Storage keeps it as JSON in the customer's record, in the shape it always had::

    {"misses": 2, "survey": {"ticket_id": 5, "step": "comment"}, "language": "ru",
     "last_intent": "order_status", "awaiting_order": "order_status", "banned": true,
     "last_question": {"conversation": 7, "intent": "order_status", "score": 0.91}}

A part at its default (no misses, no survey) is left out. Reading is forgiving: a damaged part
is dropped with a warning in the log and the dialog goes on, as if it had never been there.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from handoff.errors import SurveyError

__all__ = ["DialogState", "LastQuestion", "SurveyState", "SurveyStep"]

_log = logging.getLogger(__name__)
_MISSES = "misses"
_SURVEY = "survey"
_TEXTS = ("language", "last_intent", "awaiting_order")  # optional strings, stored as they are
_BANNED = "banned"
_LAST_QUESTION = "last_question"


class SurveyStep(enum.StrEnum):
    CSAT = "csat"
    SOLVED = "solved"
    COMMENT = "comment"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class SurveyState:
    """Where a customer is in the satisfaction survey of one ticket (see :mod:`handoff.survey`)."""

    ticket_id: int
    step: SurveyStep

    @classmethod
    def from_json(cls, raw: object) -> SurveyState:
        """The survey as stored; :class:`SurveyError` says what is wrong with a damaged one."""
        if not isinstance(raw, Mapping):
            raise SurveyError(f"state[{_SURVEY!r}] is not a mapping: drop it to end the survey")
        ticket_id, step = raw.get("ticket_id"), raw.get("step")
        if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
            raise SurveyError(f"state[{_SURVEY!r}] has no integer ticket_id: drop it")
        if step not in {member.value for member in SurveyStep}:
            raise SurveyError(f"state[{_SURVEY!r}] has an unknown step {step!r}: drop it")
        return cls(ticket_id=ticket_id, step=SurveyStep(str(step)))

    def to_json(self) -> dict[str, object]:
        return {"ticket_id": self.ticket_id, "step": self.step.value}


@dataclass(frozen=True, slots=True)
class LastQuestion:
    """The conversation's last recognised question: a hand-off asked for after it (a button,
    /operator, "a human please") still shows the operator what the customer was asking about."""

    conversation_id: int
    intent: str
    score: float | None

    @classmethod
    def from_json(cls, raw: object) -> LastQuestion | None:
        if not isinstance(raw, Mapping):
            return None
        conversation, intent, score = raw.get("conversation"), raw.get("intent"), raw.get("score")
        if not isinstance(conversation, int) or not isinstance(intent, str):
            return None
        return cls(conversation, intent, float(score) if isinstance(score, int | float) else None)

    def to_json(self) -> dict[str, object]:
        return {"conversation": self.conversation_id, "intent": self.intent, "score": self.score}


@dataclass(frozen=True, slots=True)
class DialogState:
    misses: int = 0  # consecutive messages the bot could not place
    survey: SurveyState | None = None  # the survey under way (never one at step DONE)
    language: str | None = None  # the language the customer's messages clearly switched to
    last_intent: str | None = None  # the intent the bot answered last
    awaiting_order: str | None = None  # the intent whose answer asked for an order number
    banned: bool = False  # an operator banned the customer: messages stored, not relayed
    last_question: LastQuestion | None = None

    def with_survey(self, survey: SurveyState) -> DialogState:
        """This state with ``survey`` in it; a finished survey is removed."""
        return replace(self, survey=None if survey.step is SurveyStep.DONE else survey)

    @classmethod
    def from_json(cls, raw: Mapping[str, object]) -> DialogState:
        misses = raw.get(_MISSES, 0)
        if not isinstance(misses, int) or isinstance(misses, bool) or misses < 0:
            _log.warning("dialog state: dropped misses=%r (not a count)", misses)
            misses = 0
        survey: SurveyState | None = None
        if (stored := raw.get(_SURVEY)) is not None:
            try:
                survey = SurveyState.from_json(stored)
            except SurveyError as exc:
                _log.warning("dialog state: dropped the survey: %s", exc)
        texts: dict[str, str | None] = {}
        for key in _TEXTS:
            value = raw.get(key)
            if value is not None and not isinstance(value, str):
                _log.warning("dialog state: dropped %s=%r (not a string)", key, value)
                value = None
            texts[key] = value
        last_question = LastQuestion.from_json(raw.get(_LAST_QUESTION))
        if last_question is None and raw.get(_LAST_QUESTION) is not None:
            _log.warning("dialog state: dropped a damaged last_question")
        return cls(
            misses=misses,
            survey=survey,
            banned=raw.get(_BANNED) is True,
            last_question=last_question,
            **texts,
        )

    def to_json(self) -> dict[str, object]:
        stored: dict[str, object] = {}
        if self.misses:
            stored[_MISSES] = self.misses
        if self.survey is not None and self.survey.step is not SurveyStep.DONE:
            stored[_SURVEY] = self.survey.to_json()
        for key in _TEXTS:
            if (value := getattr(self, key)) is not None:
                stored[key] = value
        if self.banned:
            stored[_BANNED] = True
        if self.last_question is not None:
            stored[_LAST_QUESTION] = self.last_question.to_json()
        return stored
