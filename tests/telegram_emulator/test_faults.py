"""Injected faults and enforced limits arrive as each library's own exception types."""

from __future__ import annotations

import time

import pytest
import telegram
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)

from telegram_emulator import TelegramEmulator

AIOGRAM_ERRORS = [
    (429, TelegramRetryAfter),
    (403, TelegramForbiddenError),
    (400, TelegramBadRequest),
    (500, TelegramServerError),
    (502, TelegramServerError),
]
PTB_ERRORS = [
    (429, telegram.error.RetryAfter),
    (403, telegram.error.Forbidden),
    (400, telegram.error.BadRequest),
    (500, telegram.error.NetworkError),
    (502, telegram.error.NetworkError),
]


@pytest.mark.parametrize(("code", "exception"), AIOGRAM_ERRORS)
async def test_aiogram_exception_types(
    tg: TelegramEmulator, aiogram_bot: Bot, code: int, exception: type[Exception]
) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    tg.faults.add(method="sendMessage", chat_id=alice.chat_id, error=code, retry_after=7)
    with pytest.raises(exception) as caught:
        await aiogram_bot.send_message(alice.chat_id, "x")
    if isinstance(caught.value, TelegramRetryAfter):
        assert caught.value.retry_after == 7
    await aiogram_bot.send_message(alice.chat_id, "fine now")  # times=1 by default


@pytest.mark.parametrize(("code", "exception"), PTB_ERRORS)
async def test_ptb_exception_types(
    tg: TelegramEmulator,
    ptb_bot: telegram.Bot,
    code: int,
    exception: type[Exception],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # opt in to PTB's coming timedelta retry_after
    alice = tg.add_user("Alice")
    await alice.send("hi")
    tg.faults.add(method="sendMessage", error=code, retry_after=3)
    with pytest.raises(exception):
        await ptb_bot.send_message(alice.chat_id, "x")
    await ptb_bot.send_message(alice.chat_id, "fine now")


async def test_fault_counting_per_chat_and_call(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice, bob = tg.add_user("Alice"), tg.add_user("Bob")
    await alice.send("hi")
    await bob.send("hi")
    fault = tg.faults.add(
        method="sendMessage",
        chat_id=alice.chat_id,
        error=429,
        retry_after=1,
        times=2,
        after_calls=1,
    )
    await aiogram_bot.send_message(alice.chat_id, "1")  # let through
    await aiogram_bot.send_message(bob.chat_id, "other chat")
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter):
            await aiogram_bot.send_message(alice.chat_id, "2")
    await aiogram_bot.send_message(alice.chat_id, "3")
    assert fault.fired == 2
    assert fault.exhausted
    failed = [c for c in tg.calls_to("sendMessage") if not c.ok]
    assert [(c.error_code, c.description) for c in failed] == [
        (429, "Too Many Requests: retry after 1")
    ] * 2


async def test_slow_reply(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    tg.faults.add(method="getMe", delay=0.3)
    started = time.monotonic()
    await aiogram_bot.get_me()
    assert time.monotonic() - started >= 0.3


async def test_rate_limits_when_enforced(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    tg.limits.enforce = True
    tg.limits.group_per_minute = 3
    alice = tg.add_user("Alice")
    await alice.send("hi")
    group = tg.add_supergroup("Support")
    for index in range(3):
        await aiogram_bot.send_message(group.id, f"card {index}")
    with pytest.raises(TelegramRetryAfter) as caught:
        await aiogram_bot.send_message(group.id, "one too many")
    assert caught.value.retry_after == 20
    for index in range(tg.limits.private_burst):
        await aiogram_bot.send_message(alice.chat_id, f"answer {index}")
    with pytest.raises(TelegramRetryAfter):
        await aiogram_bot.send_message(alice.chat_id, "too fast")
    tg.limits.enforce = False
    await aiogram_bot.send_message(alice.chat_id, "x" * 5000)  # sizes off too
