"""One contract for the shared state, run in memory and on the real Redis with two replicas.

For Redis, ``a`` and ``b`` are two replicas (own connections, own names) sharing one prefix;
in memory they are one process's objects. Whatever one replica does, the other must see."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.core import KeyedOrder, MessageReceived, Person
from bot.core import Media as MediaPart
from tests.replicas.conftest import Replicas

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


async def _drawn_in_order(
    replicas: Replicas, key: tuple[int, None], count: int, inside: Callable[[int], float]
) -> tuple[list[int], int]:
    """``count`` holders of ``key`` arriving one after the other over the given replicas;
    returns the order they ran in and the most that ran at once."""
    ran: list[int] = []
    inside_now = 0
    most = 0

    async def one(index: int, order: KeyedOrder) -> None:
        nonlocal inside_now, most
        async with order.hold(key):  # type: ignore[arg-type]
            inside_now += 1
            most = max(most, inside_now)
            ran.append(index)
            await asyncio.sleep(inside(index))
            inside_now -= 1

    orders = [replicas.a.chat_order, replicas.b.chat_order]
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(one(index, orders[index % 2])))
        await replicas.drawn(f"{key[0]}:{key[1]}", index + 1)  # it arrived before the next
    await asyncio.gather(*tasks)
    return ran, most


async def test_holders_of_a_key_run_one_at_a_time_in_arrival_order(replicas: Replicas) -> None:
    rng = random.Random(7)
    delays = [rng.uniform(0, 0.02) for _ in range(30)]
    ran, most = await _drawn_in_order(replicas, (42, None), 30, lambda i: delays[i])
    assert ran == list(range(30))
    assert most == 1


async def test_different_keys_do_not_wait_for_each_other(replicas: Replicas) -> None:
    entered = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        async with replicas.a.chat_order.hold((1, None)):
            entered.set()
            await release.wait()

    task = asyncio.create_task(slow())
    await entered.wait()
    async with asyncio.timeout(5):
        async with replicas.b.chat_order.hold((2, None)):
            pass  # another chat goes ahead while chat 1 is busy
    release.set()
    await task


async def test_a_waiter_that_gives_up_does_not_block_the_ones_behind_it(
    replicas: Replicas,
) -> None:
    order_a, order_b = replicas.a.ticket_order, replicas.b.ticket_order
    release = asyncio.Event()
    entered = asyncio.Event()

    async def first() -> None:
        async with order_a.hold(7):
            entered.set()
            await release.wait()

    async def quitter() -> None:
        async with order_b.hold(7):
            raise AssertionError("cancelled before its turn")

    holder = asyncio.create_task(first())
    await entered.wait()
    gives_up = asyncio.create_task(quitter())
    await asyncio.sleep(0.05)
    third = asyncio.create_task(_hold_once(order_a, 7))
    await asyncio.sleep(0.05)
    gives_up.cancel()
    release.set()
    async with asyncio.timeout(5):
        await third
    await holder
    with pytest.raises(asyncio.CancelledError):
        await gives_up


async def _hold_once(order: KeyedOrder, key: object) -> None:
    async with order.hold(key):  # type: ignore[arg-type]
        pass


async def test_the_flood_counter_is_one_count_over_the_replicas(replicas: Replicas) -> None:
    a, b = replicas.a.flood(3), replicas.b.flood(3)
    seen = [
        await counter.admit(5, T0 + timedelta(seconds=i)) for i, counter in enumerate([a, b] * 2)
    ]
    assert seen == [True, True, True, False]
    assert await a.warn_once(5) is True
    assert await b.warn_once(5) is False  # one notice per flood, whichever replica
    assert await a.admit(6, T0) is True  # another chat has its own count
    later = T0 + timedelta(minutes=1, seconds=10)  # the window slid past the flood
    assert [await c.admit(5, later) for c in (b, b, a, a)] == [True, True, True, False]
    assert await a.warn_once(5) is True  # a new flood: a new notice


def _part(message_id: int, group: str = "g1", chat_id: int = 100) -> MessageReceived:
    return MessageReceived(
        update_id=message_id,
        chat_id=chat_id,
        private=True,
        sender=Person(telegram_id=chat_id, name="Анна", username=None),
        message_id=message_id,
        date=T0,
        media=MediaPart("photo", file_id=f"f{message_id}", caption="подпись"),
        media_group_id=group,
    )


async def test_an_album_split_over_replicas_is_relayed_once_and_whole(
    replicas: Replicas,
) -> None:
    relayed: list[tuple[int, list[MessageReceived]]] = []

    async def flush(ticket_id: int, parts: list[MessageReceived]) -> None:
        relayed.append((ticket_id, parts))

    a, b = replicas.a.albums(0.2), replicas.b.albums(0.2)
    for message_id, buffer in [(3, a), (1, b), (2, a), (4, b)]:
        await buffer.add(9, _part(message_id), flush)
    await asyncio.sleep(0.5)
    await a.drain()
    await b.drain()
    assert [(ticket, [p.message_id for p in parts]) for ticket, parts in relayed] == [
        (9, [1, 2, 3, 4])
    ]
    assert relayed[0][1][0] == _part(1)  # the parts arrive as they were sent


async def test_a_message_after_an_album_flushes_it_first(replicas: Replicas) -> None:
    relayed: list[list[int]] = []

    async def flush(ticket_id: int, parts: list[MessageReceived]) -> None:
        relayed.append([p.message_id for p in parts])

    a, b = replicas.a.albums(30), replicas.b.albums(30)
    await a.add(9, _part(1), flush)
    await a.add(9, _part(2), flush)
    await a.add(9, _part(5, chat_id=200), flush)  # another chat's album stays
    await b.flush_chat(100, flush)  # an ordinary message came in on the other replica
    assert relayed == [[1, 2]]
    await a.drain()
    assert relayed == [[1, 2], [5]]


async def test_one_replica_leads_the_housekeeping(replicas: Replicas) -> None:
    rounds = [await state.leader.lead() for state in (replicas.a, replicas.b) * 3]
    if replicas.name == "memory":
        assert rounds == [True] * 6  # one process leads itself
    else:
        assert rounds == [True, False] * 3
