"""Giving freed memory back to the system after training."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache

__all__ = ["trim_heap"]


@cache
def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim  # glibc only
    except (OSError, AttributeError):
        return None


def trim_heap() -> None:
    """Collect garbage and ask glibc to return free heap pages to the system.

    Training allocates hundreds of megabytes of temporary arrays and sparse matrices; freed, they
    stay in the process's heap (and in its resident size) until ``malloc_trim``. Elsewhere than
    glibc this only collects garbage.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
