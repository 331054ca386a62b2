from __future__ import annotations

import json

import pytest

from handoff import survey
from handoff.dialog import DialogState
from handoff.errors import SurveyError
from handoff.model import TicketStatus
from handoff.survey import SurveyState, SurveyStep
from handoff.tickets import cancel, close
from tests.handoff.factories import T0, World, create_ticket, minutes


async def test_happy_path_stores_every_answer(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        ticket = await close(uow, (await create_ticket(uow, 1, at=T0)).id, now=T0 + minutes(5))
        assert await survey.should_survey(uow, ticket)
        state = survey.start(ticket.id)
        customer_state = DialogState(misses=1).with_survey(state)
        assert json.loads(json.dumps(customer_state.to_json())) == {
            "misses": 1,
            "survey": {"ticket_id": ticket.id, "step": "csat"},
        }
        state = DialogState.from_json(customer_state.to_json()).survey or pytest.fail("lost")
        state = await survey.answer_csat(uow, state, 4, now=T0 + minutes(6))
        assert state.step is SurveyStep.SOLVED
        state = await survey.answer_solved(uow, state, True, now=T0 + minutes(7))
        state = await survey.answer_comment(uow, state, "  quick, thanks!  ", now=T0 + minutes(8))
        assert state.step is SurveyStep.DONE
        assert customer_state.with_survey(state) == DialogState(misses=1)  # a finished one leaves
        answer = await uow.surveys.get(ticket.id)
        assert not await survey.should_survey(uow, ticket)
    assert answer is not None
    assert (answer.csat, answer.solved, answer.comment) == (4, True, "quick, thanks!")
    assert answer.created_at == T0 + minutes(6)


async def test_skipping_the_comment(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        state = SurveyState(5, SurveyStep.COMMENT)
        assert (await survey.answer_comment(uow, state, None, now=T0)).step is SurveyStep.DONE
        assert (await survey.answer_comment(uow, state, "   ", now=T0)).step is SurveyStep.DONE
        assert await uow.surveys.get(5) is None


@pytest.mark.parametrize("score", [0, 6, 7, -1, True, 4.5])
async def test_score_outside_one_to_five(world: World, score: object) -> None:
    async with world.store.unit_of_work() as uow:
        with pytest.raises(SurveyError, match=r"whole number 1\.\.5"):
            await survey.answer_csat(uow, survey.start(1), score, now=T0)  # type: ignore[arg-type]
        assert await uow.surveys.get(1) is None


async def test_answers_in_the_wrong_step(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        with pytest.raises(SurveyError, match="at step 'csat', not 'solved'"):
            await survey.answer_solved(uow, survey.start(1), True, now=T0)
        with pytest.raises(SurveyError, match="at step 'done', not 'csat'"):
            await survey.answer_csat(uow, SurveyState(1, SurveyStep.DONE), 5, now=T0)
        with pytest.raises(SurveyError, match="yes or no"):
            await survey.answer_solved(uow, SurveyState(1, SurveyStep.SOLVED), "yes", now=T0)  # type: ignore[arg-type]


async def test_no_survey_for_cancelled_or_open_tickets(world: World) -> None:
    async with world.store.unit_of_work() as uow:
        waiting = await create_ticket(uow, 1, at=T0)
        assert not await survey.should_survey(uow, waiting)
        cancelled = await cancel(uow, waiting.id, now=T0)
        assert cancelled.status is TicketStatus.CANCELLED
        assert not await survey.should_survey(uow, cancelled)


def test_state_round_trip() -> None:
    assert DialogState.from_json({}).survey is None
    state = SurveyState(3, SurveyStep.COMMENT)
    assert SurveyState.from_json(state.to_json()) == state
    assert DialogState.from_json(DialogState(survey=state).to_json()).survey == state


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("csat", "not a mapping"),
        ({"ticket_id": "3", "step": "csat"}, "no integer ticket_id"),
        ({"ticket_id": 3, "step": "rating"}, "unknown step 'rating'"),
    ],
)
def test_bad_state_is_reported(value: object, message: str) -> None:
    with pytest.raises(SurveyError, match=message):
        SurveyState.from_json(value)
