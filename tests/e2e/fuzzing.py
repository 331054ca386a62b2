"""The fuzzer shared by ``test_fuzzing.py`` and ``benchmarks/fuzz.py``: hypothesis strategies
for actions (customers, the operator, hand-made updates) and a runner that plays them against a
running stack and notes crashes, stalls and unanswered customer messages."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.demo.stack import LocalStack
    from intents import ContentHolder
    from telegram_emulator import User

CUSTOMERS = 3
CANARY_QUESTION = "where is my order"
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
COMMANDS = (
    "/start",
    "/help",
    "/operator",
    "/cancel",
    "/lang",
    "/take",
    "/close",
    "/note",
    "/escalate",
    "/queue",
    "/stats",
    "/reply",
    "/templates",
    "/unknown",
)
CALLBACK_HEADS = ("i:", "a:", "f:", "p", "r", "l:", "t:", "c:", "e:", "s:", "v:", "k:", "x:", "")

Json = Any
Action = tuple[Any, ...]


# ----------------------------------------------------------------------------- the generator
def _numbers() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-(2**70), 2**70).map(str),
        st.sampled_from(["0", "-1", "²", "①", "٣", "1e9", "9" * 40, "NaN", "0x10"]),
    )


def texts() -> st.SearchStrategy[str]:
    """What a person may type: anything, commands with odd arguments, numbers."""
    anything = st.text(min_size=1, max_size=200)
    command = st.tuples(st.sampled_from(COMMANDS), st.one_of(_numbers(), anything, st.just("")))
    return st.one_of(
        anything,
        command.map(lambda c: f"{c[0]} {c[1]}".strip()),
        _numbers(),
        st.sampled_from([CANARY_QUESTION, "hello", "I want a refund", "привет", "оператор"]),
    ).filter(lambda t: bool(t.strip()))


def callback_data() -> st.SearchStrategy[str]:
    tail = st.one_of(_numbers(), st.text(max_size=40), st.lists(_numbers(), max_size=3))
    return st.one_of(
        st.tuples(st.sampled_from(CALLBACK_HEADS), tail).map(
            lambda c: c[0] + (":".join(c[1]) if isinstance(c[1], list) else c[1])
        ),
        st.text(max_size=64),
    )


_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=20)
)
junk_json = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def raw_updates(who: int) -> st.SearchStrategy[Action]:
    """Updates injected as they are (``who`` picks the customer they claim to come from)."""
    kinds = st.sampled_from(
        [
            "forged_callback",
            "group_callback",
            "stranger",
            "member",
            "group_member",
            "unknown_kind",
            "junk_message",
            "junk_update",
        ]
    )
    return st.tuples(st.just("raw"), kinds, st.just(who), callback_data(), junk_json, texts())


def actions() -> st.SearchStrategy[Action]:
    who = st.integers(0, CUSTOMERS - 1)
    return st.one_of(
        st.tuples(st.just("say"), who, texts()),
        st.tuples(st.just("say"), who, texts()),  # the most common update, twice as likely
        st.tuples(
            st.just("media"),
            who,
            st.sampled_from(["photo", "document", "voice"]),
            st.none() | texts(),
        ),
        st.tuples(st.just("edit"), who, texts()),
        st.tuples(st.just("press"), who, st.integers(0, 50)),
        st.tuples(st.just("block"), who),
        st.tuples(st.just("unblock"), who),
        st.tuples(st.just("operator_say"), st.integers(0, 50), texts()),
        st.tuples(st.just("operator_press"), st.integers(0, 50)),
        who.flatmap(raw_updates),
    )


def batches(size: int) -> st.SearchStrategy[list[Action]]:
    return st.lists(actions(), min_size=size, max_size=size)


# ----------------------------------------------------------------------------- what went wrong
@dataclass
class Outcome:
    actions: int = 0
    updates: int = 0
    customer_messages: int = 0
    crashes: list[str] = field(default_factory=list)
    stalls: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    canary_unanswered: int = 0
    tolerated: list[str] = field(default_factory=list)  # errors logged that are no crash


class ErrorLog(logging.Handler):
    """Every ERROR record while the fuzzer runs: a crash in handling an update."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        what = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            what += f" — {type(exc).__name__}: {str(exc)[:200]}"
        self.records.append(f"{record.name}: {what[:400]}")

    @contextlib.contextmanager
    def attached(self) -> Iterator[ErrorLog]:
        root = logging.getLogger()
        root.addHandler(self)
        try:
            yield self
        finally:
            root.removeHandler(self)


def parses(update: dict[str, Json]) -> bool:
    """Whether aiogram can read ``update`` (one it cannot fails the whole ``getUpdates`` batch)."""
    from aiogram.types import Update
    from pydantic import ValidationError

    try:
        Update.model_validate(update)
    except ValidationError:
        return False
    return True


_PARKED = re.compile(r"update (\d+) parked as dead letter")


