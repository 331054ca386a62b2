"""Small helpers for end-to-end tests: a customer's exchange with the bot, the stored state."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import aiohttp

from bot.demo.stack import LocalStack
from handoff.model import Customer, Ticket
from telegram_emulator import ChatMessage, User

WAIT = 10.0
TRAINING_WAIT = 60.0  # a reply that waits for the matcher to be retrained, on a busy machine


async def ask(
    stack: LocalStack, who: User, text: str, *, replies: int = 1, wait: float = WAIT
) -> list[ChatMessage]:
    await who.send(text)
    return await stack.tg.wait_for_bot_messages(who.chat_id, count=replies, timeout=wait)


async def press(
    stack: LocalStack, who: User, button: str, *, replies: int = 1
) -> list[ChatMessage]:
    query = await who.press(button)
    await stack.tg.wait_for_callback_answer(query, timeout=WAIT)
    if not replies:
        return []
    return await stack.tg.wait_for_bot_messages(who.chat_id, count=replies, timeout=WAIT)


async def customer_of(stack: LocalStack, who: User) -> Customer:
    async with stack.app.database.unit_of_work() as uow:
        customer = await uow.customers.get_by_telegram_id(who.id)
    assert customer is not None, f"{who.name} is not stored"
    return customer


async def open_ticket_of(stack: LocalStack, who: User) -> Ticket | None:
    customer = await customer_of(stack, who)
    async with stack.app.database.unit_of_work() as uow:
        return await uow.tickets.open_for_customer(customer.id)


async def ticket(stack: LocalStack, ticket_id: int) -> Ticket:
    async with stack.app.database.unit_of_work() as uow:
        found = await uow.tickets.get(ticket_id)
    assert found is not None
    return found


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Wait (up to ``WAIT`` s) for a state the bot reaches asynchronously, e.g. a stored flag."""
    try:
        async with asyncio.timeout(WAIT):
            while not await check():  # noqa: ASYNC110 - the state is in the database
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"the condition did not hold within {WAIT} s") from None


async def is_blocked(stack: LocalStack, who: User) -> bool:
    return (await customer_of(stack, who)).blocked


async def assert_forged_webhook_refused(port: int, path: str) -> None:
    """A request without the secret header, or with a wrong one, is refused with 401."""
    forged = {
        "update_id": 99,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "text": "/start",
        },
    }
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(
                f"http://127.0.0.1:{port}{path}", json=forged, headers=headers
            ) as response:
                assert response.status == 401


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
