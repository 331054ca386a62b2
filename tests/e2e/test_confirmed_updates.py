"""Updates confirmed only once handled, on both runtimes (the real aiogram and python-telegram-bot
clients polling the emulator, or served by webhook): a failing handling is retried, then parked
as a dead letter the CLI lists and the customer told; an update the library cannot read is
parked at once; a kill mid-handling leaves the update unconfirmed, so it comes again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import bot.cli
from bot.app import App, build_app
from bot.config import Settings
from bot.core.events import MessageReceived
from bot.demo.stack import TOKEN, local_settings
from bot.runtime import RetryPolicy
from bot.runtime.aiogram import AiogramOutbox, make_bot
from bot.runtime.aiogram import run_polling as run_aiogram_polling
from bot.runtime.aiogram import run_webhook as run_aiogram_webhook
from bot.runtime.ptb import PtbOutbox, make_application
from bot.runtime.ptb import run_polling as run_ptb_polling
from bot.runtime.ptb import run_webhook as run_ptb_webhook
from handoff import DeadLetter
from intents import ContentHolder
from storage import StorageUnavailableError
from telegram_emulator import ChatMessage, TelegramEmulator, User
from tests.e2e.helpers import WAIT, eventually, free_port

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*attribute `retry_after` will be of type:telegram.warnings.PTBDeprecationWarning"
)

FAST = RetryPolicy(tries=3, first_pause_s=0.05, max_pause_s=0.2)
QUESTION = "where is my order"
SORRY = "Sorry, something went wrong on my side"
RUNTIMES = ["aiogram", "ptb"]


@dataclass
class Faults:
    """What the customer dialog does with chosen texts: fail so many times (-1: always), or
    wait at a gate. Everything else goes to the real dialog."""

    failing: dict[str, int] = field(default_factory=dict)
    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    tries: dict[str, int] = field(default_factory=dict)

    def install(self, app: App) -> None:
        dialog = app.core.customers
        real: Callable[[MessageReceived], Awaitable[None]] = dialog.message

        async def message(event: MessageReceived) -> None:
            text = event.text or ""
            self.tries[text] = self.tries.get(text, 0) + 1
            if text in self.gates:
                await self.gates[text].wait()
            left = self.failing.get(text, 0)
            if left:
                self.failing[text] = left - 1 if left > 0 else -1
                raise StorageUnavailableError("the database blinked (a test fault)")
            await real(event)

        dialog.message = message  # type: ignore[method-assign]


@dataclass
class Running:
    tg: TelegramEmulator
    app: App
    settings: Settings
    faults: Faults
    task: asyncio.Task[None]


@contextlib.asynccontextmanager
async def running(
    runtime: str,
    tg: TelegramEmulator,
    settings: Settings,
    brain: ContentHolder,
    faults: Faults,
    *,
    webhook: bool = False,
) -> AsyncIterator[Running]:
    """The bot on ``runtime`` until the block ends; then a clean stop, unless the test killed
    the task (cancelled it) already."""
    stop = asyncio.Event()
    port = free_port()
    url, listen = f"http://127.0.0.1:{port}", f"127.0.0.1:{port}"
    async with contextlib.AsyncExitStack() as stack:
        if runtime == "aiogram":
            client = make_bot(TOKEN, tg.url)
            stack.push_async_callback(client.session.close)
            app = await stack.enter_async_context(
                build_app(settings, AiogramOutbox(client), brain=brain)
            )
            work = (
                run_aiogram_webhook(
                    client, app.core, url=url, listen=listen, secret=None, retry=FAST
                )
                if webhook
                else run_aiogram_polling(client, app.core, polling_timeout=1, stop=stop, retry=FAST)
            )
        else:
            application = make_application(TOKEN, tg.url)
            app = await stack.enter_async_context(
                build_app(settings, PtbOutbox(application.bot), brain=brain)
            )
            work = (
                run_ptb_webhook(
                    application,
                    app.core,
                    url=url,
                    listen=listen,
                    secret=None,
                    stop=stop,
                    retry=FAST,
                )
                if webhook
                else run_ptb_polling(
                    application, app.core, polling_timeout=1, stop=stop, retry=FAST
                )
            )
        faults.install(app)
        task = asyncio.create_task(work)
        if webhook:
            await tg.wait_for_calls("setWebhook", 1, timeout=WAIT)
        else:
            await tg.wait_for_poll()
        try:
            yield Running(tg, app, settings, faults, task)
        finally:
            stop.set()
            if webhook and runtime == "aiogram":
                task.cancel()  # aiogram's webhook runs until cancelled
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=40)


@pytest.fixture
async def tg() -> AsyncIterator[TelegramEmulator]:
    async with TelegramEmulator(token=TOKEN) as emulator:
        yield emulator
        assert emulator.internal_errors == []


@pytest.fixture
def settings(tg: TelegramEmulator, base_settings: Settings, tmp_path: Path) -> Settings:
    group = tg.add_supergroup("Support desk", forum=True)
    return local_settings(
        base_settings,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'confirmed.sqlite3'}",
        api_url=tg.url,
        group_id=group.id,
    )


async def dead_letters(app: App) -> list[DeadLetter]:
    async with app.database.unit_of_work() as uow:
        return list(await uow.dead_letters.oldest())


async def cli(settings: Settings, tmp_path: Path, *args: str) -> int:
    config = tmp_path / "cli.toml"
    config.write_text(f'[database]\nurl = "{settings.database.url}"\n', encoding="utf-8")
    argv = ["--config", str(config), "dead-letters", *args]
    return await asyncio.to_thread(bot.cli.main, argv)


async def ask(tg: TelegramEmulator, who: User, text: str) -> list[ChatMessage]:
    await who.send(text)
    return await tg.wait_for_bot_messages(who.chat_id, timeout=WAIT)


def customer(tg: TelegramEmulator, name: str) -> User:
    return tg.add_user(name, language_code="en")


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_a_handling_failing_twice_is_retried_and_not_lost(
    runtime: str, tg: TelegramEmulator, settings: Settings, brain: ContentHolder
) -> None:
    faults = Faults(failing={QUESTION: 2})
    async with running(runtime, tg, settings, brain, faults) as bot_:
        alice = customer(tg, "Alice")
        await alice.send(QUESTION)
        [answer] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
        assert "👍 Helped" in answer.button_texts
        assert faults.tries[QUESTION] == 3
        await tg.wait_until_delivered(timeout=WAIT)
        assert await dead_letters(bot_.app) == []


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_a_handling_failing_for_ever_is_parked_listed_told_and_retried_on_request(
    runtime: str,
    tg: TelegramEmulator,
    settings: Settings,
    brain: ContentHolder,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    faults = Faults(failing={QUESTION: -1})
    async with running(runtime, tg, settings, brain, faults) as bot_:
        alice, bob = customer(tg, "Alice"), customer(tg, "Bob")
        [sorry] = await ask(tg, alice, QUESTION)
        assert sorry.content.startswith(SORRY)
        [answer] = await ask(tg, bob, "how do i return an item")
        assert "👍 Helped" in answer.button_texts  # the next customer is still answered
        [letter] = await dead_letters(bot_.app)
        assert (letter.kind, letter.chat_id, letter.attempts) == ("message", alice.chat_id, 3)
        assert "StorageUnavailableError: the database blinked" in letter.error
        await tg.wait_until_delivered(timeout=WAIT)  # parked, so confirmed: nothing stalls

        assert await cli(settings, tmp_path) == 0
        listed = capsys.readouterr().out.splitlines()
        assert listed[1].split()[:6] == [
            str(letter.id),
            *letter.parked_at.strftime("%Y-%m-%d %H:%M:%S").split(),
            "message",
            str(alice.chat_id),
            "3",
        ]
        assert listed[1].endswith(QUESTION)

        faults.failing.clear()  # the database is back: an administrator retries it
        assert await cli(settings, tmp_path, "--retry", str(letter.id)) == 0
        [late] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
        assert "👍 Helped" in late.button_texts
        await eventually(lambda: _no_letters(bot_.app))


async def _no_letters(app: App) -> bool:
    return await dead_letters(app) == []


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_an_update_the_library_cannot_read_is_parked_and_polling_goes_on(
    runtime: str, tg: TelegramEmulator, settings: Settings, brain: ContentHolder
) -> None:
    async with running(runtime, tg, settings, brain, Faults()) as bot_:
        alice, bob = customer(tg, "Alice"), customer(tg, "Bob")
        await ask(tg, alice, "/start")
        chat = {"id": alice.chat_id, "type": "private", "first_name": "Alice"}
        tg.inject_update(
            {"message": {"message_id": "x", "date": "not a date", "chat": chat, "text": "hi"}}
        )
        [sorry] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
        assert sorry.content.startswith(SORRY)
        [answer] = await ask(tg, bob, QUESTION)
        assert "👍 Helped" in answer.button_texts
        await tg.wait_until_delivered(timeout=WAIT)
        [letter] = await dead_letters(bot_.app)
        assert (letter.kind, letter.chat_id, letter.attempts) == ("message", alice.chat_id, 0)
        assert '"date": "not a date"' in letter.raw


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_a_kill_mid_handling_leaves_the_update_to_come_again(
    runtime: str, tg: TelegramEmulator, settings: Settings, brain: ContentHolder
) -> None:
    faults = Faults(gates={QUESTION: asyncio.Event()})
    async with running(runtime, tg, settings, brain, faults) as bot_:
        alice, bob = customer(tg, "Alice"), customer(tg, "Bob")
        await alice.send(QUESTION)
        await eventually(lambda: _entered(faults))
        [answer] = await ask(tg, bob, "how do i return an item")
        assert "👍 Helped" in answer.button_texts  # handled after Alice's, still in hand
        pending = [u["message"]["text"] for u in tg.engine.updates.pending]
        assert pending[0] == QUESTION  # not confirmed
        bot_.task.cancel()  # killed mid-handling
        with contextlib.suppress(asyncio.CancelledError):
            await bot_.task
    assert tg.bot_messages(alice.chat_id) == []

    async with running(runtime, tg, settings, brain, Faults()):  # restarted
        [late] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
        assert "👍 Helped" in late.button_texts
        await tg.wait_until_delivered(timeout=WAIT)
        assert tg.bot_messages(bob.chat_id)[-1].message_id == answer.message_id  # not twice


async def _entered(faults: Faults) -> bool:
    return faults.tries.get(QUESTION, 0) > 0


@pytest.mark.parametrize("runtime", RUNTIMES)
async def test_a_webhook_answers_200_only_once_handled_and_parks_at_last(
    runtime: str, tg: TelegramEmulator, settings: Settings, brain: ContentHolder
) -> None:
    faults = Faults(failing={QUESTION: 2, "doomed": -1})
    async with running(runtime, tg, settings, brain, faults, webhook=True) as bot_:
        alice, bob = customer(tg, "Alice"), customer(tg, "Bob")
        await alice.send(QUESTION)
        [answer] = await tg.wait_for_bot_messages(alice.chat_id, timeout=WAIT)
        assert "👍 Helped" in answer.button_texts
        assert faults.tries[QUESTION] == 3  # two 500s, Telegram sent it again each time
        assert "Wrong response from the webhook: 500" in (
            tg.engine.webhook.last_error_message if tg.engine.webhook else ""
        )
        [sorry] = await ask(tg, bob, "doomed")
        assert sorry.content.startswith(SORRY)
        [letter] = await dead_letters(bot_.app)
        assert (letter.chat_id, letter.attempts) == (bob.chat_id, 3)
        [answer] = await ask(tg, bob, QUESTION)
        assert "👍 Helped" in answer.button_texts
        await tg.wait_until_delivered(timeout=WAIT)
