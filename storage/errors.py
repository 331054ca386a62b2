"""The storage exceptions: one root, raised instead of SQLAlchemy's and the drivers' own.

StorageError
├── StorageUnavailableError   the database cannot be reached or opened
└── RecordNotFoundError       a change names a row that does not exist (also a LookupError)
"""

from __future__ import annotations

__all__ = ["RecordNotFoundError", "StorageError", "StorageUnavailableError"]


class StorageError(Exception):
    """Something went wrong in the database; the message says what to check."""


class StorageUnavailableError(StorageError):
    """The database cannot be reached: wrong URL, server down, bad credentials, unwritable file."""


class RecordNotFoundError(StorageError, LookupError):
    """A change was asked for a customer, ticket or conversation that does not exist."""
