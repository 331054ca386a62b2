"""The reader must not turn out-of-scope messages into answers: a typo correction, a dropped
name or a transliteration is kept only when it raises the match, and that must not make an
unrelated question look like a content one ("во сколько закат" is not "во сколько заказ").

The phrases (data/) were written while tuning the reader: a regression check, not a held-out
measurement (that is tests/heldout, run with ``supportbot eval-heldout``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from intents import Decision, Engine, Thresholds, load_content
from intents.understanding import Context, Reader

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data"


def _phrases(lang: str) -> list[str]:
    lines = (DATA / f"out_of_scope.{lang}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _answered(decision: Decision) -> bool:
    return decision.action != "clarify" and (
        decision.intent is not None or decision.article is not None
    )


@pytest.fixture(scope="module")
def engine() -> Engine:
    content = load_content(ROOT / "intents" / "content", ROOT / "kb" / "articles")
    return Engine.build(content, Thresholds())


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_the_reader_answers_no_out_of_scope_message_the_engine_would_not(
    engine: Engine, lang: str
) -> None:
    reader = Reader(engine.content, engine.decide)  # type: ignore[arg-type]
    added = [
        (text, understood.matched_text, understood.decision.intent_id)
        for text in _phrases(lang)
        if _answered((understood := reader.understand(text, Context(lang))).decision)
        and not _answered(engine.decide(text, lang))  # type: ignore[arg-type]
    ]
    assert added == []
    assert len(_phrases(lang)) >= 40
