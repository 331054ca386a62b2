"""Each hand-off module lists its public names, sorted, and every listed name exists."""

from __future__ import annotations

import importlib

import pytest

import handoff

MODULES = [
    "handoff",
    "handoff.breakdowns",
    "handoff.categories",
    "handoff.clock",
    "handoff.errors",
    "handoff.dialog",
    "handoff.hours",
    "handoff.memory",
    "handoff.memory.customers",
    "handoff.memory.feedback",
    "handoff.memory.messages",
    "handoff.memory.store",
    "handoff.memory.tickets",
    "handoff.gaps",
    "handoff.metrics",
    "handoff.queue",
    "handoff.stated_hours",
    "handoff.survey",
    "handoff.tickets",
    "handoff.transcript",
]


def _isort_style(name: str) -> tuple[int, str]:
    """CONSTANTS, then Classes, then functions, as ruff's RUF022 sorts them."""
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_complete(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_isort_style)
    assert [item for item in exported if not hasattr(module, item)] == []


def test_every_error_descends_from_the_root() -> None:
    errors = importlib.import_module("handoff.errors")
    for item in errors.__all__:
        assert issubclass(getattr(errors, item), handoff.HandoffError)
