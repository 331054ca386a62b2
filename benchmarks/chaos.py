"""Chaos: whole support conversations while the bot is killed with ``kill -9`` and restarted.

    python benchmarks/chaos.py [--conversations 1000] [--kills 10] [--parallel 8]
        [--send-delay 0.7] [--db sqlite|URL|FILE] [--seed 7] [--step-timeout 30] [--settle 10]
        [--json]

The emulator (send-rate limits off) runs in this process with the driver; the support bot runs
in a process of its own, started exactly as ``conversation_throughput.py`` starts it
(``running_bot`` on the sample configuration with an operator forum group). Each conversation is
one fresh customer and the operator Olga: a question the bot answers, ``/operator``, Olga takes
the ticket with the card's button, her reply is relayed to the customer, the customer's next
message is relayed into the topic, Olga writes ``/close``, the customer answers the survey
(score, solved, comment). ``--parallel`` conversations run at once. Meanwhile the bot is killed
``--kills`` times (SIGKILL, at random moments spread over the run) and restarted; the emulator
holds every chat-changing call ``--send-delay`` seconds, so kills land mid-send. Nobody waits for
the bot to come back: customers keep writing; Olga acts on what the group shows her (and presses
Take again when a card still shows it after a while, as a person would).

After the last conversation and ``--settle`` seconds, what the chats and topics show is checked
against every expectation: customer messages lost (never answered / never relayed to the topic),
replies or relays lost (taken notice, operator reply, closed notice, survey question,
transcript), duplicated bot messages (each marked "in flight" when its first copy landed within
``--in-flight-window`` of a kill, the send delay included), tickets stuck (no topic, a topic
without a card, still waiting after Take, two topics with a card, still open after ``/close``).
A topic without a card created by a call in flight at a kill, its ticket served in another
topic, is counted apart as an orphan (the issue allows it: the bot adopts it when written in).
Exits 1 when anything is lost or stuck, or a duplicate was not in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks")]

from conversation_throughput import (  # noqa: E402 - after the path above
    TOKEN,
    BotOptions,
    ask,
    bot_in_process,
    database_url,
    fresh_database,
    log,
    question_pool,
    wait_for_bot,
    wait_no_poll,
)

if TYPE_CHECKING:
    from telegram_emulator import Group, TelegramEmulator, User
    from telegram_emulator.engine import Engine
    from telegram_emulator.world import ChatState

TAKE = "✋ Take"
OPERATOR_NAME = "Olga"
# What the bot says to the customer at each step (the sample configuration's English texts).
ACK = re.compile(
    r"passed your question to a person \(request #\d+\)|request #\d+ is already with"
    r"|reopened your request #\d+|recorded your request #\d+|Operators are off now"
)
TAKEN = "has taken your request"
CLOSED = re.compile(r"Your request #\d+ is closed")
CSAT = "How would you rate the help you got?"
SOLVED = "Was your issue solved?"
COMMENT = "Anything you want to add?"
THANKS = "Thank you for the feedback!"
CLOSED_STATUS = "✅ closed"
DESK_CLOSED = re.compile(r"Ticket #\d+ closed by Olga\.")
TOPIC_NAME = re.compile(r"#\d+ (\S+)(?: |$)")  # the customer names have no spaces


# ----------------------------------------------------------------------------- what the bot sent
@dataclass(frozen=True)
class Sent:
    """A bot message as it looked when it landed (edits come later), and when that was."""

    chat_id: int
    thread_id: int | None
    message_id: int
    text: str
    buttons: tuple[str, ...]
    at: float  # time.monotonic() in the driver


class Recorder:
    """Every bot message, snapshotted the moment the emulator stores it (one scan per change)."""

    def __init__(self, engine: Engine, group: ChatState) -> None:
        self._engine = engine
        self._group = group
        self.topics_at: dict[int, float] = {}  # when each topic of the group first showed
        self._seen = 0
        self.sent: list[Sent] = []
        self.by_chat: dict[int, list[Sent]] = {}
        self.by_topic: dict[tuple[int, int | None], list[Sent]] = {}
        self._closed = False
        self._task: asyncio.Task[None] | None = None

    def _scan(self) -> bool:
        now = time.monotonic()
        if len(self._group.topics) != len(self.topics_at):
            for thread_id in self._group.topics:
                self.topics_at.setdefault(thread_id, now)
        messages = self._engine.bot_messages
        while self._seen < len(messages):
            raw = messages[self._seen]
            self._seen += 1
            markup = raw.get("reply_markup") or {}
            buttons = tuple(
                b.get("text", "") for row in markup.get("inline_keyboard", []) for b in row
            )
            sent = Sent(
                chat_id=raw["chat"]["id"],
                thread_id=raw.get("message_thread_id"),
                message_id=raw["message_id"],
                text=str(raw.get("text") or raw.get("caption") or ""),
                buttons=buttons,
                at=now,
            )
            self.sent.append(sent)
            self.by_chat.setdefault(sent.chat_id, []).append(sent)
            self.by_topic.setdefault((sent.chat_id, sent.thread_id), []).append(sent)
        return self._closed

    def start(self) -> None:
        self._task = asyncio.create_task(self._engine.wait_until(self._scan, 86_400.0, str))

    async def stop(self) -> None:
        self._closed = True
        self._engine.changed()
        if self._task is not None:
            await self._task

    def chat(self, chat_id: int, thread_id: int | None = None) -> list[Sent]:
        self._scan()
        if thread_id is None:
            return self.by_chat.get(chat_id, [])
        return self.by_topic.get((chat_id, thread_id), [])

    async def wait(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Whether ``predicate`` came true within ``seconds`` (never raises on a timeout)."""
        from telegram_emulator import EmulatorTimeout

        try:
            await self._engine.wait_until(predicate, seconds, str)
        except EmulatorTimeout:
            return False
        return True


