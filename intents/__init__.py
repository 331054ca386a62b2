"""Intents and the matching engine.

Load and validate the content with :func:`load_content`, build an :class:`Engine` (or keep a
:class:`ContentHolder` that reloads atomically) and call ``decide(text)`` for a :class:`Decision`.
See ``docs/matching.md``.
"""

from intents.answers import Answer, AnswerButton, ArticleLink
from intents.errors import ContentError, IntentsError, ReloadInProgress
from intents.holder import ContentHolder, ReloadReport
from intents.loader import load_content
from intents.matching.encoder import SentenceEncoder, make_encoder
from intents.matching.engine import Engine
from intents.matching.lang import detect_language
from intents.matching.results import Action, Candidate, Decision, Thresholds
from intents.model import SYSTEM_INTENTS, Button, Content, Intent, Lang, Priority
from kb.errors import Problem

__all__ = [
    "SYSTEM_INTENTS",
    "Action",
    "Answer",
    "AnswerButton",
    "ArticleLink",
    "Button",
    "Candidate",
    "Content",
    "ContentError",
    "ContentHolder",
    "Decision",
    "Engine",
    "Intent",
    "IntentsError",
    "Lang",
    "Priority",
    "Problem",
    "ReloadInProgress",
    "ReloadReport",
    "SentenceEncoder",
    "Thresholds",
    "detect_language",
    "load_content",
    "make_encoder",
]
