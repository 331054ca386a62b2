"""Messages in and out, and relay links, on every backend."""

from __future__ import annotations

from datetime import UTC

from handoff.model import Direction, NewMessage, RelayLink
from tests.storage.conftest import Backend
from tests.storage.helpers import T0, Seeded, new_ticket, seconds


def _message(seeded: Seeded, **fields: object) -> NewMessage:
    values: dict[str, object] = {
        "conversation_id": seeded.conversation_id,
        "direction": Direction.CUSTOMER,
        "chat_id": seeded.customer.chat_id,
        "telegram_message_id": 1,
        "text": "hello",
        "created_at": T0,
    }
    values.update(fields)
    return NewMessage(**values)  # type: ignore[arg-type]


async def test_add_keeps_every_field(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        stored = await uow.messages.add(
            _message(
                seeded,
                direction=Direction.OPERATOR,
                telegram_message_id=7,
                text=None,
                ticket_id=ticket.id,
                media_kind="photo",
                media_file_id="AgACAgIAAxkBAAIB",
                author_id=9001,
                author_name="Olga",
                created_at=T0 + seconds(5),
            )
        )
    async with backend.unit_of_work() as uow:
        found = await uow.messages.find(seeded.customer.chat_id, 7)
    assert found == stored
    assert stored.direction is Direction.OPERATOR
    assert (stored.media_kind, stored.media_file_id, stored.text) == (
        "photo",
        "AgACAgIAAxkBAAIB",
        None,
    )
    assert (stored.author_id, stored.author_name, stored.ticket_id) == (9001, "Olga", ticket.id)
    assert stored.created_at == T0 + seconds(5)
    assert stored.created_at.tzinfo is UTC


async def test_lists_are_oldest_first_with_insertion_breaking_ties(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        late = await uow.messages.add(_message(seeded, text="late", created_at=T0 + seconds(9)))
        early = await uow.messages.add(
            _message(seeded, text="early", created_at=T0 + seconds(1), ticket_id=ticket.id)
        )
        tie_a = await uow.messages.add(
            _message(seeded, text="a", created_at=T0 + seconds(5), ticket_id=ticket.id)
        )
        tie_b = await uow.messages.add(
            _message(
                seeded,
                text="b",
                direction=Direction.NOTE,
                created_at=T0 + seconds(5),
                ticket_id=ticket.id,
            )
        )
    async with backend.unit_of_work() as uow:
        in_conversation = await uow.messages.for_conversation(seeded.conversation_id)
        in_ticket = await uow.messages.for_ticket(ticket.id)
        assert await uow.messages.for_ticket(ticket.id + 1000) == []
    assert [m.text for m in in_conversation] == ["early", "a", "b", "late"]
    assert [m.id for m in in_ticket] == [early.id, tie_a.id, tie_b.id]
    assert late not in in_ticket


async def test_add_moves_the_conversation_forward_never_back(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        await uow.messages.add(_message(seeded, created_at=T0 + seconds(100)))
        await uow.messages.add(_message(seeded, created_at=T0 + seconds(50)))  # late delivery
    async with backend.unit_of_work() as uow:
        conversation = await uow.conversations.get(seeded.conversation_id)
        # so the idle gap counts from the last message, not from the start
        same = await uow.conversations.current(
            seeded.customer.id, now=T0 + seconds(700), idle_after_s=600
        )
    assert conversation is not None
    assert conversation.last_message_at == T0 + seconds(100)
    assert same.id == seeded.conversation_id


async def test_add_without_touch_leaves_the_conversation(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        await uow.messages.add(_message(seeded, created_at=T0 + seconds(100)), touch=False)
    async with backend.unit_of_work() as uow:
        conversation = await uow.conversations.get(seeded.conversation_id)
    assert conversation is not None
    assert conversation.last_message_at == T0


async def test_find_by_chat_and_message_id(backend: Backend, seeded: Seeded) -> None:
    group = -100_777
    async with backend.unit_of_work() as uow:
        in_private = await uow.messages.add(_message(seeded, telegram_message_id=5))
        in_group = await uow.messages.add(
            _message(seeded, direction=Direction.SYSTEM, chat_id=group, telegram_message_id=5)
        )
        await uow.messages.add(_message(seeded, telegram_message_id=None, text="no id"))
    async with backend.unit_of_work() as uow:
        assert await uow.messages.find(seeded.customer.chat_id, 5) == in_private
        assert await uow.messages.find(group, 5) == in_group
        assert await uow.messages.find(group, 6) is None


async def test_relay_links_both_ways(backend: Backend, seeded: Seeded) -> None:
    group = -100_777
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        to_group = RelayLink(ticket.id, seeded.customer.chat_id, 10, group, 500)
        to_topic = RelayLink(ticket.id, seeded.customer.chat_id, 10, group - 1, 600)
        back = RelayLink(ticket.id, group, 501, seeded.customer.chat_id, 11)
        for link in (to_group, to_topic, back):
            await uow.relays.add(link)
    async with backend.unit_of_work() as uow:
        assert await uow.relays.by_source(seeded.customer.chat_id, 10) == [to_group, to_topic]
        assert await uow.relays.by_target(group, 500) == to_group
        assert await uow.relays.by_target(seeded.customer.chat_id, 11) == back
        assert await uow.relays.by_source(group, 500) == []
        assert await uow.relays.by_target(group, 501) is None


async def test_adding_the_same_relay_target_twice_is_ignored(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        first = RelayLink(ticket.id, 1, 10, 2, 20)
        await uow.relays.add(first)
    async with backend.unit_of_work() as uow:  # e.g. a redelivered update
        await uow.relays.add(RelayLink(ticket.id, 1, 99, 2, 20))
    async with backend.unit_of_work() as uow:
        assert await uow.relays.by_target(2, 20) == first
        assert await uow.relays.by_source(1, 99) == []


async def test_add_all_stores_each_and_moves_each_conversation_forward(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        other = await uow.conversations.current(  # a new one: the first has gone idle
            seeded.customer.id, now=T0 + seconds(1000), idle_after_s=600
        )
        assert other.id != seeded.conversation_id
        await uow.messages.add_all(
            [
                _message(seeded, telegram_message_id=21, text="a", created_at=T0 + seconds(30)),
                _message(seeded, telegram_message_id=22, text=None, created_at=T0 + seconds(20)),
                _message(
                    seeded,
                    conversation_id=other.id,
                    direction=Direction.BOT,
                    telegram_message_id=23,
                    author_name="bot",
                    created_at=T0 + seconds(1040),
                ),
            ]
        )
        await uow.messages.add_all([])  # nothing: no error
    async with backend.unit_of_work() as uow:
        first = await uow.messages.find(seeded.customer.chat_id, 21)
        second = await uow.messages.find(seeded.customer.chat_id, 22)
        third = await uow.messages.find(seeded.customer.chat_id, 23)
        moved = await uow.conversations.get(seeded.conversation_id)
        moved_other = await uow.conversations.get(other.id)
    assert first is not None
    assert second is not None
    assert third is not None
    assert (first.text, second.text, first.created_at) == ("a", None, T0 + seconds(30))
    assert (third.conversation_id, third.direction, third.author_name) == (
        other.id,
        Direction.BOT,
        "bot",
    )
    assert moved is not None
    assert moved_other is not None
    assert moved.last_message_at == T0 + seconds(30)  # the newest of its two, not the last
    assert moved_other.last_message_at == T0 + seconds(1040)


async def test_add_all_links_ignores_a_target_linked_already(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        first = RelayLink(ticket.id, 1, 10, 2, 20)
        await uow.relays.add(first)
    async with backend.unit_of_work() as uow:
        await uow.relays.add_all(
            [RelayLink(ticket.id, 1, 99, 2, 20), RelayLink(ticket.id, 1, 11, 2, 21)]
        )
        await uow.relays.add_all([])
    async with backend.unit_of_work() as uow:
        assert await uow.relays.by_target(2, 20) == first
        assert await uow.relays.by_target(2, 21) == RelayLink(ticket.id, 1, 11, 2, 21)
