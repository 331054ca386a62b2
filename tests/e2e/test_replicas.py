"""Three replicas of the bot behind nginx, sharing PostgreSQL and Redis, against the emulator in
webhook mode: the emulator posts every update to nginx, which spreads them round robin.

The replicas run in this test's process (three aiogram bots, three cores, three webhook
servers on their own ports, their own database pools and Redis connections); what they share is
only what real replicas share: PostgreSQL, Redis and the load balancer in front. In the kill test
the third replica is a process of its own (tests/e2e/replica_process.py), killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import Settings
from bot.demo.stack import TOKEN, local_settings
from bot.runtime.aiogram import AiogramOutbox, make_bot, run_webhook
from handoff import ManualClock
from intents import ContentHolder, Thresholds
from telegram_emulator import ChatMessage, Group, TelegramEmulator, User
from tests.e2e.balancer import load_balancer
from tests.e2e.helpers import TRAINING_WAIT, WAIT, free_port
from tests.e2e.replica_process import serve_replica
from tests.e2e.test_customer import PIXEL
from tests.redis_server import REDIS_URL, redis_prefix

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SECRET = "replicas-secret_token"
REPLICAS = 3
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday morning


@dataclass
class Deployment:
    tg: TelegramEmulator
    group: Group
    apps: list[App]
    brains: list[ContentHolder]
    clock: ManualClock
    content: Path  # the content folder the replicas load (a copy the test may edit)
    victim: multiprocessing.process.BaseProcess | None = None  # the replica in its own process

    async def ask(self, who: User, *texts: str) -> list[ChatMessage]:
        """Send the texts one after the other without waiting; return the bot's replies."""
        for text in texts:
            await who.send(text)
        return await self.tg.wait_for_bot_messages(who.chat_id, len(texts), timeout=WAIT * 3)

    async def settle(self) -> None:
        await asyncio.sleep(0.5)
        for app in self.apps:
            await app.core.wait_idle()


@contextlib.asynccontextmanager
async def deployment(
    tmp_path: Path, base: Settings, database_url: str, *, killable: bool = False
) -> AsyncIterator[Deployment]:
    """Three replicas behind nginx; ``killable``: the third runs in a process of its own (with a
    2 s lease on its place in a chat's line, so its chats wait for it 2 s once it is killed)."""
    content = tmp_path / "content"
    shutil.copytree(base.content.intents_dir, content / "intents")
    shutil.copytree(base.content.kb_dir, content / "kb")
    clock = ManualClock(NOW)
    async with (
        redis_prefix() as prefix,
        TelegramEmulator(token=TOKEN) as tg,
        contextlib.AsyncExitStack() as stack,
    ):
        admin = tg.add_user("Adam", language_code="en")
        operators = [tg.add_user(f"Operator {i}", language_code="en") for i in range(50)]
        group = tg.add_supergroup(
            "Support desk", forum=True, admins=operators[:1], members=operators[1:]
        )
        settings = local_settings(
            base, database_url=database_url, api_url=tg.url, group_id=group.id
        )
        settings = settings.model_copy(
            update={
                "redis": settings.redis.model_copy(
                    update={
                        "url": REDIS_URL,
                        "key_prefix": prefix,
                        "lease_seconds": 2.0 if killable else settings.redis.lease_seconds,
                    }
                ),
                "admins": settings.admins.model_copy(update={"ids": [admin.id]}),
            }
        )
        brains = [
            ContentHolder(
                content / "intents", content / "kb", Thresholds.from_settings(base.matching)
            )
            for _ in range(REPLICAS - killable)
        ]
        await asyncio.gather(*(asyncio.to_thread(brain.load) for brain in brains))
        ports = [free_port() for _ in range(REPLICAS)]
        balancer = await stack.enter_async_context(load_balancer(ports, tmp_path / "nginx"))
        apps: list[App] = []
        for brain, port in zip(brains, ports, strict=False):
            bot = make_bot(TOKEN, tg.url)
            stack.push_async_callback(bot.session.close)
            app = await stack.enter_async_context(
                build_app(settings, AiogramOutbox(bot), clock=clock, brain=brain)
            )
            apps.append(app)
            server = asyncio.create_task(
                run_webhook(
                    bot,
                    app.core,
                    url=f"http://127.0.0.1:{balancer}",
                    listen=f"127.0.0.1:{port}",
                    secret=SECRET,
                )
            )
            stack.push_async_callback(_stop, server)
        victim = None
        if killable:
            victim = multiprocessing.get_context("spawn").Process(
                target=serve_replica,
                args=(
                    settings,
                    f"127.0.0.1:{ports[-1]}",
                    f"http://127.0.0.1:{balancer}",
                    SECRET,
                    NOW,
                ),
                daemon=True,
            )
            victim.start()
            stack.callback(_reap, victim)
        await tg.wait_for_calls("setWebhook", REPLICAS, timeout=TRAINING_WAIT)
        found = Deployment(tg, group, apps, brains, clock, content, victim)
        found.admin = admin  # type: ignore[attr-defined]
        found.operators = operators  # type: ignore[attr-defined]
        yield found


