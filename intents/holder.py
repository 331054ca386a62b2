"""The live engine and its atomic replacement on ``/reload``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from intents.errors import ContentError, ReloadInProgress
from intents.loader import load_content
from intents.matching.cache import MatcherCache
from intents.matching.encoder import SentenceEncoder
from intents.matching.engine import Engine
from intents.matching.results import Decision, Thresholds
from intents.model import LANGS, Content, Lang
from kb import Problem

__all__ = ["ContentHolder", "ReloadReport"]


@dataclass(frozen=True)
class ReloadReport:
    """The outcome of a reload. ``ok`` is False when the live content was kept."""

    ok: bool
    problems: tuple[Problem, ...] = ()
    intents_added: tuple[str, ...] = ()
    intents_removed: tuple[str, ...] = ()
    intents_changed: tuple[str, ...] = ()
    articles_added: tuple[str, ...] = ()
    articles_removed: tuple[str, ...] = ()
    articles_changed: tuple[str, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.intents_added,
                self.intents_removed,
                self.intents_changed,
                self.articles_added,
                self.articles_removed,
                self.articles_changed,
            )
        )

    def changes(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """The ids (intents, then articles) added, removed and changed."""
        return (
            self.intents_added + self.articles_added,
            self.intents_removed + self.articles_removed,
            self.intents_changed + self.articles_changed,
        )

    def summary(self) -> str:
        if not self.ok:
            lines = [
                f"Reload failed, the previous content stays live ({len(self.problems)} problem(s)):"
            ]
            return "\n".join([*lines, *(str(p) for p in self.problems)])
        parts = [
            f"{name}: {', '.join(ids)}"
            for name, ids in (
                ("intents added", self.intents_added),
                ("intents removed", self.intents_removed),
                ("intents changed", self.intents_changed),
                ("articles added", self.articles_added),
                ("articles removed", self.articles_removed),
                ("articles changed", self.articles_changed),
            )
            if ids
        ]
        counts = ", ".join(f"{value} {key}" for key, value in self.stats.items())
        return "\n".join(
            [f"Reloaded: {counts}.", *parts] if parts else [f"Reloaded: {counts}; nothing changed."]
        )


def _diff(old: Content | None, new: Content) -> dict[str, tuple[str, ...]]:
    old_intents = dict(old.intents) if old is not None else {}
    old_articles: dict[str, list[object]] = {}
    new_articles: dict[str, list[object]] = {}
    for target, content in ((old_articles, old), (new_articles, new)):
        if content is None:
            continue
        for (article_id, lang), article in sorted(content.articles.items()):
            target.setdefault(article_id, []).append(
                (lang, article.title, article.tags, article.body, article.url)
            )
    return {
        "intents_added": tuple(sorted(new.intents.keys() - old_intents.keys())),
        "intents_removed": tuple(sorted(old_intents.keys() - new.intents.keys())),
        "intents_changed": tuple(
            sorted(
                i
                for i in new.intents.keys() & old_intents.keys()
                if new.intents[i] != old_intents[i]
            )
        ),
        "articles_added": tuple(sorted(new_articles.keys() - old_articles.keys())),
        "articles_removed": tuple(sorted(old_articles.keys() - new_articles.keys())),
        "articles_changed": tuple(
            sorted(
                a
                for a in new_articles.keys() & old_articles.keys()
                if new_articles[a] != old_articles[a]
            )
        ),
    }


class ContentHolder:
    """Holds the live :class:`Engine`; :meth:`reload` builds a new one in a worker thread.

    Readers call :meth:`decide` (or take :attr:`engine` once per message) and never see a
    half-built engine: the reference is swapped in one assignment after the build succeeded.
    A failed reload leaves the live engine untouched and reports the problems.

    With a :class:`MatcherCache`, the start and every reload look for the matcher trained on the
    same content there first, and store what they had to train.
    """

    def __init__(
        self,
        intents_dir: Path,
        kb_dir: Path,
        thresholds: Thresholds | None = None,
        *,
        default_lang: Lang = "en",
        languages: Sequence[Lang] = LANGS,
        builder: Callable[[Content, Thresholds], Engine] | None = None,
        encoder: SentenceEncoder | None = None,
        cache: MatcherCache | None = None,
    ) -> None:
        self.intents_dir = intents_dir
        self.kb_dir = kb_dir
        self.languages = tuple(languages)  # the configured ones: content is loaded in these
        self.thresholds = thresholds or Thresholds()
        self.default_lang: Lang = default_lang
        self._builder = builder or (
            lambda content, thresholds: Engine.build(
                content, thresholds, default_lang=self.default_lang, encoder=encoder, cache=cache
            )
        )
        self._engine: Engine | None = None
        self._lock = asyncio.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise ContentError(
                [
                    Problem(
                        self.intents_dir, 0, "no content loaded yet: call load() or reload() first"
                    )
                ]
            )
        return self._engine

    @property
    def content(self) -> Content:
        """The live content (intents and articles) the current engine was built from."""
        return self.engine.content

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def decide(self, text: str, lang: Lang | None = None) -> Decision:
        return self.engine.decide(text, lang)

    def _build(self) -> tuple[Engine, ReloadReport]:
        content = load_content(self.intents_dir, self.kb_dir, self.languages, self.default_lang)
        engine = self._builder(content, self.thresholds)
        old = self._engine.content if self._engine is not None else None
        stats = {
            "intents": len(content.intents),
            "articles": len(content.article_ids),
        }
        diff = _diff(old, content)
        return engine, ReloadReport(
            ok=True,
            intents_added=diff["intents_added"],
            intents_removed=diff["intents_removed"],
            intents_changed=diff["intents_changed"],
            articles_added=diff["articles_added"],
            articles_removed=diff["articles_removed"],
            articles_changed=diff["articles_changed"],
            stats=stats,
        )

    def load(self) -> ReloadReport:
        """Synchronous first load (start-up, CLI); raises :class:`ContentError` on problems."""
        engine, report = self._build()
        self._engine = engine
        return report

    async def reload(self) -> ReloadReport:
        """Build the new engine in a thread and swap it in; on problems keep the live one.

        Returns a report (``ok`` False with ``problems`` when the content is invalid). A reload
        requested while one runs raises :class:`ReloadInProgress`.
        """
        if self._lock.locked():
            raise ReloadInProgress("a reload is already running; wait for it to finish")
        async with self._lock:
            try:
                engine, report = await asyncio.to_thread(self._build)
            except ContentError as exc:
                return ReloadReport(ok=False, problems=exc.problems)
            self._engine = engine
            return report
