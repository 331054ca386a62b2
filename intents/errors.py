"""Errors of the intents package.

Hierarchy::

    IntentsError
    ├── ContentError         the content (intents + articles) failed validation; carries Problems
    └── ReloadInProgress     a second reload was asked for while one is running
"""

from __future__ import annotations

from collections.abc import Iterable

from kb import Problem, format_problems

__all__ = ["ContentError", "IntentsError", "ReloadInProgress"]


class IntentsError(Exception):
    """Root of the errors raised by :mod:`intents`."""


class ContentError(IntentsError):
    """Content failed validation. ``problems`` holds every problem, sorted by file and line.

    ``str(error)`` is one ``file:line: what is wrong and how to fix it`` per line.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        super().__init__(format_problems(self.problems))


class ReloadInProgress(IntentsError):
    """Another reload is running; try again when it finishes."""
