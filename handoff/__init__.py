"""The hand-off domain: tickets, queue, working hours, transcript, survey and metrics.

Plain Python over the ports in :mod:`handoff.ports`; no Telegram, no SQL. The records live in
:mod:`handoff.model`, the contract storage implements in :mod:`handoff.ports`.
"""

from __future__ import annotations

from handoff.clock import Clock, ManualClock, SystemClock
from handoff.errors import (
    EscalationError,
    HandoffError,
    HoursError,
    QueueError,
    SurveyError,
    TicketClosed,
    TicketError,
    TicketNotFound,
)
from handoff.hours import WorkingHours
from handoff.metrics import Metrics, compute_metrics, format_metrics
from handoff.queue import QueueStatus, estimate_wait, order_queue, queue_position, queue_status
from handoff.survey import SurveyState, SurveyStep
from handoff.tickets import (
    Opened,
    OpenKind,
    cancel,
    close,
    escalate,
    mark_reminded,
    open_ticket,
    overdue,
    record_operator_reply,
    take,
)
from handoff.transcript import Labels, render_card, render_transcript

__all__ = [
    "Clock",
    "EscalationError",
    "HandoffError",
    "HoursError",
    "Labels",
    "ManualClock",
    "Metrics",
    "OpenKind",
    "Opened",
    "QueueError",
    "QueueStatus",
    "SurveyError",
    "SurveyState",
    "SurveyStep",
    "SystemClock",
    "TicketClosed",
    "TicketError",
    "TicketNotFound",
    "WorkingHours",
    "cancel",
    "close",
    "compute_metrics",
    "escalate",
    "estimate_wait",
    "format_metrics",
    "mark_reminded",
    "open_ticket",
    "order_queue",
    "overdue",
    "queue_position",
    "queue_status",
    "record_operator_reply",
    "render_card",
    "render_transcript",
    "take",
]