# ----------------------------------------------------------------------------- one conversation
@dataclass
class Conversation:
    """One customer's script and what the driver did (each action once, never repeated)."""

    index: int
    name: str
    question: str
    user_id: int = 0
    chat_id: int = 0
    started: bool = False
    asked_operator: bool = False
    take_presses: int = 0
    reply_text: str = ""  # the operator's reply, once written
    relay_text: str = ""  # the customer's message for the topic, once written
    closed: bool = False  # /close written
    pressed: list[str] = field(default_factory=list)  # survey buttons pressed
    comment: str = ""  # survey comment, once written
    gave_up: str = ""  # the step after which the driver could not go on


class Desk:
    """The world as the driver sees it: the operator group, the operator, the recorder."""

    def __init__(
        self,
        tg: TelegramEmulator,
        group: Group,
        olga: User,
        rec: Recorder,
        step_s: float,
        chaos: Chaos,
    ) -> None:
        self.chaos = chaos
        self.tg = tg
        self.group = group
        self.olga = olga
        self.rec = rec
        self.step_s = step_s
        self._topics_seen = -1
        self._topics_by_name: dict[str, list[int]] = {}

    def topics_of(self, conv: Conversation) -> list[int]:
        """The topics named after the conversation's customer (``#<ticket> <name> ...``)."""
        topics = self.group.state.topics
        if len(topics) != self._topics_seen:
            self._topics_seen = len(topics)
            self._topics_by_name.clear()
            for thread_id in sorted(topics):
                found = TOPIC_NAME.match(topics[thread_id].name)
                if found:
                    self._topics_by_name.setdefault(found[1], []).append(thread_id)
        return self._topics_by_name.get(conv.name, [])

    def served_topic(self, conv: Conversation) -> int | None:
        """The first of the customer's topics that shows a card."""
        return next((t for t in self.topics_of(conv) if self.card_of(t) is not None), None)

    def card_of(self, topic: int) -> Sent | None:
        """The topic's newest card (a copy sent again after a kill is the one the bot keeps)."""
        return next(
            (s for s in reversed(self.rec.chat(self.group.id, topic)) if TAKE in s.buttons), None
        )

    def card_now(self, topic: int) -> tuple[str, list[str]] | None:
        """The card's text and buttons as the group shows them now (after edits)."""
        card = self.card_of(topic)
        raw = self.group.state.messages.get(card.message_id) if card else None
        if raw is None:
            return None
        rows = (raw.get("reply_markup") or {}).get("inline_keyboard", [])
        return str(raw.get("text") or ""), [b.get("text", "") for row in rows for b in row]

    def shows_take(self, topic: int) -> bool:
        now = self.card_now(topic)
        return now is not None and TAKE in now[1]

    def customer_sees(self, conv: Conversation, test: Callable[[str], bool]) -> bool:
        return any(test(s.text) for s in self.rec.chat(conv.chat_id))

    async def until(self, predicate: Callable[[], bool]) -> bool:
        """Wait up to ``step_s`` of the bot's uptime (time it spent down is added)."""
        began, down = time.monotonic(), self.chaos.downtime()
        while True:
            deadline = began + self.step_s + self.chaos.downtime() - down
            if await self.rec.wait(predicate, max(0.05, deadline - time.monotonic())):
                return True
            if time.monotonic() >= began + self.step_s + self.chaos.downtime() - down:
                return False


