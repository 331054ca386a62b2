"""The composition root: everything is built once here and injected; no module-level state."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.config import Settings
from bot.core.actions import Outbox
from bot.core.deps import CoreConfig, Deps
from bot.core.desk import OperatorDesk
from bot.core.ports import Brain, Desk, NullDesk
from bot.core.service import SupportCore
from bot.core.survey_flow import SurveyFlow
from bot.core.texts import Texts
from handoff.clock import Clock, SystemClock
from handoff.hours import WorkingHours
from intents import ContentHolder, Thresholds, make_encoder
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
        encoder=make_encoder(settings.matching.encoder, settings.matching.cache_dir),
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
        desk: Desk = OperatorDesk(deps) if config.operator_group_id else NullDesk()
        core = SupportCore(deps, desk, SurveyFlow(deps))
        yield App(settings=settings, database=database, brain=deps.brain, core=core)
    finally:
        await database.dispose()
