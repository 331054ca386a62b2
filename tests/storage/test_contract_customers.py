"""Customers and conversations: the same behaviour on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from handoff.dialog import DialogState, SurveyState, SurveyStep
from tests.storage.conftest import Backend
from tests.storage.helpers import T0, Seeded, add_customer, seconds

MSK = timezone(timedelta(hours=3))


async def test_upsert_creates_then_refreshes_name_and_keeps_created_at(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        created = await add_customer(uow, telegram_id=42, name="Ann")
    async with backend.unit_of_work() as uow:
        again = await uow.customers.upsert(
            telegram_id=42,
            chat_id=42,
            name="Anna",
            username=None,
            language="ru",
            now=T0 + timedelta(days=1),
        )
    assert again.id == created.id
    assert (again.name, again.username, again.language) == ("Anna", None, "ru")
    assert again.created_at == T0
    assert not again.language_chosen
    assert not again.blocked
    assert again.state == DialogState()


async def test_upsert_keeps_a_language_the_customer_chose(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=42)
        await uow.customers.set_language(customer.id, "ru")
    async with backend.unit_of_work() as uow:
        again = await uow.customers.upsert(
            telegram_id=42, chat_id=42, name="Ann", username="ann", language="en", now=T0
        )
    assert (again.language, again.language_chosen) == ("ru", True)


async def test_lookups_by_id_and_telegram_id(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        ann = await add_customer(uow, telegram_id=1, name="Ann")
        bob = await add_customer(uow, telegram_id=2, name="Bob")
    async with backend.unit_of_work() as uow:
        assert await uow.customers.get(ann.id) == ann
        assert await uow.customers.get_by_telegram_id(2) == bob
        assert await uow.customers.get(10_000) is None
        assert await uow.customers.get_by_telegram_id(3) is None


async def test_blocked_flag_and_dialog_state_round_trip(backend: Backend) -> None:
    state = DialogState(misses=2, survey=SurveyState(5, SurveyStep.COMMENT))
    async with backend.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=7)
        await uow.customers.set_blocked(customer.id, True)
        await uow.customers.save_state(customer.id, state)
    async with backend.unit_of_work() as uow:
        stored = await uow.customers.get(customer.id)
        assert stored is not None
        await uow.customers.save_state(customer.id, replace(state, misses=0, survey=None))
        cleared = await uow.customers.get(customer.id)
    assert stored.blocked
    assert stored.state == state
    assert cleared is not None
    assert cleared.state == DialogState()


async def test_returned_state_cannot_be_changed_behind_the_store(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=7)
        await uow.customers.save_state(customer.id, DialogState(misses=1))
        loaded = await uow.customers.get(customer.id)
        assert loaded is not None
        with pytest.raises(FrozenInstanceError):
            loaded.state.misses = 2  # type: ignore[misc]
        again = await uow.customers.get(customer.id)
    assert again is not None
    assert again.state == DialogState(misses=1)


async def test_changing_a_missing_customer_is_a_lookup_error(backend: Backend) -> None:
    with pytest.raises(LookupError, match="customer 999"):
        async with backend.unit_of_work() as uow:
            await uow.customers.set_blocked(999, True)


async def test_large_telegram_ids_fit(backend: Backend) -> None:
    big = -1_002_345_678_901  # supergroup ids and new user ids exceed 32 bits
    async with backend.unit_of_work() as uow:
        customer = await add_customer(uow, telegram_id=big)
    async with backend.unit_of_work() as uow:
        assert await uow.customers.get_by_telegram_id(big) == customer


async def test_current_conversation_continues_within_the_gap(
    backend: Backend, seeded: Seeded
) -> None:
    async with backend.unit_of_work() as uow:
        again = await uow.conversations.current(
            seeded.customer.id, now=T0 + seconds(600), idle_after_s=600
        )
    assert again.id == seeded.conversation_id
    assert again.started_at == T0


async def test_current_conversation_moves_its_last_message_forward_never_back(
    backend: Backend, seeded: Seeded
) -> None:
    """The message about to be stored at ``now`` is counted in the read that finds the
    conversation (one statement, not a second one when the message is added)."""
    async with backend.unit_of_work() as uow:
        moved = await uow.conversations.current(
            seeded.customer.id, now=T0 + seconds(300), idle_after_s=600
        )
        back = await uow.conversations.current(  # the clock stepped back
            seeded.customer.id, now=T0 + seconds(200), idle_after_s=600
        )
    async with backend.unit_of_work() as uow:
        stored = await uow.conversations.get(seeded.conversation_id)
    assert moved.id == back.id == seeded.conversation_id
    assert moved.last_message_at == back.last_message_at == T0 + seconds(300)
    assert stored is not None
    assert stored.last_message_at == T0 + seconds(300)
    assert stored.started_at == T0


async def test_current_conversation_starts_anew_after_the_gap(
    backend: Backend, seeded: Seeded
) -> None:
    later = T0 + seconds(601)
    async with backend.unit_of_work() as uow:
        fresh = await uow.conversations.current(seeded.customer.id, now=later, idle_after_s=600)
    assert fresh.id != seeded.conversation_id
    assert (fresh.customer_id, fresh.started_at, fresh.last_message_at) == (
        seeded.customer.id,
        later,
        later,
    )
    assert not fresh.resolved_by_bot
    async with backend.unit_of_work() as uow:
        # the newest conversation is the current one from now on
        current = await uow.conversations.current(
            seeded.customer.id, now=later + seconds(1), idle_after_s=600
        )
    assert current.id == fresh.id


async def test_mark_resolved_by_bot(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        await uow.conversations.mark_resolved_by_bot(seeded.conversation_id)
    async with backend.unit_of_work() as uow:
        conversation = await uow.conversations.get(seeded.conversation_id)
        assert await uow.conversations.get(10_000) is None
    assert conversation is not None
    assert conversation.resolved_by_bot


async def test_timestamps_come_back_aware_utc(backend: Backend) -> None:
    moscow_noon = datetime(2025, 6, 1, 12, 0, tzinfo=MSK)
    async with backend.unit_of_work() as uow:
        customer = await uow.customers.upsert(
            telegram_id=5, chat_id=5, name="A", username=None, language="en", now=moscow_noon
        )
    async with backend.unit_of_work() as uow:
        stored = await uow.customers.get(customer.id)
    assert stored is not None
    assert stored.created_at == moscow_noon
    assert stored.created_at.tzinfo is UTC
    assert stored.created_at.hour == 9


async def test_naive_datetimes_are_refused(backend: Backend) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        async with backend.unit_of_work() as uow:
            await uow.customers.upsert(
                telegram_id=5,
                chat_id=5,
                name="A",
                username=None,
                language="en",
                now=datetime(2025, 6, 1, 12, 0),
            )