def is_crash(record: str, sent: Sequence[dict[str, Json]]) -> bool:
    """An error in handling an update. Not one: the polling loop's failure to read a batch (a
    stall, counted as such), nor an update no library can parse being parked as a dead letter
    (what the bot should do with it); a readable update parked is a crash."""
    if "Failed to fetch updates" in record:
        return False
    parked = _PARKED.search(record)
    if parked is None:
        return True
    update = next((u for u in sent if u["update_id"] == int(parked[1])), None)
    return update is None or parses(update)


# ----------------------------------------------------------------------------- the runner
class Fuzzer:
    """Plays batches of actions against a running stack and notes what went wrong."""

    def __init__(
        self, stack: LocalStack, outcome: Outcome, *, answer_s: float, stall_s: float
    ) -> None:
        self.stack = stack
        self.tg = stack.tg
        self.outcome = outcome
        self.answer_s = answer_s
        self.stall_s = stall_s
        self.customers = [
            self.tg.add_user(f"Fuzz{i}", language_code="en") for i in range(CUSTOMERS)
        ]
        self.canary = self.tg.add_user("Canary", language_code="en")
        self.stranger_ids = iter(range(900_000_000, 2_000_000_000))
        self._query_ids = iter(range(1, 10**9))

    # --- reactions -------------------------------------------------------------------------
    def _reactions(self, who: User) -> int:
        """Bot messages in ``who``'s chat and in the topics named after them."""
        group = self.stack.group
        pattern = re.compile(rf"#\d+ {re.escape(who.name)}(?: |$)")
        topics = {t for t in group.topic_ids() if pattern.match(group.topic_name(t))}
        return sum(
            1
            for m in self.tg.engine.bot_messages
            if m["chat"]["id"] == who.chat_id
            or (m["chat"]["id"] == group.id and m.get("message_thread_id") in topics)
        )

    async def _answered(self, who: User, before: int, what: str) -> None:
        """Wait for a reaction to ``who``'s message; a stalled queue is unstuck on the way."""
        from telegram_emulator import EmulatorTimeout

        self.outcome.customer_messages += 1
        deadline = time.monotonic() + self.answer_s
        while True:
            try:
                await self.tg.engine.wait_until(
                    lambda: self._reactions(who) > before,
                    max(0.05, min(self.stall_s, deadline - time.monotonic())),
                    str,
                )
                return
            except EmulatorTimeout:
                pass
            if await self._unstick():
                deadline = time.monotonic() + self.answer_s
            elif time.monotonic() >= deadline:
                self.outcome.unanswered.append(f"{who.name}: {what[:80]!r}")
                return

    async def _unstick(self) -> bool:
        """If the oldest pending update stays unconfirmed for ``stall_s`` while the bot polls,
        it stalls everyone behind it: note it and take it out of the queue."""
        updates = self.tg.engine.updates
        pending = updates.pending
        if not pending:
            return False
        oldest = pending[0]["update_id"]
        await asyncio.sleep(self.stall_s)
        now = updates.pending
        if not now or now[0]["update_id"] != oldest:
            return False
        culprit = next((u for u in now if not parses(u)), now[0])
        self.outcome.stalls.append(json.dumps(culprit, ensure_ascii=False, default=str)[:300])
        updates.drop(culprit["update_id"])
        return True

    async def canary_check(self) -> None:
        before = self._reactions(self.canary)
        misses = len(self.outcome.unanswered)
        await self.canary.send(CANARY_QUESTION)
        await self._answered(self.canary, before, CANARY_QUESTION)
        self.outcome.canary_unanswered += len(self.outcome.unanswered) - misses

    # --- actions ---------------------------------------------------------------------------
    async def play(self, batch: Sequence[Action]) -> None:
        from telegram_emulator import ControlError

        first = len(self.tg.engine.updates.history)
        for action in batch:
            self.outcome.actions += 1
            with contextlib.suppress(ControlError):  # the world does not allow it: skipped
                await self._play(action)
        await self.canary_check()
        self.outcome.updates += len(self.tg.engine.updates.history) - first

    async def _play(self, action: Action) -> None:
        kind = action[0]
        if kind in ("say", "media"):
            who = self.customers[action[1]]
            if who.state.blocked_bot:
                return
            before = self._reactions(who)
            if kind == "say":
                await who.send(action[2])
                what = action[2]
            else:
                what = await self._media(who, action[2], action[3])
            await self._answered(who, before, what)
        elif kind == "edit":
            who = self.customers[action[1]]
            await who.edit(None, action[2])
        elif kind == "press":
            await self._press(self.customers[action[1]], action[2])
        elif kind == "block":
            await self.customers[action[1]].block_bot()
        elif kind == "unblock":
            await self.customers[action[1]].restart_bot(send_start=False)
        elif kind == "operator_say":
            topics = self.stack.group.topic_ids()
            thread = topics[action[1] % len(topics)] if topics and action[1] % 3 else None
            await self.stack.operator.send_in_group(self.stack.group, action[2], thread_id=thread)
        elif kind == "operator_press":
            await self._press(self.stack.operator, action[1], group=True)
        else:
            self.tg.inject_update(self._raw(action))
            await asyncio.sleep(0)

    async def _media(self, who: User, kind: str, caption: str | None) -> str:
        if kind == "photo":
            await who.send_photo(PIXEL, caption=caption)
        elif kind == "voice":
            await who.send_voice(b"OggS fuzz", caption=caption)
        else:
            await who.send_document(b"%PDF fuzz", file_name="fuzz.pdf", caption=caption)
        return f"[{kind}] {caption or ''}"

    async def _press(self, who: User, pick: int, *, group: bool = False) -> None:
        """Press one of the buttons the bot shows (callback buttons only), chosen by ``pick``."""
        chat_id = self.stack.group.id if group else who.chat_id
        shown = [
            (m.thread_id, b.callback_data)
            for m in self.tg.messages(chat_id)
            if m.from_bot
            for row in m.buttons
            for b in row
            if b.callback_data
        ]
        if not shown:
            return
        thread, data = shown[pick % len(shown)]
        assert data is not None
        if group:
            await who.press(data, group=self.stack.group, thread_id=thread)
        else:
            await who.press(data)

    def _raw(self, action: Action) -> dict[str, Json]:
        _, kind, index, data, junk, text = action
        who = self.customers[index]
        user = who.state.to_json()
        group = {"id": self.stack.group.id, "type": "supergroup", "title": "Support desk"}
        private = {"id": who.chat_id, "type": "private", "first_name": who.name}
        message = {"message_id": 1, "date": 0, "chat": private, "from": user, "text": text}
        query = {"id": f"fuzz{next(self._query_ids)}", "from": user, "chat_instance": "1"}
        if kind == "forged_callback":
            return {"callback_query": {**query, "data": data, "message": message}}
        if kind == "group_callback":
            olga = self.stack.operator.state.to_json()
            in_group = {**message, "chat": group, "message_thread_id": 2, "is_topic_message": True}
            return {"callback_query": {**query, "from": olga, "data": data, "message": in_group}}
        if kind == "stranger":
            stranger = next(self.stranger_ids)
            someone = {"id": stranger, "is_bot": False, "first_name": "Stranger"}
            chat = {"id": stranger, "type": "private", "first_name": "Stranger"}
            return {"message": {**message, "chat": chat, "from": someone}}
        if kind in ("member", "group_member"):
            # not a customer's own chat: Telegram tells of a block only when there was one, and
            # a customer the bot believes gone is rightly not answered (real blocks are actions)
            stranger = next(self.stranger_ids)
            someone = {"id": stranger, "is_bot": False, "first_name": "Stranger"}
            chat = {"id": stranger, "type": "private", "first_name": "Stranger"}
            statuses = ["member", "kicked", "left"]
            old, new = statuses[len(text) % 3], statuses[len(data) % 3]
            bot = self.tg.engine.bot.to_json()
            change = {
                "chat": chat if kind == "member" else group,
                "from": someone,
                "date": 0,
                "old_chat_member": {"status": old, "user": bot, "until_date": 0},
                "new_chat_member": {"status": new, "user": bot, "until_date": 0},
            }
            return {"my_chat_member": change}
        if kind == "unknown_kind":
            name = re.sub(r"\W", "_", text)[:30] or "x"
            return {f"fuzz_{name}": {"junk": junk}}
        if kind == "junk_message":
            return {"message": junk if junk is not None else {"chat": "junk"}}
        return {"edited_message": {**message, "edit_date": "junk", "text": junk}}