async def converse(desk: Desk, conv: Conversation) -> None:
    """The whole conversation, each side acting on what it sees; stops where nobody could go
    on (no topic, no card, the ticket never taken, no survey)."""
    from telegram_emulator import ControlError

    tg, group, olga = desk.tg, desk.group, desk.olga
    user = tg.add_user(conv.name, language_code="en")
    conv.user_id, conv.chat_id, conv.started = user.id, user.chat_id, True
    await user.send(conv.question)
    await desk.until(lambda: bool(desk.rec.chat(conv.chat_id)))
    await user.send("/operator")
    conv.asked_operator = True
    await desk.until(  # the operator looks at the group meanwhile
        lambda: (
            bool(desk.topics_of(conv)) and desk.customer_sees(conv, lambda t: bool(ACK.search(t)))
        )
    )
    if not desk.topics_of(conv):
        conv.gave_up = "no topic"
        return
    # two topics of one ticket (one created by a call in flight at a kill): the operator uses
    # the one that shows the ticket's card
    if not await desk.until(lambda: desk.served_topic(conv) is not None):
        conv.gave_up = "no card"
        return
    topic = desk.served_topic(conv)
    assert topic is not None
    for _ in range(3):  # a person presses again when the card still shows Take after a while
        try:
            await olga.press(TAKE, group=group, thread_id=topic)
        except ControlError:
            break  # no Take button any more: the ticket is taken
        conv.take_presses += 1
        if await desk.until(
            lambda: desk.customer_sees(conv, lambda t: TAKEN in t) or not desk.shows_take(topic)
        ):
            break
    if desk.shows_take(topic):
        conv.gave_up = "never taken"
        return
    conv.reply_text = f"Reply from Olga to {conv.name}"
    await olga.send_in_topic(group, topic, conv.reply_text)
    await desk.until(lambda: desk.customer_sees(conv, lambda t: t == conv.reply_text))
    conv.relay_text = f"Thanks, {conv.name} writes again"
    await user.send(conv.relay_text)
    await desk.until(
        lambda: any(
            s.text == conv.relay_text
            for t in desk.topics_of(conv)
            for s in desk.rec.chat(group.id, t)
        )
    )
    await olga.send_in_topic(group, topic, "/close")
    conv.closed = True
    if not await desk.until(lambda: desk.customer_sees(conv, lambda t: t.startswith(CSAT))):
        conv.gave_up = "no survey"
        return
    for button, expect in (("4", SOLVED), ("Yes", COMMENT)):
        try:
            await user.press(button)
        except ControlError:
            conv.gave_up = f"no survey button {button!r}"
            return
        conv.pressed.append(button)
        if not await desk.until(lambda e=expect: desk.customer_sees(conv, lambda t: e in t)):
            conv.gave_up = f"no answer to survey button {button!r}"
            return
    conv.comment = f"Comment from {conv.name}"
    await user.send(conv.comment)
    await desk.until(lambda: desk.customer_sees(conv, lambda t: t == THANKS))