def _reap(process: multiprocessing.process.BaseProcess) -> None:
    if process.is_alive():
        process.kill()
    process.join(timeout=10)


async def _stop(server: asyncio.Task[None]) -> None:
    server.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await server


QUESTIONS = ("where is my order", "how do i return an item", "which payment methods do you accept")


async def test_three_replicas_behind_nginx(
    tmp_path: Path, base_settings: Settings, postgres_database: str | None
) -> None:
    if postgres_database is None:
        pytest.skip("PostgreSQL is not reachable")
    async with deployment(tmp_path, base_settings, postgres_database) as d:
        tg = d.tg
        # --- customers' messages are answered once each, in order, wherever they land
        probe = tg.add_user("Probe", language_code="en")
        expected = [reply.content for reply in [(await d.ask(probe, q))[0] for q in QUESTIONS]]
        assert len(set(expected)) == len(QUESTIONS), "the questions need different answers"
        customers = [tg.add_user(f"Customer {i}", language_code="en") for i in range(4)]
        replies = await asyncio.gather(*(d.ask(c, *QUESTIONS) for c in customers))
        await d.settle()
        for customer, got in zip(customers, replies, strict=True):
            assert [reply.content for reply in got] == expected, customer.name
            assert len(tg.bot_messages(customer.chat_id)) == len(QUESTIONS)  # once each
        handled = [call.params for call in tg.calls_to("sendMessage")]
        assert handled  # (the replies above came through the three replicas' outboxes)

        # --- one ticket, 50 operators pressing Take at once: one owner
        alice = tg.add_user("Alice", language_code="en")
        await d.ask(alice, "my order is late")
        await d.ask(alice, "/operator")
        await tg.wait_for_calls("createForumTopic", 1, timeout=WAIT)
        topic = d.group.topic_ids()[-1]
        await tg.wait_for_bot_messages(d.group.id, thread_id=topic, count=2, timeout=WAIT)
        operators: list[User] = d.operators  # type: ignore[attr-defined]
        queries = await asyncio.gather(
            *(op.press("✋ Take", group=d.group, thread_id=topic) for op in operators)
        )
        answers = await asyncio.gather(
            *(tg.wait_for_callback_answer(q, timeout=WAIT * 3) for q in queries)
        )
        texts = [answer.text or "" for answer in answers]
        assert sum(text.startswith("You took") for text in texts) == 1, texts
        assert sum("is already taken by" in text for text in texts) == len(operators) - 1
        [taken] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
        assert "has taken your request" in taken.content

        # --- an album reaches the topic whole: its parts went to different replicas
        in_topic = len(tg.bot_messages(d.group.id, thread_id=topic))
        await alice.send_album([PIXEL, PIXEL, PIXEL], caption="the parcel, three sides")
        await tg.wait_for_calls("copyMessages", 1, timeout=WAIT)
        await d.settle()
        album = tg.bot_messages(d.group.id, thread_id=topic)[in_topic:]
        assert len(tg.bot_messages(d.group.id, thread_id=topic)) == in_topic + 3
        assert [m.kind for m in album] == ["photo"] * 3
        assert len({m.media_group_id for m in album}) == 1  # copied as one album

        # --- SLA reminders: sent once, whichever replica runs the housekeeping
        bob = tg.add_user("Bob", language_code="en")
        await d.ask(bob, "/operator")
        await tg.wait_for_calls("createForumTopic", 2, timeout=WAIT)
        bob_topic = d.group.topic_ids()[-1]
        await tg.wait_for_bot_messages(d.group.id, thread_id=bob_topic, count=2, timeout=WAIT)
        d.clock.advance(minutes=40)
        await asyncio.gather(*(app.core.housekeeping() for app in d.apps))
        await asyncio.gather(*(app.core.housekeeping() for app in d.apps))
        await d.settle()
        reminders = [
            m
            for m in tg.bot_messages(d.group.id, thread_id=bob_topic)
            if "has been waiting" in m.content
        ]
        assert len(reminders) == 1, [m.content for m in reminders]

        # --- /reload on one replica swaps the content on all three
        article = d.content / "kb" / "replica-check.en.md"
        article.write_text(
            "---\nid: replica-check\ntitle: Replica check\nlang: en\ntags: [replica]\n---\n"
            "# Replica check\n\nEvery replica knows this article.\n"
        )
        admin: User = d.admin  # type: ignore[attr-defined]
        [done] = await d.ask(admin, "/reload")
        assert "Reloaded" in done.content or "replica-check" in done.content, done.content

        def reloaded() -> list[bool]:
            return ["replica-check" in brain.content.article_ids for brain in d.brains]

        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(TRAINING_WAIT):
                while not all(reloaded()):  # noqa: ASYNC110 - the others retrain in threads
                    await asyncio.sleep(0.1)
        assert reloaded() == [True] * REPLICAS


