"""The message reader lives with the bot's Deps (no module state): built once per brain and
content, again after a reload, and never shared between two bots in one process."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest

from bot.core import prepare_reader, reader
from bot.core.deps import ReaderSlot
from bot.core.reload import reload_content
from intents import Content, Decision, ReloadReport, load_content
from intents.understanding import Reader
from intents.understanding.reader import Decide
from tests.core.fakes import ScriptedBrain, make_world
from tests.core.test_customer_dialog import say

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


class _CountingReader(Reader):
    """A reader that notes the thread it was built in."""

    threads: ClassVar[list[int]] = []

    def __init__(self, content: Content, decide: Decide, default_lang: str = "en") -> None:
        super().__init__(content, decide, default_lang)
        _CountingReader.threads.append(threading.get_ident())


async def test_the_reader_is_built_off_the_event_loop_at_start_up_and_after_a_reload(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader, "Reader", _CountingReader)
    _CountingReader.threads.clear()
    loop_thread = threading.get_ident()
    brain = ScriptedBrain(reloads=[ReloadReport(ok=True)])
    world = make_world(brain=brain)
    deps = world.core.deps

    await prepare_reader(deps)  # what the app does before it starts polling
    assert len(_CountingReader.threads) == 1
    assert _CountingReader.threads[0] != loop_thread
    await say(world, "where is my order")
    assert len(_CountingReader.threads) == 1, "the message used the prepared reader"

    brain.content = replace(brain.content)  # the reload brings new content
    await reload_content(deps, "en")
    assert len(_CountingReader.threads) == 2
    assert _CountingReader.threads[1] != loop_thread
    await say(world, "where is my order")
    assert len(_CountingReader.threads) == 2


async def test_while_the_next_reader_is_prepared_the_last_one_reads() -> None:
    content = load_content(ROOT / "intents" / "content", ROOT / "kb" / "articles")
    reloaded = replace(content)
    brain = object()
    slot = ReaderSlot()
    first = slot.get(brain, content, lambda: Reader(content, _never, "en"))
    release = threading.Event()

    def slow_build() -> Reader:
        release.wait(5)
        return Reader(reloaded, _never, "en")

    def no_build_on_the_loop() -> Reader:
        raise AssertionError("built on the event loop while a prepare() was building")

    preparing = asyncio.create_task(slot.prepare(brain, reloaded, slow_build))
    await asyncio.sleep(0.01)  # the build runs in its thread
    assert slot.get(brain, reloaded, no_build_on_the_loop) is first
    release.set()
    await preparing
    assert slot.get(brain, reloaded, no_build_on_the_loop).content is reloaded


async def test_of_two_prepares_close_together_the_newer_content_wins() -> None:
    content = load_content(ROOT / "intents" / "content", ROOT / "kb" / "articles")
    older, newer = replace(content), replace(content)
    brain = object()
    slot = ReaderSlot()
    slot.get(brain, content, lambda: Reader(content, _never, "en"))
    older_may_finish = threading.Event()

    def build_older() -> Reader:
        older_may_finish.wait(5)
        return Reader(older, _never, "en")

    first = asyncio.create_task(slot.prepare(brain, older, build_older))
    await asyncio.sleep(0.01)
    await slot.prepare(brain, newer, lambda: Reader(newer, _never, "en"))
    older_may_finish.set()  # the older build ends last
    await first

    def no_build() -> Reader:
        raise AssertionError("the newer content's reader should be live")

    assert slot.get(brain, newer, no_build).content is newer
