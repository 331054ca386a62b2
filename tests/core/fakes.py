"""Fakes at the core's seams: a scripted matcher and an outbox that can refuse chosen chats."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.actions import Action, Failed, Failure, RecordingOutbox, Result, SendText
from bot.core.deps import CoreConfig, Deps
from bot.core.ports import NullDesk
from bot.core.service import SupportCore
from bot.core.survey_flow import SurveyFlow
from bot.core.texts import Texts
from handoff.clock import ManualClock
from handoff.hours import WorkingHours
from handoff.memory import InMemoryStore
from intents.matching.results import Candidate, Decision
from intents.model import Content, Intent

ROOT = Path(__file__).resolve().parents[2]


def intent(
    intent_id: str,
    *,
    answer: str = "",
    always_handoff: bool = False,
    priority: str = "normal",
    line: int = 1,
) -> Intent:
    return Intent(
        id=intent_id,
        title={"en": intent_id.replace("_", " ").title(), "ru": intent_id},
        examples={"en": (intent_id,), "ru": (intent_id,)},
        answer={"en": answer or f"Answer about {intent_id}.", "ru": f"Ответ: {intent_id}."},
        always_handoff=always_handoff,
        priority=priority,  # type: ignore[arg-type]
        line=line,
    )


CONTENT = Content(
    intents={
        i.id: i
        for i in (
            intent("greeting", answer="Hello!"),
            intent("human_request"),
            intent("order_status", answer="Your order is <b>on its way</b>."),
            intent("delivery_time"),
            intent("double_charge", always_handoff=True, priority="high"),
            intent("app_bug", line=2),
        )
    },
    articles={},
)


@dataclass
class ReloadReport:
    ok: bool
    text: str = ""
    problems: tuple[str, ...] = ()
    stats: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return self.text

    def changes(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return (), (), ()


@dataclass
class ScriptedBrain:
    """Decides by exact text: ``rules[text] = (action, intent, score, options)``."""

    content: Content = CONTENT
    rules: dict[str, tuple[str, str | None, float, tuple[str, ...]]] = field(default_factory=dict)
    reloads: list[ReloadReport] = field(default_factory=list)

    def decide(self, text: str, lang: str | None = None) -> Decision:
        action, intent_id, score, options = self.rules.get(text, ("unknown", None, 0.05, ()))
        return Decision(
            text=text,
            lang=lang or ("ru" if any("а" <= c <= "я" for c in text.lower()) else "en"),  # type: ignore[arg-type]
            action=action,  # type: ignore[arg-type]
            intent=self.content.intents.get(intent_id) if intent_id else None,
            article=None,
            score=score,
            candidates=tuple(Candidate(o, 0.3, "intent") for o in options),
            options=tuple(Candidate(o, 0.3, "intent") for o in options),
        )

    async def reload(self) -> ReloadReport:
        return self.reloads.pop(0)


@dataclass
class RefusingOutbox(RecordingOutbox):
    """Records like RecordingOutbox; sends to chats in ``blocked`` fail as Telegram's 403 would."""

    blocked: set[int] = field(default_factory=set)

    async def __call__(self, action: Action) -> Result:
        if isinstance(action, SendText) and action.chat_id in self.blocked:
            return Failed(Failure.BLOCKED, "Forbidden: bot was blocked by the user")
        return await super().__call__(action)

    def texts_to(self, chat_id: int) -> list[str]:
        return [a.text for a in self.actions if isinstance(a, SendText) and a.chat_id == chat_id]

    def last_to(self, chat_id: int) -> SendText:
        return [a for a in self.actions if isinstance(a, SendText) and a.chat_id == chat_id][-1]


WEEKDAYS = frozenset({1, 2, 3, 4, 5})
MONDAY_NOON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 12:00 in Moscow, a working Monday


@dataclass
class World:
    core: SupportCore
    store: InMemoryStore
    outbox: RefusingOutbox
    brain: ScriptedBrain
    clock: ManualClock


def make_world(
    *,
    config: CoreConfig | None = None,
    brain: ScriptedBrain | None = None,
    start: datetime = MONDAY_NOON,
    holidays: Mapping[str, str] | None = None,
) -> World:
    store = InMemoryStore()
    outbox = RefusingOutbox()
    clock = ManualClock(start)
    brain = brain or ScriptedBrain()
    deps = Deps(
        config=config or CoreConfig(operator_group_id=-100500),
        uow=store.unit_of_work,
        outbox=outbox,
        texts=Texts.load(ROOT / "bot" / "texts", ["ru", "en"], "en"),
        clock=clock,
        hours=WorkingHours(
            zone=ZoneInfo("Europe/Moscow"),
            days=WEEKDAYS,
            start=time(9),
            end=time(21),
            holidays=frozenset(),
        ),
        brain=brain,  # type: ignore[arg-type]
    )
    core = SupportCore(deps, NullDesk(), SurveyFlow(deps))
    return World(core=core, store=store, outbox=outbox, brain=brain, clock=clock)
