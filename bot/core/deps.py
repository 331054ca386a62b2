"""What the core is built from: settings it needs, and the ports injected at start-up."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.config import Settings
from bot.core.actions import Outbox
from bot.core.ports import Brain
from bot.core.sender import Merging, Sender
from bot.core.shared import SharedState
from bot.core.texts import Texts
from handoff import CategoryRules, Clock, Priority, Route, UnitOfWorkFactory, WorkingHours
from intents.understanding import Reader

__all__ = ["CoreConfig", "Deps", "ReaderSlot"]

DEFAULT_POPULAR = (
    "order_status",
    "delivery_time",
    "return_item",
    "payment_methods",
    "contact_phone",
)


@dataclass(frozen=True)
class CoreConfig:
    languages: tuple[str, ...] = ("ru", "en")
    default_language: str = "en"
    misses_before_handoff: int = 2
    admin_ids: frozenset[int] = frozenset()
    operator_group_id: int = 0  # 0: no operator group, tickets only wait in storage
    use_topics: bool = True
    operator_ids: frozenset[int] = frozenset()  # allowed besides the group's members
    only_operator_ids: frozenset[int] = frozenset()  # when set: the only operators there are
    line_groups: Mapping[int, int] = field(default_factory=dict)  # line → group id (0 = same)
    sla: timedelta = timedelta(minutes=15)
    reopen_window: timedelta = timedelta(minutes=30)
    idle_after: timedelta = timedelta(hours=6)  # a gap this long starts a new conversation
    messages_per_minute: int = 20
    popular_intents: tuple[str, ...] = DEFAULT_POPULAR
    desk_language: str = ""  # the operator groups' language; "": default_language
    templates_dir: Path | None = None  # operators' answer templates (read at each /t)
    categories: CategoryRules = field(default_factory=CategoryRules)
    intents_dir: Path | None = None  # the intent files admins edit from the bot; None: no editing

    @property
    def desk_lang(self) -> str:
        return self.desk_language or self.default_language

    @classmethod
    def from_settings(cls, settings: Settings) -> CoreConfig:
        ops = settings.operators
        return cls(
            languages=tuple(settings.languages.supported),
            default_language=settings.languages.default,
            misses_before_handoff=settings.matching.misses_before_handoff,
            admin_ids=frozenset(settings.admins.ids),
            operator_group_id=ops.group_id,
            use_topics=ops.use_topics,
            operator_ids=frozenset(ops.extra_ids),
            only_operator_ids=frozenset(ops.only_ids),
            line_groups={2: ops.line2_group_id, 3: ops.line3_group_id},
            sla=timedelta(minutes=ops.sla_minutes),
            reopen_window=timedelta(minutes=ops.reopen_window_minutes),
            messages_per_minute=settings.limits.customer_messages_per_minute,
            desk_language=ops.language or "",
            templates_dir=settings.content.templates_dir,
            categories=_categories(settings),
            intents_dir=settings.content.intents_dir,
        )


def _categories(settings: Settings) -> CategoryRules:
    given = settings.categories
    return CategoryRules(
        listed=dict(given.listed),
        corporate_words=tuple(given.corporate_words),
        experienced_after=given.experienced_after,
        routes={
            name: Route(Priority.parse(rule.priority), rule.line)
            for name, rule in given.routes.items()
        },
    )


class ReaderSlot:
    """The message reader of the live content, one per bot (made with its :class:`Deps`), built
    again when the brain or its content changed (a reload brings new content).

    :meth:`prepare` builds the next one in a worker thread; until it is there, :meth:`get` keeps
    answering with the last reader instead of building one on the event loop. Everything here
    runs on the event loop except the build itself, so the slot needs no lock."""

    def __init__(self) -> None:
        self._live: tuple[object, object, Reader] | None = None  # brain, content, its reader
        self._preparing: tuple[object, object] | None = None  # the newest prepare() asked for

    def get(self, brain: object, content: object, build: Callable[[], Reader]) -> Reader:
        live, preparing = self._live, self._preparing
        if live is not None and _same(live, brain, content):  # by identity: fast
            return live[2]
        if live is not None and preparing is not None and _same(preparing, brain, content):
            return live[2]  # the new content's reader is on its way: the last one reads meanwhile
        reader = build()
        self._live = (brain, content, reader)
        return reader

    async def prepare(self, brain: object, content: object, build: Callable[[], Reader]) -> None:
        """Build the reader of ``brain``'s ``content`` in a worker thread and make it the live
        one, unless a newer prepare() was asked for meanwhile (two reloads close together)."""
        live = self._live
        if live is not None and _same(live, brain, content):
            return
        asked = (brain, content)
        self._preparing = asked
        try:
            reader = await asyncio.to_thread(build)
        finally:
            newest = self._preparing is asked
            if newest:
                self._preparing = None
        if newest:
            self._live = (brain, content, reader)


def _same(made_for: tuple[object, ...], brain: object, content: object) -> bool:
    """``made_for`` starts with this brain and content (by identity: comparing contents is slow)."""
    return made_for[0] is brain and made_for[1] is content


@dataclass(frozen=True)
class Deps:
    """Built once by the composition root and handed to every core service."""

    config: CoreConfig
    uow: UnitOfWorkFactory
    outbox: Outbox
    texts: Texts
    clock: Clock
    hours: WorkingHours
    brain: Brain
    shared: SharedState | None = None  # None: one process, the in-memory classes
    reader: ReaderSlot = field(default_factory=ReaderSlot)

    def __post_init__(self) -> None:
        # the core calls ``outbox`` through the sender: a call made for pending work is
        # recorded, and not made again when the work is resumed (bot/core/sender.py)
        port = self.outbox.port if isinstance(self.outbox, Sender) else self.outbox
        # and opens units of work that also write what the handling deferred (merged writes)
        uow = self.uow if isinstance(self.uow, Merging) else Merging(self.uow)
        object.__setattr__(self, "uow", uow)
        object.__setattr__(self, "outbox", Sender(port, uow))