async def test_a_replica_killed_mid_run_loses_nothing(
    tmp_path: Path, base_settings: Settings, postgres_database: str | None
) -> None:
    """Customers ask, ticketed customers and their operator write to each other, and one of the
    three replicas is killed with SIGKILL while the traffic flows. nginx passes the dead one by,
    the emulator posts again what it had in hand (no 200 came), the chats it was handling wait
    for its lease (2 s here, ``[redis] lease_seconds``), and what it had committed but not sent
    goes out with the housekeeping leader's round once it is a minute old (the test's clock)."""
    if postgres_database is None:
        pytest.skip("PostgreSQL is not reachable")
    async with deployment(tmp_path, base_settings, postgres_database, killable=True) as d:
        tg, group = d.tg, d.group
        assert d.victim is not None
        operator: User = d.operators[0]  # type: ignore[attr-defined]
        # --- mid conversation: three customers whose tickets the operator took
        ticketed = [tg.add_user(f"Ticketed {i}", language_code="en") for i in range(3)]
        topics: dict[int, int] = {}
        for index, customer in enumerate(ticketed):
            await d.ask(customer, "/operator")
            await tg.wait_for_calls("createForumTopic", index + 1, timeout=WAIT)
            topic = group.topic_ids()[-1]
            await tg.wait_for_bot_messages(group.id, thread_id=topic, count=2, timeout=WAIT)
            query = await operator.press("✋ Take", group=group, thread_id=topic)
            await tg.wait_for_callback_answer(query, timeout=WAIT)
            [taken] = await tg.wait_for_bot_messages(customer.chat_id, timeout=WAIT)
            assert "has taken your request" in taken.content
            topics[customer.id] = topic
        await d.settle()
        # --- the traffic, with the kill in the middle of it
        askers = [tg.add_user(f"Asker {i}", language_code="en") for i in range(6)]
        asked = {who.id: len(tg.bot_messages(who.chat_id)) for who in askers}

        async def ask_all(who: User) -> None:
            for question in QUESTIONS:
                await who.send(question)
                await asyncio.sleep(0.3)

        async def talk(customer: User) -> None:
            for n in range(3):
                await customer.send(f"detail {customer.name} {n}")
                await operator.send_in_topic(
                    group, topics[customer.id], f"reply {customer.name} {n}"
                )
                await asyncio.sleep(0.3)

        async def kill() -> None:
            await asyncio.sleep(0.4)  # the first messages are being handled everywhere
            assert d.victim is not None
            d.victim.kill()

        await asyncio.gather(*map(ask_all, askers), *map(talk, ticketed), kill())
        await asyncio.to_thread(d.victim.join, 10)
        assert d.victim.exitcode == -9  # SIGKILL: nothing of it ran after that

        def topic_texts(customer: User) -> list[str]:
            return [m.content for m in tg.bot_messages(group.id, thread_id=topics[customer.id])]

        def private_texts(who: User) -> list[str]:
            return [m.content for m in tg.bot_messages(who.chat_id)]

        def missing() -> list[str]:
            lost = [
                f"{who.name}: {len(private_texts(who)) - asked[who.id]} of {len(QUESTIONS)} answers"
                for who in askers
                if len(private_texts(who)) - asked[who.id] < len(QUESTIONS)
            ]
            for customer in ticketed:
                for n in range(3):
                    relay, reply = f"detail {customer.name} {n}", f"reply {customer.name} {n}"
                    if not any(relay in text for text in topic_texts(customer)):
                        lost.append(f"relay of {relay!r}")
                    if not any(reply in text for text in private_texts(customer)):
                        lost.append(f"operator's {reply!r}")
            return lost

        async def wait_complete(seconds: float) -> None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    while missing():  # noqa: ASYNC110 - replies come from three replicas
                        await asyncio.sleep(0.2)

        await wait_complete(WAIT)
        # what the dead replica committed but never sent: the leader carries it on, a minute on
        d.clock.advance(minutes=2)
        await asyncio.gather(*(app.core.housekeeping() for app in d.apps))
        await wait_complete(WAIT)
        assert missing() == []
        await d.settle()
        # --- nothing left pending, no ticket stuck, duplicates only from the moment of the kill
        async with d.apps[0].database.unit_of_work() as uow:
            assert list(await uow.outbox.pending(limit=100)) == []
            open_tickets = list(await uow.tickets.open_tickets())
        assert len(open_tickets) == len(ticketed)
        for found in open_tickets:
            assert found.topic_id is not None, found
            assert found.card_message_id is not None, found
        duplicates = sum(len(private_texts(who)) - asked[who.id] - len(QUESTIONS) for who in askers)
        for customer in ticketed:
            texts = topic_texts(customer) + private_texts(customer)
            duplicates += sum(
                sum(f"{kind} {customer.name} {n}" in text for text in texts) - 1
                for kind in ("detail", "reply")
                for n in range(3)
            )
        # a chat has one action in flight at most, so a kill repeats one per chat at most
        assert duplicates <= len(askers) + len(ticketed), duplicates
