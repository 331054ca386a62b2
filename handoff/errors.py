"""Errors of the hand-off domain: one root, each message says what to do next.

Hierarchy::

    HandoffError
    ├── HoursError          working hours cannot answer (no working day, naive datetime)
    ├── QueueError          a queue question that makes no sense (position below 1)
    ├── TicketError
    │   ├── TicketNotFound  no such ticket (also a LookupError)
    │   ├── TicketClosed    the ticket is resolved or cancelled; the action needs an open one
    │   └── EscalationError the requested support line is not allowed
    └── SurveyError         an answer that does not fit the survey's current step
"""

from __future__ import annotations

__all__ = [
    "EscalationError",
    "HandoffError",
    "HoursError",
    "QueueError",
    "SurveyError",
    "TicketClosed",
    "TicketError",
    "TicketNotFound",
]


class HandoffError(Exception):
    """Root of the errors raised by :mod:`handoff`."""


class HoursError(HandoffError, ValueError):
    """The working hours cannot be used as configured or were asked an impossible question."""


class QueueError(HandoffError, ValueError):
    """A queue position or estimate was asked with impossible arguments."""


class TicketError(HandoffError):
    """A ticket action cannot be carried out."""


class TicketNotFound(TicketError, LookupError):
    """The ticket does not exist (or does not belong to the customer who asked)."""

    def __init__(self, ticket_id: int, detail: str = "") -> None:
        self.ticket_id = ticket_id
        super().__init__(
            detail or f"ticket #{ticket_id} does not exist: check the number on the ticket card"
        )


class TicketClosed(TicketError):
    """The ticket is resolved or cancelled; the action needs an open ticket."""

    def __init__(self, ticket_id: int, status: str, action: str) -> None:
        self.ticket_id = ticket_id
        self.status = status
        super().__init__(
            f"cannot {action} ticket #{ticket_id}: it is already {status}; "
            "the customer's next message opens a new ticket"
        )


class EscalationError(TicketError, ValueError):
    """The requested support line is outside 1..3 or not above the current line."""


class SurveyError(HandoffError, ValueError):
    """A survey answer does not fit the survey's current step or allowed values."""
