"""Operator updates are handled at least once, never twice: the update id is recorded with the
handling's first change, so a failure before that leaves it for Telegram's redelivery."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot.core import callbacks as cb
from bot.core.actions import AnswerButton, CopyMessages
from bot.core.events import Media
from handoff.memory.messages import MemoryMessageRepository
from handoff.memory.tickets import MemoryTicketRepository
from handoff.model import Direction, TicketStatus
from tests.core.desk.world import ANNA, World, make_world, operator_says, press


class StorageDown(Exception):
    pass


def fail_once(monkeypatch: pytest.MonkeyPatch, repository: type[Any], method: str) -> None:
    """The next call of ``repository.method`` raises (as a broken database would), later ones
    work."""
    real: Callable[..., Any] = getattr(repository, method)
    calls = 0

    async def flaky(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise StorageDown(f"{repository.__name__}.{method}")
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(repository, method, flaky)


async def operator_lines(world: World, ticket_id: int) -> list[str | None]:
    return [text for d, text in await world.messages(ticket_id) if d is Direction.OPERATOR]


@pytest.mark.parametrize("taken_first", [True, False], ids=["taken", "waiting"])
async def test_a_reply_failing_before_its_first_commit_is_relayed_on_redelivery(
    monkeypatch: pytest.MonkeyPatch, taken_first: bool
) -> None:
    world = make_world()
    ticket = await world.ticket()
    if taken_first:
        await world.desk.group_button(press(cb.encode(cb.TakeTicket(ticket.id))))
    # the first change: storing the reply (taken), or taking the ticket by writing (waiting)
    if taken_first:
        fail_once(monkeypatch, MemoryMessageRepository, "add")
    else:
        fail_once(monkeypatch, MemoryTicketRepository, "take")
    world.outbox.clear()
    reply = operator_says("on its way", thread_id=ticket.topic_id)

    with pytest.raises(StorageDown):
        await world.desk.group_message(reply)
    assert reply.update_id not in world.store.updates
    assert world.outbox.of(CopyMessages) == []
    assert await operator_lines(world, ticket.id) == []

    await world.desk.group_message(reply)  # Telegram delivers it again
    assert reply.update_id in world.store.updates
    assert len(world.outbox.of(CopyMessages)) == 1
    assert await operator_lines(world, ticket.id) == ["on its way"]
    assert (await world.get(ticket.id)).status is TicketStatus.TAKEN

    world.outbox.clear()
    await world.desk.group_message(reply)  # and once more: handled already
    assert world.outbox.actions == []
    assert await operator_lines(world, ticket.id) == ["on its way"]


async def test_a_take_failing_before_its_commit_is_taken_on_redelivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = make_world()
    ticket = await world.ticket()
    fail_once(monkeypatch, MemoryTicketRepository, "take")
    world.outbox.clear()
    take = press(cb.encode(cb.TakeTicket(ticket.id)))

    with pytest.raises(StorageDown):
        await world.desk.group_button(take)
    assert take.update_id not in world.store.updates
    assert world.outbox.actions == []
    assert (await world.get(ticket.id)).status is TicketStatus.WAITING

    await world.desk.group_button(take)
    taken = await world.get(ticket.id)
    assert (taken.status, taken.operator_id) == (TicketStatus.TAKEN, ANNA.telegram_id)
    assert len(world.outbox.of(AnswerButton)) == 1

    world.outbox.clear()
    await world.desk.group_button(take)
    assert world.outbox.actions == []
    assert await world.get(ticket.id) == taken


async def test_a_close_command_failing_before_its_commit_closes_on_redelivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = make_world()
    ticket = await world.ticket()
    fail_once(monkeypatch, MemoryTicketRepository, "set_status")
    world.outbox.clear()
    close = operator_says("/close", thread_id=ticket.topic_id)

    with pytest.raises(StorageDown):
        await world.desk.group_message(close)
    assert close.update_id not in world.store.updates
    assert world.outbox.actions == []
    assert (await world.get(ticket.id)).status is TicketStatus.WAITING

    await world.desk.group_message(close)
    closed = await world.get(ticket.id)
    assert closed.status is TicketStatus.RESOLVED
    sent = list(world.outbox.actions)

    await world.desk.group_message(close)
    assert world.outbox.actions == sent  # no second notice, no second survey
    assert await world.get(ticket.id) == closed


async def test_a_redelivered_note_is_stored_once() -> None:
    world = make_world()
    ticket = await world.ticket()
    note = operator_says("!check the warehouse", thread_id=ticket.topic_id)
    await world.desk.group_message(note)
    await world.desk.group_message(note)
    notes = [text for d, text in await world.messages(ticket.id) if d is Direction.NOTE]
    assert notes == ["check the warehouse"]


async def test_a_redelivered_album_is_copied_once() -> None:
    world = make_world()
    ticket = await world.ticket()
    await world.desk.group_button(press(cb.encode(cb.TakeTicket(ticket.id))))
    parts = [
        operator_says(media=Media("photo", f"f{i}"), thread_id=ticket.topic_id, album="a1")
        for i in range(2)
    ]
    world.outbox.clear()
    for _ in range(2):
        for part in parts:
            await world.desk.group_message(part)
        await world.desk.drain()
    copies = [a for a in world.outbox.actions if isinstance(a, CopyMessages)]
    assert len(copies) == 1
    assert copies[0].message_ids == tuple(part.message_id for part in parts)
    assert all(part.update_id in world.store.updates for part in parts)


async def test_an_answer_only_command_is_answered_once() -> None:
    world = make_world()
    await world.ticket()
    queue = operator_says("/queue")
    await world.desk.group_message(queue)
    world.outbox.clear()
    await world.desk.group_message(queue)
    assert world.outbox.actions == []
