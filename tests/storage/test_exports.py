"""The public surface of ``storage`` is what ``__all__`` lists, sorted, and nothing is missing."""

from __future__ import annotations

import storage
from storage.errors import RecordNotFoundError, StorageError, StorageUnavailableError


def test_all_is_sorted_and_importable() -> None:
    assert storage.__all__ == sorted(storage.__all__)
    for name in storage.__all__:
        assert getattr(storage, name) is not None


def test_one_exception_root() -> None:
    assert issubclass(StorageUnavailableError, StorageError)
    assert issubclass(RecordNotFoundError, StorageError)
    assert issubclass(RecordNotFoundError, LookupError)  # the memory twin raises LookupError
