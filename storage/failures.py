"""Turning SQLAlchemy and driver errors into :class:`StorageError` with a hint what to check."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc

from storage.engine import describe_url
from storage.errors import StorageError, StorageUnavailableError

__all__ = ["translate"]


def translate(error: BaseException, url: str) -> StorageError:
    """The storage error for ``error``, met while talking to the database at ``url``."""
    where = describe_url(url)
    detail = _first_line(error)
    if isinstance(error, OSError | sa_exc.InterfaceError) or (
        isinstance(error, sa_exc.OperationalError) and _is_connect_failure(error)
    ):
        return StorageUnavailableError(
            f"cannot reach the database at {where} ({detail}): check that the server is running "
            "and the host, port, database name and credentials in [database] url; for SQLite, "
            "that the file's directory exists and is writable"
        )
    if isinstance(error, sa_exc.OperationalError) and "locked" in detail:
        return StorageError(
            f"the SQLite database {where} stayed locked by another writer ({detail}): a "
            "long transaction is holding it; keep units of work short"
        )
    if isinstance(error, sa_exc.IntegrityError):
        return StorageError(f"the database rejected a change ({detail})")
    if isinstance(error, sa_exc.ProgrammingError | sa_exc.OperationalError) and (
        "no such table" in detail or "does not exist" in detail
    ):
        return StorageError(
            f"the schema of {where} is missing or outdated ({detail}): run `supportbot db upgrade`"
        )
    return StorageError(f"database error at {where}: {detail}")


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()
    return text[0] if text else type(original).__name__


def _is_connect_failure(error: sa_exc.OperationalError) -> bool:
    text = str(error.orig).lower()
    return (
        any(
            marker in text
            for marker in ("unable to open", "connect", "password authentication", "does not exist")
        )
        and "relation" not in text
    )
