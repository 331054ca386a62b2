"""Three replicas of the bot behind nginx, sharing PostgreSQL and Redis, against the emulator in
webhook mode: the emulator posts every update to nginx, which spreads them round robin.

The replicas run in this test's process (three aiogram bots, three cores, three webhook
servers on their own ports, their own database pools and Redis connections); what they share is
only what real replicas share: PostgreSQL, Redis and the load balancer in front.
"""

from __future__ import annotations

import asyncio
import contextlib
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
    tmp_path: Path, base: Settings, database_url: str
) -> AsyncIterator[Deployment]:
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
                "redis": settings.redis.model_copy(update={"url": REDIS_URL, "key_prefix": prefix}),
                "admins": settings.admins.model_copy(update={"ids": [admin.id]}),
            }
        )
        brains = [
            ContentHolder(
                content / "intents", content / "kb", Thresholds.from_settings(base.matching)
            )
            for _ in range(REPLICAS)
        ]
        await asyncio.gather(*(asyncio.to_thread(brain.load) for brain in brains))
        ports = [free_port() for _ in range(REPLICAS)]
        balancer = await stack.enter_async_context(load_balancer(ports, tmp_path / "nginx"))
        apps: list[App] = []
        for brain, port in zip(brains, ports, strict=True):
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
        await tg.wait_for_calls("setWebhook", REPLICAS, timeout=WAIT)
        found = Deployment(tg, group, apps, brains, clock, content)
        found.admin = admin  # type: ignore[attr-defined]
        found.operators = operators  # type: ignore[attr-defined]
        yield found


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
