"""The one entry point of the core: a plain event in, the right dialog handles it.

Events of one chat are handled one at a time, in arrival order, so a customer's quick messages
never overtake each other; different chats run concurrently. In the operator group the unit is
the topic: one ticket's slow send does not hold up the others.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

from bot.core.backlog import Backlog
from bot.core.customer import CustomerDialog
from bot.core.deps import Deps
from bot.core.events import (
    ButtonPressed,
    Event,
    MembershipChanged,
    MessageEdited,
    MessageReceived,
)
from bot.core.finishing import FinishBatch
from bot.core.locks import KeyedLocks
from bot.core.ports import Desk
from bot.core.sender import Handling, handling, keep, resume_pending
from bot.core.survey_flow import SurveyFlow
from handoff import REDELIVERY_WINDOW

__all__ = ["SupportCore"]

log = logging.getLogger(__name__)

# the housekeeping carries on work older than this (younger work is being carried out now)
STALE_WORK = timedelta(minutes=1)


class SupportCore:
    def __init__(
        self, deps: Deps, desk: Desk, survey: SurveyFlow, *, finish_delay_s: float = 0.005
    ) -> None:
        self.deps = deps
        self.desk = desk
        self.survey = survey
        self.customers = CustomerDialog(deps, desk, survey)
        self._locks = KeyedLocks()  # one process; replicas line up in deps.shared.chat_order
        self._order = deps.shared.chat_order if deps.shared else None
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._handlings: set[Handling] = set()  # being carried out: the housekeeping skips them
        self._resuming = asyncio.Lock()
        self._finishes = FinishBatch(deps.uow, lambda: self._inflight, delay_s=finish_delay_s)
        self._backlog = Backlog(deps.uow, self._follow_up, self._busy, self._hold)

    def _is_operator_chat(self, chat_id: int) -> bool:
        config = self.deps.config
        groups = {config.operator_group_id, *config.line_groups.values()} - {0}
        return chat_id in groups

    async def handle(self, event: Event) -> None:
        """Handle one update. Returning means its effects are committed, with what they leave
        to do (the sends) stored as pending work and carried out; raising means nothing was
        committed and the update may be handled again. Telegram's refusals are results."""
        self._inflight += 1
        self._idle.clear()
        scope = Handling()
        self._handlings.add(scope)
        try:
            async with self._turn(event):
                await self._backlog.catch_up(_queue_of(event))  # work a failure left, first
                try:
                    with handling(scope):
                        await self._dispatch(event)
                except Exception:
                    if not scope.committed:
                        raise  # nothing was committed: the update may be handled again
                    await keep(scope, self.deps.uow)  # its steps so far are not made again
                    self._backlog.fell_behind(_queue_of(event), [w.id for w in scope.works])
                    log.exception(
                        "update %s: its work stopped after the commit; it stays pending and "
                        "is carried on before the next update of its chat, or by the housekeeping",
                        event.update_id,
                    )
                    return
                finally:
                    scope.over = True
                try:  # with the other updates finishing now, in one transaction
                    await self._finishes.finish(scope)
                except Exception:  # all was done; the housekeeping finds nothing left to send
                    log.exception(
                        "update %s: its finished work could not be deleted", event.update_id
                    )
        finally:
            self._handlings.discard(scope)
            self._inflight -= 1
            if not self._inflight:
                self._idle.set()

    async def resume(self, *, stale_only: bool = False) -> int:
        """Carry on the work a crash (or a failure) left pending, oldest first: at start-up
        before polling starts, and from the housekeeping (``stale_only``: work older than a
        minute that this process is not carrying out). Returns how many pieces were finished."""
        async with self._resuming:
            if stale_only:  # lane by lane, each in its turn (bot/core/backlog.py)
                return await self._backlog.stale(self.deps.clock.now() - STALE_WORK)
            busy = self._busy()
            return await resume_pending(self.deps.uow, self._follow_up, skip=busy.__contains__)

    def _busy(self) -> set[int]:
        return {work.id for scope in self._handlings for work in scope.works}

    def _hold(self, key: tuple[int, int | None]) -> AbstractAsyncContextManager[None]:
        return self._locks.hold(key) if self._order is None else self._order.hold(key)

    async def _follow_up(self, kind: str, payload: str) -> None:
        if kind.startswith("customer."):
            await self.customers.resume(kind, payload)
        elif kind.startswith("survey."):
            await self.survey.resume(kind, payload)
        else:
            await self.desk.resume(kind, payload)

    def _turn(self, event: Event) -> AbstractAsyncContextManager[None]:
        key = _queue_of(event)
        if self._order is None:
            return self._locks.hold(key)
        return self._order.hold(key)

    async def wait_idle(self) -> None:
        """Return once no event is being handled (for a clean shutdown after polling stopped)."""
        await self._idle.wait()

    async def _dispatch(self, event: Event) -> None:
        if isinstance(event, MembershipChanged):
            await self.customers.membership(event)
            return
        if self._is_operator_chat(event.chat_id):
            match event:
                case MessageReceived():
                    await self.desk.group_message(event)
                case MessageEdited():
                    await self.desk.group_edit(event)
                case ButtonPressed():
                    await self.desk.group_button(event)
            return
        if not event.private:
            return  # the bot only talks to customers in private chats
        match event:
            case MessageReceived():
                await self.customers.message(event)
            case MessageEdited():
                await self.customers.edited(event)
            case ButtonPressed():
                await self.customers.button(event)

    async def housekeeping(self) -> None:
        """Run every minute or so: work left pending, SLA reminders, and forgetting update ids
        too old to recur."""
        if self.deps.shared and not await self.deps.shared.leader.lead():
            return  # another replica leads the housekeeping
        await self.resume(stale_only=True)
        await self.desk.remind_overdue()
        async with self.deps.uow() as uow:
            await uow.updates.forget_before(self.deps.clock.now() - 2 * REDELIVERY_WINDOW)


def _queue_of(event: Event) -> tuple[int, int | None]:
    """Events with the same key are handled in order: a chat, or a topic of a group."""
    if isinstance(event, MembershipChanged) or event.private:
        return (event.chat_id, None)
    return (event.chat_id, event.thread_id)
