"""Conversation tests, like Rasa's test stories: a customer and their turns, run through the real
core (in-memory storage, no Telegram) and checked turn by turn.

A file (YAML)::

    customer: {name: Olga, language_code: ru}
    turns:
      - say: где мой заказ
        action: answer          # answer | clarify | handoff | smalltalk | miss | none
        intent: order_status    # the intent decided (answered, handed off or re-offered)
        lang: ru                # the language the bot replied in
        ticket: false           # whether the customer has an open ticket after the turn
        priority: high          # the open ticket's priority (normal | high | urgent)
        reply_contains: "458812"  # a piece of the bot's last reply (HTML as sent)
        options: [order_status] # intents offered by a clarify (all must be there)

Every key but ``say`` is optional. ``action`` is what happened: ``handoff`` when the turn opened
a ticket, ``miss`` when nothing matched, ``none`` when nothing was decided (a command).
``ticket_contains`` checks the open ticket's subject (what the card shows, details included).
A turn ``- operator: close`` has an operator close the open ticket; the clock then moves past
the reopen window, so the customer's next message starts afresh.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.core import (
    Brain,
    CoreConfig,
    Deps,
    NullDesk,
    SupportCore,
    SurveyFlow,
    Texts,
    spoken_language,
)
from bot.core import callbacks as cb
from bot.core.actions import RecordingOutbox, SendText
from bot.core.events import MessageReceived, Person
from handoff import ManualClock, WorkingHours
from handoff.memory import InMemoryStore
from handoff.tickets import close

__all__ = [
    "Conversation",
    "ConversationError",
    "Failure",
    "Turn",
    "load_conversations",
    "report",
    "run_conversation",
]

_KEYS = frozenset(
    {
        "say",
        "action",
        "intent",
        "lang",
        "ticket",
        "priority",
        "reply_contains",
        "options",
        "ticket_contains",
    }
)
_ACTIONS = frozenset({"answer", "clarify", "handoff", "smalltalk", "miss", "none"})
_START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday; the runner's hours are always open


class ConversationError(ValueError):
    """A conversation file that cannot be read; the message names the file and what to fix."""


@dataclass(frozen=True)
class Turn:
    say: str
    expect: dict[str, object]
    line: int


@dataclass(frozen=True)
class Conversation:
    path: Path
    name: str
    language_code: str | None
    turns: tuple[Turn, ...]


@dataclass(frozen=True)
class Failure:
    conversation: Conversation
    turn: int  # 1-based
    say: str
    problems: tuple[str, ...]

    def __str__(self) -> str:
        where = f"{self.conversation.path}:{self.conversation.turns[self.turn - 1].line}"
        lines = [f"{where}: turn {self.turn} {self.say!r}"]
        lines += [f"    {problem}" for problem in self.problems]
        return "\n".join(lines)


def load_conversations(paths: Iterable[Path]) -> list[Conversation]:
    """Every ``*.yaml`` file in the given files and folders, in name order."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    if not files:
        raise ConversationError("no conversation files (*.yaml) found")
    return [_load(file) for file in files]


