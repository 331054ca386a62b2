"""Each package says what it offers: a sorted ``__all__`` whose every name exists."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "bot.core",
    "bot.core.customer",
    "bot.core.desk",
    "bot.demo",
    "telegram_emulator",
    "bot.runtime",
    "bot.runtime.aiogram",
    "bot.runtime.ptb",
    "handoff",
    "intents",
    "kb",
    "storage",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_public_surface_is_explicit_sorted_and_real(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))
    missing = [item for item in exported if not hasattr(module, item)]
    assert missing == []
