"""The message reader lives with the bot's Deps (no module state): built once per brain and
content, again after a reload, and never shared between two bots in one process."""

from __future__ import annotations

from pathlib import Path

from bot.core.deps import ReaderSlot
from intents import Content, Decision, load_content
from intents.understanding import Reader

ROOT = Path(__file__).resolve().parents[2]


def _never(text: str, lang: str) -> Decision:
    raise AssertionError("the slot builds readers, it never reads")


def test_one_reader_per_brain_and_content() -> None:
    content = load_content(ROOT / "intents" / "content", ROOT / "kb" / "articles")
    reloaded = load_content(ROOT / "intents" / "content", ROOT / "kb" / "articles")
    built: list[Reader] = []

    def build(for_content: Content) -> Reader:
        reader = Reader(for_content, _never, "en")
        built.append(reader)
        return reader

    brain, other_brain = object(), object()
    slot = ReaderSlot()
    first = slot.get(brain, content, lambda: build(content))
    assert slot.get(brain, content, lambda: build(content)) is first
    assert len(built) == 1
    # equal but not the same content: a reload happened, the reader follows it
    assert reloaded == content
    second = slot.get(brain, reloaded, lambda: build(reloaded))
    assert second is not first
    assert second.content is reloaded
    slot.get(other_brain, reloaded, lambda: build(reloaded))  # a wrapped brain (monitoring)
    assert len(built) == 3
    # another bot in the same process keeps its own
    assert ReaderSlot().get(brain, content, lambda: build(content)) is not first
