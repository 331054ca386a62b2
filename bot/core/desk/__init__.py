"""The operators' side of the core: ticket topics and cards, the two-way relay, the operator
commands, SLA reminders. Plain Python over the ``Outbox`` and the unit of work."""

from bot.core.desk.callbacks import SendArticle
from bot.core.desk.desk import OperatorDesk

__all__ = ["OperatorDesk", "SendArticle"]
