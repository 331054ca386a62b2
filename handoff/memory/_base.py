"""What the in-memory repositories share: the tables, a unit of work's undo log, UTC checks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from handoff.model import (
    Conversation,
    Customer,
    DeadLetter,
    Decision,
    PendingWork,
    RelayLink,
    StoredMessage,
    SurveyAnswer,
    Ticket,
)

__all__ = ["Repo", "Tables", "Tx", "missing", "opt_utc", "utc"]

K = TypeVar("K")
V = TypeVar("V")
_MISSING: Any = object()


def utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: pass an aware (UTC) datetime")
    return value.astimezone(UTC)


def opt_utc(value: object) -> object:
    return utc(value) if isinstance(value, datetime) else value


def missing(what: str, key: object) -> LookupError:
    return LookupError(f"{what} {key} does not exist")


@dataclass
class Tables:
    """Committed and in-flight data of every unit of work, in plain dicts."""

    customers: dict[int, Customer] = field(default_factory=dict)
    conversations: dict[int, Conversation] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    surveys: dict[int, SurveyAnswer] = field(default_factory=dict)
    decisions: dict[int, Decision] = field(default_factory=dict)
    relays: dict[tuple[int, int], RelayLink] = field(default_factory=dict)
    updates: dict[int, datetime] = field(default_factory=dict)
    dead_letters: dict[int, DeadLetter] = field(default_factory=dict)
    outbox: dict[int, PendingWork] = field(default_factory=dict)
    _last_id: int = 0
    _busy: set[asyncio.Task[Any]] = field(default_factory=set, repr=False, compare=False)

    def next_id(self) -> int:
        self._last_id += 1  # like a database sequence: ids are not reused after a rollback
        return self._last_id


class Tx:
    """Writes through to the store, remembering how to undo each one."""

    def __init__(self, store: Tables) -> None:
        self.store = store
        self._undo: list[Callable[[], None]] = []

    def put(self, table: dict[K, V], key: K, value: V) -> V:
        old = table.get(key, _MISSING)

        def undo() -> None:
            if old is _MISSING:
                del table[key]
            else:
                table[key] = old

        self._undo.append(undo)
        table[key] = value
        return value

    def drop(self, table: dict[K, V], key: K) -> None:
        old = table.pop(key)
        self._undo.append(lambda: table.__setitem__(key, old))

    def commit(self) -> None:
        self._undo.clear()

    def rollback(self) -> None:
        while self._undo:
            self._undo.pop()()


class Repo:
    def __init__(self, tx: Tx) -> None:
        self._tx = tx
        self._store = tx.store
