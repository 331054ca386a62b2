"""Intents and the matching engine.

Load and validate the content with :func:`load_content`, build an :class:`Engine` (or keep a
:class:`ContentHolder` that reloads atomically) and call ``decide(text)`` for a :class:`Decision`.
See ``docs/matching.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from intents.answers import Answer, AnswerButton, ArticleLink
from intents.editing import AddedExample, EditError, add_example
from intents.errors import ContentError, IntentsError, ReloadInProgress
from intents.loader import load_content
from intents.matching.lang import detect_language
from intents.matching.results import Action, Candidate, Decision, Thresholds
from intents.model import SYSTEM_INTENTS, Button, Content, Intent, Lang, Priority
from kb import Problem

if TYPE_CHECKING:
    from intents.holder import ContentHolder, ReloadReport
    from intents.matching.cache import MatcherCache
    from intents.matching.encoder import EncoderName, SentenceEncoder, make_encoder
    from intents.matching.engine import Engine

__all__ = [
    "SYSTEM_INTENTS",
    "Action",
    "AddedExample",
    "Answer",
    "AnswerButton",
    "ArticleLink",
    "Button",
    "Candidate",
    "Content",
    "ContentError",
    "ContentHolder",
    "Decision",
    "EditError",
    "EncoderName",
    "Engine",
    "Intent",
    "IntentsError",
    "Lang",
    "MatcherCache",
    "Priority",
    "Problem",
    "ReloadInProgress",
    "ReloadReport",
    "SentenceEncoder",
    "Thresholds",
    "add_example",
    "detect_language",
    "load_content",
    "make_encoder",
]

# The matcher (scikit-learn) loads on first use, so validating content and `supportbot --help`
# stay fast: ``intents.Engine`` imports it then.
_LAZY = {
    "ContentHolder": "intents.holder",
    "Engine": "intents.matching.engine",
    "MatcherCache": "intents.matching.cache",
    "ReloadReport": "intents.holder",
    "EncoderName": "intents.matching.encoder",
    "SentenceEncoder": "intents.matching.encoder",  # numpy
    "make_encoder": "intents.matching.encoder",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'intents' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
