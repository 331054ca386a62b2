"""SQLAlchemy implementations of the repository ports in :mod:`handoff.ports`."""

from storage.repositories.customers import SqlConversationRepository, SqlCustomerRepository
from storage.repositories.dead_letters import SqlDeadLetterRepository
from storage.repositories.feedback import SqlDecisionRepository, SqlSurveyRepository, SqlUpdateLog
from storage.repositories.messages import SqlMessageRepository, SqlRelayRepository
from storage.repositories.outbox import SqlOutboxRepository
from storage.repositories.tickets import SqlTicketRepository

__all__ = [
    "SqlConversationRepository",
    "SqlCustomerRepository",
    "SqlDeadLetterRepository",
    "SqlDecisionRepository",
    "SqlMessageRepository",
    "SqlOutboxRepository",
    "SqlRelayRepository",
    "SqlSurveyRepository",
    "SqlTicketRepository",
    "SqlUpdateLog",
]
