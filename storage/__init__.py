"""Persistence: SQLAlchemy models, the repositories behind :mod:`handoff.ports`, migrations.

The only package that imports SQLAlchemy or Alembic. SQLite by default, PostgreSQL by URL.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from storage.errors import RecordNotFoundError, StorageError, StorageUnavailableError

if TYPE_CHECKING:
    from storage.database import Database
    from storage.history import read_history
    from storage.unit_of_work import SqlUnitOfWork

__all__ = [
    "Database",
    "RecordNotFoundError",
    "SqlUnitOfWork",
    "StorageError",
    "StorageUnavailableError",
    "read_history",
]

# SQLAlchemy loads on first use, so catching a StorageError or `supportbot --help` stays fast.
_LAZY = {
    "Database": "storage.database",
    "SqlUnitOfWork": "storage.unit_of_work",
    "read_history": "storage.history",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
