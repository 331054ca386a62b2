"""Live figures for Prometheus, with the official client library; off unless
``[reports] prometheus_listen`` names an address.

What is measured, and where:

- ``supportbot_updates_total{kind}`` and ``supportbot_update_seconds`` (histogram): every update
  the core handles, and the time from its arrival to the end of its handling — the replies are
  sent inside the handling, so this is the update-to-reply latency the customer feels;
- ``supportbot_decisions_total{action}``: the matcher's decisions (answer, clarify, handoff);
- ``supportbot_handoffs_total{cause}``: tickets opened, by the cause stored on them;
- ``supportbot_queue_length`` and ``supportbot_oldest_waiting_seconds`` (gauges): refreshed with
  the core's housekeeping, every minute;
- ``supportbot_send_retry_waits_total`` and ``supportbot_send_retry_wait_seconds``: 429 answers
  from Telegram and the waits they imposed on the send queue.

Each :class:`LiveMetrics` has its own registry, so tests (and two bots in one process) never
share counters.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.core import Brain, Deps, Desk, SupportCore, SurveyFlow, TicketView
from bot.core.events import (
    ButtonPressed,
    Event,
    MembershipChanged,
    MessageEdited,
    MessageReceived,
)
from bot.reports import WeeklyDigest
from handoff import OpenKind, UnitOfWorkFactory

if TYPE_CHECKING:
    from intents import Decision

__all__ = [
    "LiveMetrics",
    "MetricsServer",
    "MonitoredBrain",
    "MonitoredCore",
    "MonitoredDesk",
    "parse_listen",
]

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
WAIT_BUCKETS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class LiveMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter(
            "supportbot_updates", "Updates handled by the core", ["kind"], registry=r
        )
        self.update_seconds = Histogram(
            "supportbot_update_seconds",
            "From an update's arrival to the end of its handling (replies included)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.decisions = Counter(
            "supportbot_decisions", "The matcher's decisions", ["action"], registry=r
        )
        self.handoffs = Counter(
            "supportbot_handoffs", "Tickets opened, by cause of hand-off", ["cause"], registry=r
        )
        self.queue_length = Gauge(
            "supportbot_queue_length", "Tickets waiting for an operator", registry=r
        )
        self.oldest_waiting = Gauge(
            "supportbot_oldest_waiting_seconds",
            "Age of the oldest ticket waiting for an operator (0 when none)",
            registry=r,
        )
        self.retry_waits = Counter(
            "supportbot_send_retry_waits", "429 answers from Telegram on sending", registry=r
        )
        self.retry_wait_seconds = Histogram(
            "supportbot_send_retry_wait_seconds",
            "Waits Telegram imposed with 429 (retry_after)",
            buckets=WAIT_BUCKETS,
            registry=r,
        )

    def record_retry_wait(self, seconds: float) -> None:
        self.retry_waits.inc()
        self.retry_wait_seconds.observe(seconds)

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)


def _kind(event: Event) -> str:
    match event:
        case ButtonPressed():
            return "button"
        case MessageEdited():
            return "edit"
        case MembershipChanged():
            return "membership"
    return "message"


class MonitoredCore(SupportCore):
    """The core, counting and timing every update and refreshing the queue gauges (with
    ``live``), and sending the weekly digest when it is due (with ``digest``)."""

    def __init__(
        self,
        deps: Deps,
        desk: Desk,
        survey: SurveyFlow,
        *,
        live: LiveMetrics | None = None,
        digest: WeeklyDigest | None = None,
    ) -> None:
        super().__init__(deps, desk, survey)
        self.live = live
        self.digest = digest

    async def handle(self, event: Event) -> None:
        if self.live is None:
            await super().handle(event)
            return
        started = time.perf_counter()
        try:
            await super().handle(event)
        finally:
            self.live.updates.labels(_kind(event)).inc()
            self.live.update_seconds.observe(time.perf_counter() - started)

    async def housekeeping(self) -> None:
        await super().housekeeping()
        if self.live is not None:
            await self.refresh_queue(self.live)
        if self.digest is not None:
            await self.digest.tick()

    async def refresh_queue(self, live: LiveMetrics) -> None:
        async with self.deps.uow() as uow:
            waiting = await uow.tickets.waiting()
        now = self.deps.clock.now()
        live.queue_length.set(len(waiting))
        oldest = min((t.created_at for t in waiting), default=None)
        live.oldest_waiting.set(0 if oldest is None else (now - oldest).total_seconds())


@dataclass
class MonitoredBrain:
    """The matcher, counting its decisions by action."""

    inner: Brain
    live: LiveMetrics

    @property
    def content(self) -> Any:
        return self.inner.content

    @property
    def engine(self) -> Any:
        return self.inner.engine

    def decide(self, text: str, lang: Any = None) -> Decision:
        decision = self.inner.decide(text, lang)
        self.live.decisions.labels(decision.action).inc()
        return decision

    async def reload(self) -> Any:
        return await self.inner.reload()

    def __getattr__(self, name: str) -> Any:  # anything else the holder offers
        return getattr(self.inner, name)


class MonitoredDesk:
    """The operators' desk, counting new tickets by the cause stored on them."""

    def __init__(self, inner: Desk, live: LiveMetrics, uow: UnitOfWorkFactory) -> None:
        self.inner = inner
        self._live = live
        self._uow = uow

    async def ticket_opened(self, ticket_id: int, kind: OpenKind) -> None:
        if kind is OpenKind.NEW:
            async with self._uow() as uow:
                ticket = await uow.tickets.get(ticket_id)
            cause = (ticket.handoff_cause if ticket else None) or "unknown"
            self._live.handoffs.labels(cause).inc()
        await self.inner.ticket_opened(ticket_id, kind)

    async def ticket_cancelled(self, ticket_id: int) -> None:
        await self.inner.ticket_cancelled(ticket_id)

    async def customer_message(
        self, ticket_id: int, event: MessageReceived, view: TicketView | None = None
    ) -> None:
        await self.inner.customer_message(ticket_id, event, view)

    async def customer_edited(self, ticket_id: int, event: MessageEdited) -> None:
        await self.inner.customer_edited(ticket_id, event)

    async def customer_reachability(self, ticket_id: int, blocked: bool) -> None:
        await self.inner.customer_reachability(ticket_id, blocked)

    async def group_message(self, event: MessageReceived) -> None:
        await self.inner.group_message(event)

    async def group_edit(self, event: MessageEdited) -> None:
        await self.inner.group_edit(event)

    async def group_button(self, event: ButtonPressed) -> None:
        await self.inner.group_button(event)

    async def remind_overdue(self) -> int:
        return await self.inner.remind_overdue()

    async def resume(self, kind: str, payload: str) -> None:
        await self.inner.resume(kind, payload)

    async def drain(self) -> None:
        await self.inner.drain()


def parse_listen(value: str) -> tuple[str, int]:
    """``host:port`` (``:port`` for every interface) → (host, port); ValueError when malformed."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port such as 127.0.0.1:9108, got {value!r}")
    return host or "0.0.0.0", int(port)


class MetricsServer:
    """The client library's own HTTP server (a thread) serving ``/metrics``."""

    def __init__(self, live: LiveMetrics, listen: str) -> None:
        from prometheus_client import start_http_server

        host, port = parse_listen(listen)
        self._server, self._thread = start_http_server(port, addr=host, registry=live.registry)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