# ----------------------------------------------------------------------------- the bot, killed
@dataclass
class Chaos:
    """The kill schedule: kill when the ``points[i]``-th conversation has started (plus a random
    moment after that), never before the bot has been up ``min_up_s``; when the point passed while
    the bot was down, 0.5–1.5 s after it is back (amid the backlog)."""

    points: list[int]
    rng: random.Random
    min_up_s: tuple[float, float] = (1.0, 4.0)
    kills: list[float] = field(default_factory=list)  # monotonic times
    restarts_s: list[float] = field(default_factory=list)  # from kill to polling again

    def downtime(self) -> float:
        """Seconds the bot has been down so far (killed, not yet polling again)."""
        down = sum(self.restarts_s)
        if len(self.kills) > len(self.restarts_s):
            down += time.monotonic() - self.kills[-1]
        return down


async def run_bot(
    tg: TelegramEmulator,
    options: BotOptions,
    chaos: Chaos,
    started: Callable[[], int],
    finished: asyncio.Event,
    ready: asyncio.Event,
) -> dict[str, float]:
    """Keep the bot running; kill it at the schedule's moments; stop it cleanly at the end."""
    while True:
        await wait_no_poll(tg)
        calls_before = len(tg.engine.calls)
        with bot_in_process(options) as (process, conn):
            await wait_for_polling(tg, process, calls_before)
            if chaos.kills:
                chaos.restarts_s.append(time.monotonic() - chaos.kills[-1])
                log(f"chaos: bot back after {chaos.restarts_s[-1]:.1f} s")
            ready.set()
            if len(chaos.kills) == len(chaos.points):
                await finished.wait()
                return await ask(conn, "stop")
            point = chaos.points[len(chaos.kills)]
            if started() >= point:  # passed while the bot was down: kill amid the backlog
                await asyncio.sleep(chaos.rng.uniform(0.5, 1.5))
            else:
                await asyncio.sleep(chaos.rng.uniform(*chaos.min_up_s))
                while started() < point and not finished.is_set():  # noqa: ASYNC110 - a count
                    await asyncio.sleep(0.05)
                await asyncio.sleep(chaos.rng.uniform(0.0, 3.0))
            if finished.is_set():
                return await ask(conn, "stop")
            assert process.pid is not None
            os.kill(process.pid, signal.SIGKILL)
            chaos.kills.append(time.monotonic())
            log(f"chaos: kill -9 #{len(chaos.kills)} after conversation {started()} started")


async def wait_for_polling(tg: TelegramEmulator, process: BaseProcess, calls_before: int) -> None:
    """Until the new bot process has asked for updates (a bot busy with a backlog never holds a
    long poll, so ``wait_for_bot`` alone would wait for the backlog to drain)."""
    polls = (c for c in tg.engine.calls[calls_before:] if c.method == "getUpdates")
    first = asyncio.create_task(wait_for_bot(tg, process))
    try:
        while not first.done():
            if any(True for _ in polls):
                return
            await asyncio.wait({first}, timeout=0.2)
            polls = (c for c in tg.engine.calls[calls_before:] if c.method == "getUpdates")
        first.result()
    finally:
        first.cancel()


# ----------------------------------------------------------------------------- the verdict
@dataclass
class Findings:
    customer_lost: list[str] = field(default_factory=list)
    relay_lost: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    duplicates_in_flight: list[str] = field(default_factory=list)
    duplicates_not_in_flight: list[str] = field(default_factory=list)
    # a topic created by a call in flight at a kill, never given a card, the ticket served in
    # another topic: the issue allows it (the bot adopts it when someone writes there)
    orphan_topics_in_flight: list[str] = field(default_factory=list)


