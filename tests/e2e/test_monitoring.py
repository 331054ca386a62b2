"""The Prometheus endpoint on real aiogram against the emulator: off by default; opened by
``[reports] prometheus_listen``, it counts updates, decisions, hand-offs by cause, the queue,
and the 429 waits of the send queue."""

from __future__ import annotations

import asyncio
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from bot.monitoring import MonitoredCore
from tests.e2e.conftest import StackFactory
from tests.e2e.helpers import WAIT, ask, free_port


def scrape(port: int) -> dict[str, float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode("utf-8")
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            values[f"{sample.name}{{{labels}}}"] = sample.value
    return values


async def test_off_by_default(make_stack: StackFactory) -> None:
    async with make_stack() as stack:
        assert stack.app.live is None
        assert type(stack.app.core) is not MonitoredCore


async def test_the_endpoint_counts_what_the_bot_does(make_stack: StackFactory) -> None:
    port = free_port()
    async with make_stack(reports={"prometheus_listen": f"127.0.0.1:{port}"}) as stack:
        alice = stack.tg.add_user("Alice", language_code="en")
        await ask(stack, alice, "hello")
        # Telegram answers the next send with 429 (retry after 1 s): the queue waits, then sends
        stack.tg.faults.add(method="sendMessage", chat_id=alice.chat_id, error=429, retry_after=1)
        await ask(stack, alice, "/operator", wait=WAIT)
        await stack.tg.wait_for_calls("createForumTopic", 1, timeout=WAIT)
        await stack.app.core.wait_idle()
        await stack.app.core.housekeeping()  # refreshes the queue gauges
        values = await asyncio.to_thread(scrape, port)
    assert values["supportbot_updates_total{kind=message}"] == 2
    assert values["supportbot_update_seconds_count{}"] == 2
    assert sum(v for k, v in values.items() if k.startswith("supportbot_decisions_total")) >= 1
    assert values["supportbot_handoffs_total{cause=asked}"] == 1
    assert values["supportbot_queue_length{}"] == 1
    assert values["supportbot_oldest_waiting_seconds{}"] >= 0
    assert values["supportbot_send_retry_waits_total{}"] == 1
    assert values["supportbot_send_retry_wait_seconds_sum{}"] == 1