# ----------------------------------------------------------------------------- the stack
def fuzz_settings(base: Settings) -> Settings:
    """No flood limit: a fuzzed customer writes fast, and every message must be answered."""
    limits = base.limits.model_copy(update={"customer_messages_per_minute": 1_000_000})
    return base.model_copy(update={"limits": limits})


@contextlib.asynccontextmanager
async def fuzzing(
    base: Settings,
    database: Path,
    outcome: Outcome,
    *,
    brain: ContentHolder | None = None,
    answer_s: float = 5.0,
    stall_s: float = 3.0,
) -> AsyncIterator[Fuzzer]:
    """A running stack with a fuzzer on it; ERROR records while it runs are crashes."""
    from bot.demo.stack import LocalStack

    errors = ErrorLog()
    with errors.attached():
        async with LocalStack.start(fuzz_settings(base), database, brain=brain) as stack:
            yield Fuzzer(stack, outcome, answer_s=answer_s, stall_s=stall_s)
            sent = stack.tg.updates
    for record in errors.records:
        (outcome.crashes if is_crash(record, sent) else outcome.tolerated).append(record)


def draw_batches(count: int, size: int, seed: int) -> list[list[Action]]:
    """``count`` batches of ``size`` actions, drawn by hypothesis from ``seed``."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    drawn: list[list[Action]] = []

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @seeded(seed)
    @given(batches(size))
    def draw(batch: list[Action]) -> None:
        drawn.append(batch)

    draw()
    return drawn
