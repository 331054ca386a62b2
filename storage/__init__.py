"""Persistence: SQLAlchemy models, the repositories behind :mod:`handoff.ports`, migrations.

The only package that imports SQLAlchemy or Alembic. SQLite by default, PostgreSQL by URL.
"""

from storage.database import Database
from storage.errors import RecordNotFoundError, StorageError, StorageUnavailableError
from storage.unit_of_work import SqlUnitOfWork

__all__ = [
    "Database",
    "RecordNotFoundError",
    "SqlUnitOfWork",
    "StorageError",
    "StorageUnavailableError",
]
