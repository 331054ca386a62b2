"""Every conversation file here, played through the real core with the shipped content.

The same runner is ``supportbot test-conversations``; a failure prints the file, the line, the
turn and every expectation that did not hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversations import ConversationError, load_conversations, report, run_conversation
from bot.core.texts import Texts
from intents import ContentHolder, Thresholds

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
FILES = sorted(HERE.glob("*.yaml"))


@pytest.fixture(scope="module")
def brain() -> ContentHolder:
    holder = ContentHolder(ROOT / "intents" / "content", ROOT / "kb" / "articles", Thresholds())
    holder.load()
    return holder


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts.load(ROOT / "bot" / "texts", ["ru", "en"], "en")


def test_there_is_a_conversation_for_every_case() -> None:
    names = {path.stem.split("_")[0] for path in FILES}
    assert {"language", "transliteration", "keyboard", "typos", "slots", "followups"} <= names
    assert {path.stem for path in FILES} >= {
        "handoff_callback",
        "handoff_anger",
        "handoff_not_received",
        "handoff_second_double_charge",
    }


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
async def test_conversation(path: Path, brain: ContentHolder, texts: Texts) -> None:
    conversations = load_conversations([path])
    failures = await run_conversation(conversations[0], brain, texts)
    assert not failures, "\n" + report(conversations, failures)


async def test_a_failing_turn_is_reported_with_its_line_and_expectations(
    tmp_path: Path, brain: ContentHolder, texts: Texts
) -> None:
    story = tmp_path / "wrong.yaml"
    story.write_text(
        "customer: {name: Test, language_code: en}\n"
        "turns:\n"
        "  - say: where is my order\n"
        "    intent: delivery_cost\n"
        "    lang: ru\n",
        encoding="utf-8",
    )
    conversations = load_conversations([story])
    failures = await run_conversation(conversations[0], brain, texts)
    text = report(conversations, failures)
    assert f"{story}:3: turn 1 'where is my order'" in text
    assert "intent: expected 'delivery_cost', got 'order_status'" in text
    assert "lang: expected 'ru', got 'en'" in text
    assert text.endswith("0/1 conversations passed, 0/1 turns as expected")


def test_a_bad_file_names_the_problem(tmp_path: Path) -> None:
    story = tmp_path / "bad.yaml"
    story.write_text("turns:\n  - say: hi\n    acton: answer\n", encoding="utf-8")
    with pytest.raises(ConversationError, match=r"bad.yaml:2: turn 1: unknown keys \['acton'\]"):
        load_conversations([story])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConversationError, match="no conversation files"):
        load_conversations([tmp_path / "empty"])
    with pytest.raises(ConversationError, match=r"missing\.yaml: cannot read it"):
        load_conversations([tmp_path / "missing.yaml"])
