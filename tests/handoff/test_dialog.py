"""The dialog state: a typed value stored as the JSON it always was."""

from __future__ import annotations

import logging

import pytest

from handoff.dialog import DialogState, SurveyState, SurveyStep


def test_stored_shape_is_the_one_the_plain_dict_had() -> None:
    # rows written before the state was typed must read back the same
    state = DialogState(misses=2, survey=SurveyState(7, SurveyStep.SOLVED))
    stored = {"misses": 2, "survey": {"ticket_id": 7, "step": "solved"}}
    assert state.to_json() == stored
    assert DialogState.from_json(stored) == state
    assert DialogState.from_json({"misses": 0}) == DialogState()  # a reset, as it was written
    assert DialogState().to_json() == {}


def test_a_finished_survey_leaves_the_state() -> None:
    asked = DialogState(misses=1).with_survey(SurveyState(3, SurveyStep.CSAT))
    assert asked.survey == SurveyState(3, SurveyStep.CSAT)
    assert asked.with_survey(SurveyState(3, SurveyStep.DONE)) == DialogState(misses=1)


@pytest.mark.parametrize(
    ("stored", "dropped"),
    [
        ({"misses": "two"}, "misses"),
        ({"misses": True}, "misses"),
        ({"misses": -1}, "misses"),
        ({"survey": "csat"}, "not a mapping"),
        ({"survey": {"ticket_id": 3, "step": "rating"}}, "unknown step"),
    ],
)
def test_a_damaged_part_is_dropped_and_logged(
    stored: dict[str, object], dropped: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="handoff.dialog"):
        assert DialogState.from_json({**stored, "other": 1}) == DialogState()
    assert dropped in caplog.text


def test_the_damaged_survey_does_not_take_the_misses_with_it() -> None:
    stored = {"misses": 2, "survey": {"ticket_id": "3", "step": "csat"}}
    assert DialogState.from_json(stored) == DialogState(misses=2)
