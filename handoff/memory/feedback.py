"""Survey answers, the bot's decisions and the log of processed updates, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from handoff.memory._base import Repo, utc
from handoff.model import Decision, SurveyAnswer
from handoff.ports import REDELIVERY_WINDOW

__all__ = ["MemoryDecisionRepository", "MemorySurveyRepository", "MemoryUpdateLog"]


class MemorySurveyRepository(Repo):
    async def get(self, ticket_id: int) -> SurveyAnswer | None:
        return self._store.surveys.get(ticket_id)

    async def save(
        self,
        ticket_id: int,
        *,
        now: datetime,
        csat: int | None = None,
        solved: bool | None = None,
        comment: str | None = None,
    ) -> SurveyAnswer:
        answer = self._store.surveys.get(ticket_id) or SurveyAnswer(
            ticket_id=ticket_id, csat=None, solved=None, comment=None, created_at=utc(now)
        )
        given: dict[str, Any] = {
            name: value
            for name, value in (("csat", csat), ("solved", solved), ("comment", comment))
            if value is not None
        }
        return self._tx.put(self._store.surveys, ticket_id, replace(answer, **given))

    async def between(self, start: datetime, end: datetime) -> Sequence[SurveyAnswer]:
        start, end = utc(start), utc(end)
        found = [a for a in self._store.surveys.values() if start <= a.created_at < end]
        return sorted(found, key=lambda a: (a.created_at, a.ticket_id))


class MemoryDecisionRepository(Repo):
    async def add(
        self,
        *,
        conversation_id: int,
        text: str,
        language: str,
        action: str,
        intent: str | None,
        article: str | None,
        score: float,
        now: datetime,
    ) -> Decision:
        decision = Decision(
            id=self._store.next_id(),
            conversation_id=conversation_id,
            text=text,
            language=language,
            action=action,
            intent=intent,
            article=article,
            score=score,
            created_at=utc(now),
        )
        return self._tx.put(self._store.decisions, decision.id, decision)

    async def set_feedback(self, decision_id: int, helped: bool) -> Decision | None:
        found = self._store.decisions.get(decision_id)
        if found is None:
            return None
        return self._tx.put(self._store.decisions, decision_id, replace(found, helped=helped))

    async def get(self, decision_id: int) -> Decision | None:
        return self._store.decisions.get(decision_id)

    async def between(self, start: datetime, end: datetime) -> Sequence[Decision]:
        start, end = utc(start), utc(end)
        found = [d for d in self._store.decisions.values() if start <= d.created_at < end]
        return sorted(found, key=lambda d: (d.created_at, d.id))


class MemoryUpdateLog(Repo):
    async def first_time(self, update_id: int, *, now: datetime) -> bool:
        seen = self._store.updates.get(update_id)
        if seen is not None and seen >= utc(now) - REDELIVERY_WINDOW:
            return False
        self._tx.put(self._store.updates, update_id, utc(now))
        return True

    async def forget_before(self, cutoff: datetime) -> int:
        old = [key for key, seen in self._store.updates.items() if seen < utc(cutoff)]
        for key in old:
            self._tx.drop(self._store.updates, key)
        return len(old)