def check(
    desk: Desk, convs: Sequence[Conversation], chaos: Chaos, delay_s: float, window_s: float
) -> Findings:
    """Every expectation against what the chats and topics show now."""
    found = Findings()
    rec, group = desk.rec, desk.group
    for conv in convs:
        if not conv.started:
            continue
        name = conv.name
        chat = [s.text for s in rec.chat(conv.chat_id)]
        known = (ACK.search, lambda t: TAKEN in t, CLOSED.search, lambda t: t.startswith(CSAT))
        others = [
            t
            for t in chat
            if not any(k(t) for k in known)
            and t not in (conv.reply_text, THANKS)
            and not t.startswith((SOLVED, COMMENT))
        ]
        if not others:
            found.customer_lost.append(f"{name}: question never answered")
        if conv.asked_operator and not any(ACK.search(t) for t in chat):
            found.customer_lost.append(f"{name}: /operator never answered")
        topics = desk.topics_of(conv)
        in_topics = [s for t in topics for s in rec.chat(group.id, t)]
        if conv.relay_text and not any(s.text == conv.relay_text for s in in_topics):
            found.customer_lost.append(f"{name}: message never reached the topic")
        for button, expect in zip(conv.pressed, (SOLVED, COMMENT), strict=False):
            if not any(t.startswith(expect) for t in chat):
                found.customer_lost.append(f"{name}: survey button {button!r} never answered")
        if conv.comment and THANKS not in chat:
            found.customer_lost.append(f"{name}: survey comment never answered")
        topic_texts = [s.text for t in desk.topics_of(conv) for s in rec.chat(group.id, t)]
        for line in survey_lines(conv):
            if line not in topic_texts:
                found.relay_lost.append(f"{name}: {line!r} not in the topic")
        if conv.asked_operator and not topics:
            found.stuck.append(f"{name}: no topic")
        served = [t for t in topics if desk.card_of(t) is not None]
        if len(served) > 1:
            found.stuck.append(f"{name}: {len(served)} topics with a card")
        for topic in topics:
            card = desk.card_of(topic)
            if card is None:
                opened = rec.topics_at.get(topic, 0.0)
                in_flight = any(
                    opened - delay_s - window_s <= k <= opened + window_s for k in chaos.kills
                )
                if served and in_flight:
                    found.orphan_topics_in_flight.append(f"{name}: topic {topic}")
                else:
                    found.stuck.append(f"{name}: topic {topic} without a card")
                continue
            if not any(
                not s.buttons and conv.question in s.text for s in rec.chat(group.id, topic)
            ):
                found.relay_lost.append(f"{name}: no transcript in topic {topic}")
        if conv.take_presses and served and desk.shows_take(served[0]):
            found.stuck.append(f"{name}: still waiting after Take")
        if (
            conv.take_presses
            and served
            and not desk.shows_take(served[0])
            and not any(TAKEN in t for t in chat)
        ):
            found.relay_lost.append(f"{name}: no 'taken' notice")
        if conv.reply_text and conv.reply_text not in chat:
            found.relay_lost.append(f"{name}: operator reply never relayed")
        if conv.closed:
            if not any(CLOSED.search(t) for t in chat):
                found.relay_lost.append(f"{name}: no 'closed' notice")
            if not any(t.startswith(CSAT) for t in chat):
                found.relay_lost.append(f"{name}: no survey question")
            if not any(DESK_CLOSED.search(s.text) for s in in_topics):
                found.relay_lost.append(f"{name}: no 'closed by' line in the topic")
            shown = desk.card_now(served[0]) if served else None
            if shown is not None and CLOSED_STATUS not in shown[0]:
                found.stuck.append(f"{name}: still open after /close")
    duplicates(rec, chaos, delay_s, window_s, found)
    return found


def survey_lines(conv: Conversation) -> list[str]:
    """What the topic is told of the survey answers the customer gave."""
    lines = []
    if conv.pressed:
        lines.append("Survey: satisfaction 4/5.")
    if len(conv.pressed) > 1:
        lines.append("Survey: the issue is solved.")
    if conv.comment:
        lines.append(f"Survey comment: {conv.comment}")
    return lines


