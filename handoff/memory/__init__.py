"""The in-memory twin of :mod:`handoff.ports`, for fast tests of the core and the hand-off logic.

Same semantics as the SQL storage, checked by one shared contract suite: ``take`` is atomic (no
``await`` between the check and the change), ``first_time`` forgets an id whose unit of work rolled
back, lists come in the same order, timestamps come back as aware UTC, naive ones are refused.
Writes are visible to other units of work at once (no isolation); a rollback undoes them.
Like SQLite's writer gate, a unit of work opened inside another one in the same task is refused
with :class:`NestedUnitOfWork`, so fast tests catch what SQLite would refuse.

One module per group of repositories, as in ``storage/repositories/``: ``customers``,
``messages``, ``tickets``, ``feedback``; ``store`` holds the store and its unit of work.
"""

from __future__ import annotations

from handoff.memory.store import InMemoryStore, MemoryUnitOfWork, NestedUnitOfWork

__all__ = ["InMemoryStore", "MemoryUnitOfWork", "NestedUnitOfWork"]
