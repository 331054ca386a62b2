"""The composition root: everything is built once here and injected; no module-level state."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core import (
    Brain,
    CoreConfig,
    Deps,
    Desk,
    NullDesk,
    OperatorDesk,
    SharedState,
    SupportCore,
    SurveyFlow,
    Texts,
    prepare_reader,
)
from bot.core.actions import Outbox
from bot.reports import DatabaseStats, WeeklyDigest
from bot.runtime import QueuedOutbox
from handoff import Clock, SystemClock, WorkingHours
from intents import ContentHolder, MatcherCache, Thresholds, make_encoder
from intents.understanding import morphology
from storage import Database

if TYPE_CHECKING:
    # prometheus_client comes with the monitoring: imported only when [reports] uses it
    from bot.monitoring import LiveMetrics

__all__ = ["App", "build_app", "load_brain"]

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    database: Database
    brain: Brain
    core: SupportCore
    live: LiveMetrics | None = None  # the Prometheus figures, when [reports] opens them


async def load_brain(settings: Settings) -> ContentHolder:
    """Loads and validates the content and trains the matcher (or loads the one trained on the
    same content from ``[matching] cache_dir``), off the event loop."""
    holder = ContentHolder(
        settings.content.intents_dir,
        settings.content.kb_dir,
        Thresholds.from_settings(settings.matching),
        default_lang=settings.languages.default,
        languages=settings.languages.supported,
        encoder=make_encoder(settings.matching.encoder, settings.matching.embeddings_dir),
        cache=MatcherCache(settings.matching.matcher_cache_dir),
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
    stack = contextlib.ExitStack()
    shared: SharedState | None = None  # one process: the core's in-memory classes
    listening: asyncio.Task[None] | None = None
    try:
        if settings.redis.url:  # several replicas: the per-process state goes to Redis
            from bot.replicas import connect_shared_state  # redis: imported only when used

            shared = await connect_shared_state(
                settings.redis.url,
                settings.redis.key_prefix,
                lease_s=settings.redis.lease_seconds,
            )
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
            shared=shared,
        )
        reports = settings.reports
        live = None
        if reports.prometheus_listen:
            from bot.monitoring import LiveMetrics, MonitoredBrain

            live = LiveMetrics()
            # before anything keeps deps: every part asks (and reloads) the one counted brain
            deps = replace(deps, brain=MonitoredBrain(deps.brain, live))
            if isinstance(outbox, QueuedOutbox):
                outbox.on_retry_wait = live.record_retry_wait
        stats = DatabaseStats(database, deps.clock, texts)
        survey = SurveyFlow(deps)  # one survey: the desk starts it, the customer answers it
        desk: Desk = (
            OperatorDesk(deps, survey.start, stats=stats)
            if config.operator_group_id
            else NullDesk()
        )
        if live is not None:
            from bot.monitoring import MonitoredDesk

            desk = MonitoredDesk(desk, live, deps.uow)
        digest = None
        if reports.digest_weekday and config.admin_ids:
            digest = WeeklyDigest(
                stats=stats,
                outbox=outbox,
                clock=deps.clock,
                admins=config.admin_ids,
                weekday=reports.digest_weekday,
                at=reports.digest_time,
                zone=settings.hours.zone,
                days=reports.digest_days,
                lang=config.default_language,
            )
        if shared is not None:
            listening = asyncio.create_task(shared.content.listen(_reloader(deps)))
        readings = settings.matching.cache_root / "readings"
        await asyncio.to_thread(preload_readings, readings)
        await prepare_reader(deps)
        await asyncio.to_thread(save_readings, readings)
        core: SupportCore
        if live is not None or digest is not None:
            from bot.monitoring import MonitoredCore

            core = MonitoredCore(deps, desk, survey, live=live, digest=digest)
        else:
            core = SupportCore(deps, desk, survey)
        if live is not None:
            from bot.monitoring import MetricsServer

            server = MetricsServer(live, reports.prometheus_listen)
            stack.callback(server.close)
        yield App(settings=settings, database=database, brain=deps.brain, core=core, live=live)
    finally:
        if listening is not None:
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listening
        if shared is not None:
            await shared.close()
        stack.close()
        await database.dispose()


def _readings_file(folder: Path) -> Path:
    return folder / f"readings-{morphology.readings_key()[:40]}.json"


def preload_readings(folder: Path) -> bool:
    """The Russian dictionary's readings of the content's words, saved by an earlier start
    (:func:`save_readings`): with them the reader is built without loading the dictionary (about
    20 MB and a tenth of a second), which then loads on the first Russian word the content does
    not have. False (logged when damaged) when there is no such file."""
    try:
        path = _readings_file(folder)
        table = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(table, dict):
            raise ValueError("not a JSON object")
        morphology.preload_readings(table)
    except FileNotFoundError:
        return False
    except Exception as exc:  # only a cache: whatever went wrong, the dictionary does the work
        log.warning(
            "dictionary readings in %s not read (%s): the dictionary is loaded", folder, exc
        )
        return False
    return True


def save_readings(folder: Path) -> bool:
    """After the reader was built: if that loaded the dictionary (a first start, new content),
    save the readings it looked up for the next start (a new file renamed over the old one)."""
    if not morphology.dictionary_loaded():
        return False
    try:
        path = _readings_file(folder)
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(morphology.readings_table(), file, ensure_ascii=False)
            os.replace(name, path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        for old in folder.glob("readings-*.json"):  # of other library or code versions
            if old != path:
                old.unlink(missing_ok=True)
    except Exception as exc:  # only a cache: the bot works without it
        log.warning("dictionary readings in %s not saved (%s); the bot works without", folder, exc)
        return False
    return True


def _reloader(deps: Deps) -> Callable[[], Awaitable[None]]:
    """What a replica does when another one announces a /reload: reload here too."""

    async def reload() -> None:
        outcome = await deps.brain.reload()
        if outcome.ok:
            await prepare_reader(deps)
        else:
            log.warning(
                "content reload announced by another replica failed here: %s", outcome.summary()
            )

    return reload