def duplicates(
    rec: Recorder, chaos: Chaos, delay_s: float, window_s: float, found: Findings
) -> None:
    """Identical bot messages in one chat or topic: each copy after the first is a duplicate,
    "in flight" when a kill came at most ``window_s`` after its first copy landed (the killed
    process may not have recorded it yet) or while that copy was held (up to the send delay
    plus ``window_s`` before it landed)."""
    first: dict[tuple[int, int | None, str, tuple[str, ...]], Sent] = {}
    counts: Counter[tuple[int, int | None, str, tuple[str, ...]]] = Counter()
    for sent in rec.sent:
        key = (sent.chat_id, sent.thread_id, sent.text, sent.buttons)
        counts[key] += 1
        first.setdefault(key, sent)
    for key, count in counts.items():
        if count < 2:
            continue
        landed = first[key].at
        in_flight = any(landed - delay_s - window_s <= k <= landed + window_s for k in chaos.kills)
        where = f"chat {key[0]}" + (f" topic {key[1]}" if key[1] else "")
        line = f"{where}: {key[2][:60]!r} x{count}"
        target = found.duplicates_in_flight if in_flight else found.duplicates_not_in_flight
        target.extend([line] * (count - 1))


# ----------------------------------------------------------------------------- the run
@dataclass
class Result:
    conversations: int
    completed: int
    kills: int
    restart_s_max: float
    customer_messages_lost: int
    replies_or_relays_lost: int
    duplicated: int
    duplicated_in_flight: int
    duplicated_not_in_flight: int
    tickets_stuck: int
    orphan_topics_in_flight: int
    wall_s: float
    database: str
    send_delay_s: float
    details: dict[str, list[str]]

    @property
    def failed(self) -> bool:
        return bool(
            self.customer_messages_lost
            or self.replies_or_relays_lost
            or self.tickets_stuck
            or self.duplicated_not_in_flight
        )


