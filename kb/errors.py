"""Errors of the knowledge base package.

Hierarchy::

    KbError
    └── ArticlesError        articles that cannot be loaded; carries every Problem
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ArticlesError", "KbError", "Problem", "format_problems"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a content file: where it is and what to do about it."""

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def format_problems(problems: Iterable[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


class KbError(Exception):
    """Root of the errors raised by :mod:`kb`."""


class ArticlesError(KbError):
    """Knowledge-base articles failed validation; ``problems`` lists each one."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(format_problems(self.problems))
