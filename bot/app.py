"""The composition root: everything is built once here and injected; no module-level state."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.config import Settings
from bot.core import (
    Brain,
    CoreConfig,
    Deps,
    Desk,
    NullDesk,
    OperatorDesk,
    SupportCore,
    SurveyFlow,
    Texts,
)
from bot.core.actions import Outbox
from handoff import Clock, SystemClock, WorkingHours
from intents import ContentHolder, Thresholds
from storage import Database

__all__ = ["App", "build_app", "load_brain"]


@dataclass
class App:
    settings: Settings
    database: Database
    brain: Brain
    core: SupportCore


async def load_brain(settings: Settings) -> ContentHolder:
    """Loads and validates the content and trains the matcher, off the event loop."""
    holder = ContentHolder(
        settings.content.intents_dir,
        settings.content.kb_dir,
        Thresholds.from_settings(settings.matching),
        default_lang=settings.languages.default,
        languages=settings.languages.supported,
    )
    await asyncio.to_thread(holder.load)
    return holder


@contextlib.asynccontextmanager
async def build_app(
    settings: Settings,
    outbox: Outbox,
    *,
    clock: Clock | None = None,
    brain: Brain | None = None,
) -> AsyncIterator[App]:
    """Opens the database (migrating it to the current schema), loads the content and wires the
    core. The database is disposed when the block ends."""
    database = Database.connect(settings.database.url)
    try:
        await database.create_schema()
        config = CoreConfig.from_settings(settings)
        texts = Texts.load(
            settings.content.texts_dir, settings.languages.supported, settings.languages.default
        )
        deps = Deps(
            config=config,
            uow=database.unit_of_work,
            outbox=outbox,
            texts=texts,
            clock=clock or SystemClock(),
            hours=WorkingHours.from_settings(settings.hours),
            brain=brain or await load_brain(settings),
        )
        survey = SurveyFlow(deps)  # one survey: the desk starts it, the customer answers it
        desk: Desk = OperatorDesk(deps, survey.start) if config.operator_group_id else NullDesk()
        core = SupportCore(deps, desk, survey)
        yield App(settings=settings, database=database, brain=deps.brain, core=core)
    finally:
        await database.dispose()