async def benchmark(args: argparse.Namespace, db_url: str, db: str) -> Result:
    from telegram_emulator import TelegramEmulator

    rng = random.Random(args.seed)
    pool = question_pool()["en"]
    convs = [
        Conversation(index=i, name=f"Cust{i + 1:05d}", question=rng.choice(pool))
        for i in range(args.conversations)
    ]
    # kill points leave at least twice --parallel conversations to start afterwards, so the last
    # kill still finds work going on when a slow restart lets the others catch up meanwhile
    span = range(1, max(2, args.conversations - 2 * args.parallel))
    points = sorted(rng.choices(span, k=args.kills))
    chaos = Chaos(points=points, rng=rng)
    async with TelegramEmulator(token=TOKEN) as tg:
        tg.limits.rates = False
        tg.faults.send_delay = args.send_delay
        olga = tg.add_user(OPERATOR_NAME, language_code="en", username="olga_support")
        group = tg.add_supergroup("Support desk", forum=True, admins=[olga])
        rec = Recorder(tg.engine, group.state)
        rec.start()
        desk = Desk(tg, group, olga, rec, args.step_timeout, chaos)
        options = BotOptions(kind="support", api_url=tg.url, group_id=group.id, database_url=db_url)
        finished, ready = asyncio.Event(), asyncio.Event()
        started = 0
        bot = asyncio.create_task(run_bot(tg, options, chaos, lambda: started, finished, ready))
        await asyncio.wait({bot, asyncio.create_task(ready.wait())}, return_when="FIRST_COMPLETED")
        if bot.done():
            bot.result()  # the bot's first start failed: say why
        log(f"chaos: bot up; {len(convs)} conversations, {args.parallel} at once")
        began = time.monotonic()
        slots = asyncio.Semaphore(args.parallel)
        done = 0

        async def one(conv: Conversation) -> None:
            nonlocal started, done
            async with slots:
                started += 1
                await converse(desk, conv)
                done += 1
                if done % max(1, len(convs) // 20) == 0 or done == len(convs):
                    log(f"chaos: {done}/{len(convs)} conversations, {len(chaos.kills)} kills")

        async with asyncio.TaskGroup() as tasks:
            for conv in convs:
                tasks.create_task(one(conv))
        log(f"chaos: conversations done; settling {args.settle:.0f} s")
        await asyncio.sleep(args.settle)
        wall = time.monotonic() - began
        findings = check(desk, convs, chaos, args.send_delay, args.in_flight_window)
        finished.set()
        await bot
        await rec.stop()
        if tg.internal_errors:
            log(f"emulator internal errors: {tg.internal_errors[:3]}")
    details = {k: v for k, v in asdict(findings).items()}
    details["gave_up"] = [f"{c.name}: {c.gave_up}" for c in convs if c.gave_up]
    in_flight, not_in_flight = findings.duplicates_in_flight, findings.duplicates_not_in_flight
    return Result(
        conversations=len(convs),
        completed=sum(1 for c in convs if c.comment and not c.gave_up),
        kills=len(chaos.kills),
        restart_s_max=max(chaos.restarts_s, default=0.0),
        customer_messages_lost=len(findings.customer_lost),
        replies_or_relays_lost=len(findings.relay_lost),
        duplicated=len(in_flight) + len(not_in_flight),
        duplicated_in_flight=len(in_flight),
        duplicated_not_in_flight=len(not_in_flight),
        tickets_stuck=len(findings.stuck),
        orphan_topics_in_flight=len(findings.orphan_topics_in_flight),
        wall_s=wall,
        database=db,
        send_delay_s=args.send_delay,
        details=details,
    )


def report(result: Result, *, as_json: bool, show: int = 10) -> None:
    print(
        f"Chaos: {result.conversations} conversations, the support bot on {result.database}, "
        f"killed with SIGKILL {result.kills} times (longest restart {result.restart_s_max:.1f} s); "
        f"sends held {result.send_delay_s:g} s; wall time {result.wall_s:.0f} s."
    )
    rows = [
        ("conversations", result.conversations),
        ("  completed to the survey comment", result.completed),
        ("kills", result.kills),
        ("customer messages lost", result.customer_messages_lost),
        ("replies or relays lost", result.replies_or_relays_lost),
        ("duplicated bot messages", result.duplicated),
        ("  of which in flight at a kill", result.duplicated_in_flight),
        ("  of which NOT in flight", result.duplicated_not_in_flight),
        ("tickets stuck", result.tickets_stuck),
        ("orphan topics (created in flight)", result.orphan_topics_in_flight),
    ]
    for label, value in rows:
        print(f"{label:<36} {value:>6}")
    for kind, lines in result.details.items():
        if lines:
            print(f"{kind} ({len(lines)}):")
            for line in lines[:show]:
                print(f"  {line}")
            if len(lines) > show:
                print(f"  ... and {len(lines) - show} more")
    print("verdict: " + ("FAILED" if result.failed else "nothing lost, nothing stuck"))
    if as_json:
        print(json.dumps(asdict(result) | {"failed": result.failed}))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=10, help="kill -9 and restart this often")
    parser.add_argument("--parallel", type=int, default=8, help="conversations at once")
    parser.add_argument(
        "--send-delay", type=float, default=0.7, help="seconds the emulator holds each bot send"
    )
    parser.add_argument(
        "--db",
        default="sqlite",
        help="'sqlite' (a fresh temporary file), a SQLite file path, or a PostgreSQL URL "
        "(a fresh database is created on that server and dropped afterwards)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--step-timeout",
        type=float,
        default=30.0,
        help="how long a person waits for the bot (its downtime not counted) before acting on "
        "what they see",
    )
    parser.add_argument("--settle", type=float, default=10.0, help="quiet seconds before checking")
    parser.add_argument(
        "--in-flight-window",
        type=float,
        default=1.0,
        help="a duplicate is in flight when its first copy landed this close to a kill "
        "(plus the send delay)",
    )
    parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    args = parser.parse_args(argv)
    if args.conversations < 1 or args.kills < 0 or args.parallel < 1:
        parser.error("--conversations and --parallel must be at least 1, --kills at least 0")
    return args


async def run(args: argparse.Namespace) -> Result:
    if args.db.startswith("postgresql"):
        async with fresh_database(args.db) as url:
            return await benchmark(args, url, "PostgreSQL (fresh database)")
    with tempfile.TemporaryDirectory(prefix="supportbot-chaos-") as scratch:
        db_url, db = database_url(args.db, Path(scratch))
        return await benchmark(args, db_url, db)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = asyncio.run(run(args))
    report(result, as_json=args.json)
    return 1 if result.failed else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
