"""The conversation core: plain events in, plain actions out, no Telegram library.

:class:`SupportCore` routes each event to the customer dialog or the operator desk; the runtimes
(``bot.runtime.aiogram``, ``bot.runtime.ptb``), the terminal chat and the tests all drive it.
"""

from bot.core.actions import Action, Outbox, Result
from bot.core.customer.understanding import spoken_language
from bot.core.deps import CoreConfig, Deps
from bot.core.desk import OperatorDesk
from bot.core.desk.commands import StatsPicture, StatsSource
from bot.core.events import Event, Media, MessageReceived, Person
from bot.core.menus import MenuScope, ScopeKind, command_menus
from bot.core.ports import Brain, Desk, NullDesk, ReloadOutcome
from bot.core.reader import prepare_reader
from bot.core.service import SupportCore
from bot.core.shared import (
    AlbumBuffer,
    ContentSignal,
    FloodCounter,
    Flush,
    KeyedOrder,
    Leadership,
    SharedState,
)
from bot.core.split import TEXT_LIMIT, split_html
from bot.core.survey_flow import SurveyFlow
from bot.core.texts import Texts, TextsError
from bot.core.views import TicketView

__all__ = [
    "TEXT_LIMIT",
    "Action",
    "AlbumBuffer",
    "Brain",
    "ContentSignal",
    "CoreConfig",
    "Deps",
    "Desk",
    "Event",
    "FloodCounter",
    "Flush",
    "KeyedOrder",
    "Leadership",
    "Media",
    "MenuScope",
    "MessageReceived",
    "NullDesk",
    "OperatorDesk",
    "Outbox",
    "Person",
    "ReloadOutcome",
    "Result",
    "ScopeKind",
    "SharedState",
    "StatsPicture",
    "StatsSource",
    "SupportCore",
    "SurveyFlow",
    "Texts",
    "TextsError",
    "TicketView",
    "command_menus",
    "prepare_reader",
    "split_html",
    "spoken_language",
]
