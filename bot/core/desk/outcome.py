"""A desk change made once per handling, its outcome kept for the handling if it is resumed.

An operator's command changes storage, then sends: the notices, the card, the customer's
message. If the process dies between the two, the resumed handling (:mod:`bot.core.desk.once`)
must send what is missing without making the change again — escalating twice would move the
ticket two lines — and must know what the change found: whether *this* handling took the
ticket cannot be read from the ticket afterwards (a take by the same operator earlier looks the
same). So the change runs in a unit of work that also stores its outcome, as a step of the
handling's pending work (the table that keeps the results of the calls already made, under keys
no call has). A resumed handling finds the outcome and carries on from it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import TypeAdapter

from bot.core.desk.once import Once
from bot.core.sender import current_work
from handoff import UnitOfWork

__all__ = ["changed_ticket", "decided", "once_only"]

T = TypeVar("T")

_MARK = "outcome:"  # a step key no Telegram call has (theirs start with the action's name)


async def once_only(
    once: Once,
    key: str,
    outcome: TypeAdapter[T],
    change: Callable[[UnitOfWork], Awaitable[T]],
) -> T:
    """Run ``change`` in a unit of work that stores what it returned, unless this handling ran
    it before a crash stopped it: then its stored outcome is returned and nothing runs.

    When it is the handling's first change, its unit of work also records the update (see
    :class:`~bot.core.desk.once.Once`): a failure before the commit leaves the update to
    Telegram's redelivery. An exception from ``change`` rolls back and stores nothing (a resumed
    handling runs it again and meets the same refusal)."""
    step = _MARK + key
    work = once.work
    if work is not None and (kept := work.steps.get(step)) is not None:
        return outcome.validate_json(kept)
    async with once.uow(replay=True) as uow:  # a stored outcome keeps it from running twice
        result = await change(uow)
        encoded = outcome.dump_json(result).decode()
        work = once.work  # staged just now when this unit of work records the update
        if work is not None:
            await uow.outbox.record_step(work.id, step, encoded)
    if work is not None:
        work.steps[step] = encoded
    return result


def decided(key: str) -> bool:
    """This handling made the change ``key`` already (before a crash stopped it). Keys name the
    change and end with the ticket's number: ``escalate:12``."""
    work = current_work()
    return work is not None and _MARK + key in work.steps


def changed_ticket() -> int | None:
    """The ticket this handling changed before a crash stopped it (outcome keys end with the
    ticket's number): a resumed command finds its ticket even if the change moved it out of the
    topic the command was written in (escalated to another group)."""
    work = current_work()
    for step in work.steps if work is not None else ():
        if step.startswith(_MARK):
            number = step.rsplit(":", 1)[-1]
            if number.isdigit():
                return int(number)
    return None
