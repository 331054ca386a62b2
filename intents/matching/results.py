"""Typed results of matching: candidates, decisions and the thresholds that produce them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from intents.model import Intent, Lang

__all__ = ["Action", "Candidate", "Decision", "Kind", "ThresholdSource", "Thresholds"]

Action = Literal["answer", "clarify", "handoff", "unknown"]
Kind = Literal["intent", "article"]


@dataclass(frozen=True)
class Candidate:
    """One ranked possibility: an intent or a KB article, with its calibrated score."""

    id: str
    score: float
    kind: Kind


@dataclass(frozen=True)
class Decision:
    """What to do with one message.

    - ``answer``: send ``intent``'s answer (or ``article`` rendered as HTML);
    - ``clarify``: ask "did you mean" with ``options`` as buttons plus "talk to a person";
    - ``handoff``: a person takes over; ``intent`` is ``human_request`` or an intent flagged
      ``handoff: always``, whose answer is sent first and whose priority and support line go on
      the ticket;
    - ``unknown``: nothing matched well enough (``intent`` and ``article`` are None). The caller
      decides: offer the topics, ask to rephrase, call a person after a few in a row.
    """

    text: str
    lang: Lang
    action: Action
    intent: Intent | None
    article: str | None
    score: float
    candidates: tuple[Candidate, ...]
    options: tuple[Candidate, ...] = ()

    @property
    def intent_id(self) -> str | None:
        return self.intent.id if self.intent is not None else None


class ThresholdSource(Protocol):
    """Anything with these fields, e.g. ``bot.config.MatchingSettings``."""

    @property
    def answer_threshold(self) -> float: ...
    @property
    def clarify_threshold(self) -> float: ...
    @property
    def clarify_candidates(self) -> int: ...


@dataclass(frozen=True)
class Thresholds:
    """``score >= answer`` answers, ``>= clarify`` asks, below is unknown.

    ``ambiguity_gap``: a top score above ``answer`` still clarifies when the runner-up is within
    this distance (two intents equally likely is not a confident answer).
    """

    answer: float = 0.55
    clarify: float = 0.30
    clarify_candidates: int = 3
    ambiguity_gap: float = 0.1

    def __post_init__(self) -> None:
        if not 0.0 <= self.clarify <= self.answer <= 1.0:
            raise ValueError("thresholds must satisfy 0 <= clarify <= answer <= 1")

    @classmethod
    def from_settings(cls, settings: ThresholdSource) -> Thresholds:
        return cls(
            answer=settings.answer_threshold,
            clarify=settings.clarify_threshold,
            clarify_candidates=settings.clarify_candidates,
        )
