"""The customer's side of the conversation: events in, replies out, every message stored."""

from bot.core.customer.dialog import CustomerDialog

__all__ = ["CustomerDialog"]