def _load(path: Path) -> Conversation:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConversationError(f"{path}: cannot read it: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise ConversationError(f"{path}: expected a mapping with 'customer' and a list 'turns'")
    customer = data.get("customer") or {}
    if not isinstance(customer, dict):
        raise ConversationError(f"{path}: 'customer' must be a mapping (name, language_code)")
    lines = _turn_lines(path)
    turns: list[Turn] = []
    for n, raw in enumerate(data["turns"], 1):
        line = lines[n - 1] if n <= len(lines) else 0
        if raw == {"operator": "close"}:
            turns.append(Turn("", {"operator": "close"}, line))
            continue
        if not isinstance(raw, dict) or not isinstance(raw.get("say"), str | int):
            raise ConversationError(f"{path}:{line}: turn {n} needs 'say: <message>'")
        unknown = sorted(set(raw) - _KEYS)
        if unknown:
            raise ConversationError(
                f"{path}:{line}: turn {n}: unknown keys {unknown}; use {sorted(_KEYS)}"
            )
        if "action" in raw and raw["action"] not in _ACTIONS:
            raise ConversationError(
                f"{path}:{line}: turn {n}: action {raw['action']!r} is not one of "
                f"{sorted(_ACTIONS)}"
            )
        expect = {key: value for key, value in raw.items() if key != "say"}
        turns.append(Turn(str(raw["say"]), expect, line))
    code = customer.get("language_code")
    return Conversation(
        path, str(customer.get("name", "Customer")), str(code) if code else None, tuple(turns)
    )


def _turn_lines(path: Path) -> list[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    starts = ("- say:", "- operator:")
    return [i for i, text in enumerate(lines, 1) if text.lstrip().startswith(starts)]


@dataclass
class _World:
    core: SupportCore
    store: InMemoryStore
    outbox: RecordingOutbox
    clock: ManualClock
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def _world(brain: Brain, texts: Texts, config: CoreConfig) -> _World:
    store = InMemoryStore()
    outbox = RecordingOutbox()
    clock = ManualClock(_START)
    deps = Deps(
        config=config,
        uow=store.unit_of_work,
        outbox=outbox,
        texts=texts,
        clock=clock,
        hours=WorkingHours(
            zone=ZoneInfo("UTC"), days=frozenset(range(1, 8)), start=time(0), end=time(23, 59)
        ),
        brain=brain,
    )
    core = SupportCore(deps, NullDesk(), SurveyFlow(deps))
    return _World(core, store, outbox, clock)


async def run_conversation(
    conversation: Conversation, brain: Brain, texts: Texts, config: CoreConfig | None = None
) -> list[Failure]:
    """Play the customer's turns through the core; one Failure per turn that went otherwise."""
    config = config or CoreConfig(operator_group_id=-100)
    world = _world(brain, texts, config)
    chat = 1000
    person = Person(
        telegram_id=chat, name=conversation.name, language_code=conversation.language_code
    )
    failures: list[Failure] = []
    for n, turn in enumerate(conversation.turns, 1):
        if turn.expect == {"operator": "close"}:
            await _close_open_ticket(world, config)
            continue
        decisions = len(world.store.decisions)
        tickets = set(world.store.tickets)
        sent = len(world.outbox.actions)
        update = next(world.ids)
        world.clock.set(world.clock.now() + timedelta(minutes=1))
        await world.core.handle(
            MessageReceived(
                update_id=update,
                chat_id=chat,
                private=True,
                sender=person,
                message_id=update,
                date=world.clock.now(),
                text=turn.say,
            )
        )
        seen = _observe(world, config, chat, decisions, tickets, sent)
        problems = _compare(turn.expect, seen)
        if problems:
            failures.append(Failure(conversation, n, turn.say, tuple(problems)))
    return failures


async def _close_open_ticket(world: _World, config: CoreConfig) -> None:
    async with world.store.unit_of_work() as uow:
        for ticket in list(world.store.tickets.values()):
            if ticket.status.is_open:
                await close(uow, ticket.id, now=world.clock.now())
    world.clock.set(world.clock.now() + config.reopen_window + timedelta(hours=1))


def _observe(
    world: _World, config: CoreConfig, chat: int, decisions: int, tickets: set[int], sent: int
) -> dict[str, object]:
    store = world.store
    customer = next(c for c in store.customers.values() if c.telegram_id == chat)
    new = list(store.decisions.values())[decisions:]
    decision = new[-1] if new else None
    open_tickets = [t for t in store.tickets.values() if t.status.is_open]
    opened = [t for t in store.tickets.values() if t.id not in tickets or t.status.is_open]
    opened = [t for t in opened if t.id not in tickets]
    replies = [
        a for a in world.outbox.actions[sent:] if isinstance(a, SendText) and a.chat_id == chat
    ]
    if opened:
        action = "handoff"
    elif decision is None:
        action = "none"
    elif decision.action in ("clarify", "smalltalk"):
        action = decision.action
    elif decision.intent or decision.article:
        action = "answer"
    else:
        action = "miss"
    options = [
        shown.intent_id
        for reply in replies
        for row in reply.keyboard
        for b in row
        if b.data and isinstance(shown := cb.decode(b.data), cb.ShowIntent)
    ]
    return {
        "action": action,
        "intent": decision.intent if decision else None,
        "lang": spoken_language(customer, config.languages),
        "ticket": bool(open_tickets),
        "priority": open_tickets[-1].priority.label if open_tickets else None,
        "reply": "\n".join(reply.text for reply in replies),
        "subject": open_tickets[-1].subject if open_tickets else "",
        "options": options,
    }


def _compare(expect: dict[str, object], seen: dict[str, object]) -> list[str]:
    problems: list[str] = []
    for key in ("action", "intent", "lang", "ticket", "priority"):
        if key in expect and expect[key] != seen[key]:
            problems.append(f"{key}: expected {expect[key]!r}, got {seen[key]!r}")
    wanted = expect.get("reply_contains")
    if wanted is not None and str(wanted) not in str(seen["reply"]):
        problems.append(f"reply: expected it to contain {wanted!r}, got {seen['reply']!r}")
    subject = expect.get("ticket_contains")
    if subject is not None and str(subject) not in str(seen["subject"]):
        problems.append(
            f"ticket: expected its subject to contain {subject!r}, got {seen['subject']!r}"
        )
    options = expect.get("options")
    if isinstance(options, list):
        missing = [o for o in options if o not in seen["options"]]  # type: ignore[operator]
        if missing:
            problems.append(f"options: {missing} not offered (offered {seen['options']!r})")
    if problems and "action" not in expect:
        problems.append(f"(action was {seen['action']!r}, intent {seen['intent']!r})")
    return problems


def report(conversations: Sequence[Conversation], failures: Sequence[Failure]) -> str:
    """Every failure, then one line: conversations and turns passed."""
    turns = sum(len(c.turns) for c in conversations)
    failed = {f.conversation.path for f in failures}
    lines = [str(f) for f in failures]
    lines.append(
        f"{len(conversations) - len(failed)}/{len(conversations)} conversations passed, "
        f"{turns - len(failures)}/{turns} turns as expected"
    )
    return "\n".join(lines)
