"""The conversation core: plain events in, plain actions out, no Telegram library.

:class:`SupportCore` routes each event to the customer dialog or the operator desk; the runtimes
(``bot.runtime.aiogram``, ``bot.runtime.ptb``), the terminal chat and the tests all drive it.
"""

from bot.core.actions import Action, Outbox, Result
from bot.core.deps import CoreConfig, Deps
from bot.core.events import Event
from bot.core.service import SupportCore

__all__ = ["Action", "CoreConfig", "Deps", "Event", "Outbox", "Result", "SupportCore"]
