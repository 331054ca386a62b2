"""Decisions, survey answers and the update log, on every backend."""

from __future__ import annotations

import pytest

from handoff.model import Decision
from handoff.ports import REDELIVERY_WINDOW
from tests.storage.conftest import Backend
from tests.storage.helpers import T0, Seeded, new_ticket, seconds


async def _decide(backend: Backend, seeded: Seeded, *, at_s: float, text: str) -> Decision:
    async with backend.unit_of_work() as uow:
        return await uow.decisions.add(
            conversation_id=seeded.conversation_id,
            text=text,
            language="en",
            action="answer",
            intent="delivery_time",
            article="delivery.md",
            score=0.87,
            now=T0 + seconds(at_s),
        )


async def test_decision_add_feedback_and_between(backend: Backend, seeded: Seeded) -> None:
    first = await _decide(backend, seeded, at_s=0, text="how long is delivery")
    second = await _decide(backend, seeded, at_s=30, text="and to Kazan?")
    await _decide(backend, seeded, at_s=60, text="outside the window")
    assert first.helped is None
    assert (first.action, first.intent, first.article, first.score) == (
        "answer",
        "delivery_time",
        "delivery.md",
        0.87,
    )
    async with backend.unit_of_work() as uow:
        helped = await uow.decisions.set_feedback(second.id, True)
        assert await uow.decisions.set_feedback(10_000, False) is None
        window = await uow.decisions.between(T0, T0 + seconds(60))
    assert helped is not None
    assert helped.helped is True
    assert [d.text for d in window] == ["how long is delivery", "and to Kazan?"]
    assert window[1] == helped


async def test_survey_save_fills_in_step_by_step(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        ticket = await new_ticket(uow, seeded)
        assert await uow.surveys.get(ticket.id) is None
        first = await uow.surveys.save(ticket.id, now=T0, csat=4)
    async with backend.unit_of_work() as uow:
        second = await uow.surveys.save(ticket.id, now=T0 + seconds(20), solved=False)
        third = await uow.surveys.save(ticket.id, now=T0 + seconds(40), comment="slow courier")
        fourth = await uow.surveys.save(ticket.id, now=T0 + seconds(50), csat=5)
    assert (first.csat, first.solved, first.comment) == (4, None, None)
    assert (second.csat, second.solved) == (4, False)
    assert (third.csat, third.solved, third.comment) == (4, False, "slow courier")
    assert fourth.csat == 5
    assert fourth.created_at == T0  # the time of the first answer
    async with backend.unit_of_work() as uow:
        assert await uow.surveys.get(ticket.id) == fourth


async def test_survey_between(backend: Backend, seeded: Seeded) -> None:
    async with backend.unit_of_work() as uow:
        tickets = [await new_ticket(uow, seeded) for _ in range(3)]
        for offset, ticket in zip((10, 0, 60), tickets, strict=True):
            await uow.surveys.save(ticket.id, now=T0 + seconds(offset), csat=3)
    async with backend.unit_of_work() as uow:
        window = await uow.surveys.between(T0, T0 + seconds(60))
    assert [a.ticket_id for a in window] == [tickets[1].id, tickets[0].id]


async def test_update_log_sees_each_update_once(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        assert await uow.updates.first_time(100, now=T0)
        assert not await uow.updates.first_time(100, now=T0)  # same transaction
        assert await uow.updates.first_time(101, now=T0)
    async with backend.unit_of_work() as uow:
        assert not await uow.updates.first_time(100, now=T0)  # redelivered later
        # the duplicate did not break the transaction: later writes still commit
        assert await uow.updates.first_time(102, now=T0)
    async with backend.unit_of_work() as uow:
        assert not await uow.updates.first_time(102, now=T0)


async def test_an_update_id_seen_long_ago_is_new_again(backend: Backend) -> None:
    # Telegram picks ids at random after a week without updates: an old id may come back
    async with backend.unit_of_work() as uow:
        assert await uow.updates.first_time(300, now=T0)
    async with backend.unit_of_work() as uow:
        assert not await uow.updates.first_time(300, now=T0 + REDELIVERY_WINDOW / 2)
        assert await uow.updates.first_time(300, now=T0 + REDELIVERY_WINDOW * 2)
    async with backend.unit_of_work() as uow:
        assert not await uow.updates.first_time(300, now=T0 + REDELIVERY_WINDOW * 2)


async def test_old_update_ids_are_forgotten(backend: Backend) -> None:
    async with backend.unit_of_work() as uow:
        assert await uow.updates.first_time(400, now=T0)
        assert await uow.updates.first_time(401, now=T0 + REDELIVERY_WINDOW)
    async with backend.unit_of_work() as uow:
        assert await uow.updates.forget_before(T0 + REDELIVERY_WINDOW / 2) == 1
    async with backend.unit_of_work() as uow:
        assert await uow.updates.first_time(400, now=T0 + REDELIVERY_WINDOW)  # gone: new again
        assert not await uow.updates.first_time(401, now=T0 + REDELIVERY_WINDOW)


async def test_update_log_forgets_an_update_whose_processing_failed(backend: Backend) -> None:
    class Boom(Exception):
        pass

    async def process() -> None:
        async with backend.unit_of_work() as uow:
            assert await uow.updates.first_time(200, now=T0)
            raise Boom

    with pytest.raises(Boom):
        await process()
    async with backend.unit_of_work() as uow:
        assert await uow.updates.first_time(200, now=T0)  # processed again on redelivery
