"""The message reader of the live content (sticky language, transliteration, typos, slots,
follow-ups), kept in the bot's :class:`Deps` and built again when the content changes."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.deps import Deps
from bot.core.replies import as_lang
from intents import Decision
from intents.understanding import Reader

__all__ = ["live_reader", "prepare_reader"]


def live_reader(deps: Deps) -> Reader:
    """The reader of the brain's live content; built here if the content changed since (and no
    :func:`prepare_reader` is building it)."""
    return deps.reader.get(deps.brain, deps.brain.content, _builder(deps))


async def prepare_reader(deps: Deps) -> None:
    """Build the reader of the live content in a worker thread (at start-up and after a reload),
    so no customer's message waits for it on the event loop: building it looks up every word of
    the content in the Russian dictionary, a few tenths of a second."""
    await deps.reader.prepare(deps.brain, deps.brain.content, _builder(deps))


def _builder(deps: Deps) -> Callable[[], Reader]:
    brain, content = deps.brain, deps.brain.content

    def build() -> Reader:
        def decide(text: str, lang: str) -> Decision:
            return brain.decide(text, as_lang(lang, content))

        return Reader(content, decide, deps.config.default_language)

    return build
