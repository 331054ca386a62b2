"""The trained matcher kept on disk, so a start or a ``/reload`` of unchanged content does not
train again.

Training the n-gram matcher on the sample content takes seconds (two linear models per language
and a cross-validated calibration); loading what it produced takes a few tens of milliseconds.
One file per content: ``matcher-<key>.pickle`` under the cache folder (``[matching] cache_dir``).
The key is a SHA-256 of everything the trained matcher depends on: per language the intents'
examples, the background phrases and the articles; the scorer's settings; the source of the
modules that train and answer (:mod:`intents.matching`, :mod:`intents.text`); the versions of
Python, numpy, scikit-learn, SciPy, snowballstemmer, PyStemmer (whose C stemmers snowballstemmer
uses when it is installed) and rapidfuzz. Any change is another key:
the old file is simply not read (the newest few are kept, older ones removed).

The file is a header (a format line and the key), a table of the large arrays' places, a
pickle (protocol 5) of everything else, then those arrays' bytes, each at an offset that is a
multiple of 4096. Loading maps the file read-only (``mmap``) and hands the arrays' places to the
unpickler as out-of-band buffers: the coefficient matrices (about 13 MB for the sample content)
are numpy arrays backed by the page cache, not copies in the heap; they count in the process's
resident set only once read, and those pages are shared with other processes mapping the file
and can be dropped by the kernel (not swapped). Linux maps a file's cached pages by the folio:
the writer flushes the file and drops it from the page cache, and the reader asks for no
read-ahead, so the pages come back one by one as messages read rows (about 2 MB after 50
questions of the start-up benchmark rather than most of the matrices). Those arrays are
read-only (writing into one raises ``ValueError``);
the matcher never writes into them. A mapped file must never be truncated or rewritten in place
(a process that then reads a page past the new end gets ``SIGBUS``): this module writes a new
file under another name and renames it over the old one, and removes old files by unlinking
them; on Linux a process that still maps the old file keeps reading it.

Trust boundary: the file is a pickle, and unpickling runs code named in it. The cache folder is
the bot's own (like its database file); give it the permissions of the bot's data and never point
it at a folder others can write. A file that cannot be read (truncated, corrupt, written by
another version) is logged and replaced by a fresh training, never a crash; a folder that cannot
be written is logged, and the bot runs with the matcher it trained.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import pickle
import struct
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from intents.model import Content, Lang

if TYPE_CHECKING:
    from intents.matching.articles import ArticleIndex
    from intents.matching.engine import Ranker
    from intents.matching.vague import VagueDetector

__all__ = ["MatcherCache", "Trained"]

log = logging.getLogger(__name__)

_HEADER = b"supportbot-matcher 2\n"  # the format's version: files of another are not read
_COUNT = struct.Struct("<QQ")  # the pickle's length, the number of mapped arrays
_SPAN = struct.Struct("<QQ")  # one mapped array: its offset in the file, its length
_ALIGN = 4096  # mapped arrays start on a page of their own
_MAPPED_MIN = 64 * 1024  # smaller arrays stay in the pickle: every message reads them whole
_KEEP = 3  # files kept in the folder: a few contents (a reload, a rollback) stay warm
_LIBRARIES = ("numpy", "scikit-learn", "scipy", "snowballstemmer", "PyStemmer", "rapidfuzz")
_SOURCES = (Path(__file__).parent, Path(__file__).parent.parent / "text.py")


@dataclass
class Trained:
    """What training produces per language: the intent scorer, the article index and the
    vague-message detector (the engine wraps them with the content and the thresholds)."""

    scorers: dict[Lang, Ranker] = field(default_factory=dict)
    articles: dict[Lang, ArticleIndex] = field(default_factory=dict)
    vague: dict[Lang, VagueDetector] = field(default_factory=dict)


def _library_versions() -> dict[str, str]:
    versions: dict[str, str] = {"python": sys.version}
    for name in _LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def _source_digest() -> str:
    digest = hashlib.sha256()
    for source in _SOURCES:
        files = sorted(source.glob("*.py")) if source.is_dir() else [source]
        for file in files:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


class MatcherCache:
    """The trained matcher of each content, stored under ``directory`` (created when needed).

    ``hits`` counts matchers loaded from disk, ``trained`` the trainings this cache could not
    spare (no file, a stale or unreadable one), ``failures`` the files that could not be read.
    A training runs in a process of its own (:meth:`train_apart`) when it can, so the caller's
    process never holds scikit-learn or the training's garbage.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.trained = 0
        self.failures = 0

    def key(
        self,
        content: Content,
        background: Mapping[Lang, Sequence[str]],
        settings: object,
    ) -> str:
        """The SHA-256 of the training's inputs (``settings``: the scorer's configuration,
        compared by its ``repr``), of the matcher's code and of the libraries' versions."""
        languages = {}
        for lang in content.languages:
            examples = {
                intent.id: list(intent.examples.get(lang, ()))
                for intent in content.intents.values()
            }
            articles = sorted(
                [article.id, article.title, list(article.tags), article.body]
                for (_, article_lang), article in content.articles.items()
                if article_lang == lang
            )
            languages[lang] = {
                "examples": examples,
                "background": list(background.get(lang, ())),
                "articles": articles,
            }
        inputs = {
            "languages": languages,
            "settings": repr(settings),
            "code": _source_digest(),
            "libraries": _library_versions(),
        }
        text = json.dumps(inputs, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / f"matcher-{key[:40]}.pickle"

    def load(self, key: str) -> Trained | None:
        """The matcher stored for ``key``; None (logged) when absent or unreadable."""
        path = self.path(key)
        try:
            trained = self._read(key)
        except FileNotFoundError:
            log.info("no trained matcher cached for this content in %s: training", self.directory)
            return None
        except OSError as exc:
            self.failures += 1
            log.warning("matcher cache %s not readable (%s): training instead", path, exc)
            return None
        except Exception as exc:  # anything a damaged pickle raises: train, never crash
            self.failures += 1
            log.warning("matcher cache %s is damaged (%s): training again", path, exc)
            return None
        self.hits += 1
        log.info("trained matcher loaded from %s", path)
        return trained

    def _read(self, key: str) -> Trained:
        prefix = _HEADER + key.encode() + b"\n"
        with self.path(key).open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            head = file.read(len(prefix) + _COUNT.size)
            if len(head) < len(prefix) + _COUNT.size or not head.startswith(prefix):
                raise ValueError("not a matcher cache file of this content")
            length, count = _COUNT.unpack_from(head, len(prefix))
            table = file.read(_SPAN.size * count)
            if len(table) != _SPAN.size * count:
                raise ValueError("truncated in the table of arrays")
            spans = [_SPAN.unpack_from(table, _SPAN.size * i) for i in range(count)]
            pickled = file.read(length)
            if len(pickled) != length:
                raise ValueError("truncated in the pickle")
            end = len(head) + len(table) + length
            for offset, nbytes in spans:
                if offset % _ALIGN or offset < end:
                    raise ValueError("the table of arrays is damaged")
                end = offset + nbytes
            if end != size:
                raise ValueError(f"{size} bytes where the table says {end}: truncated or damaged")
            # the bot's own folder (see above); the arrays are views of the read-only map
            buffers: list[memoryview] = []
            if spans:
                mapping = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                # a message reads scattered rows: no read-ahead. Pages read from disk one by one
                # are cached (and mapped) one by one; pages cached by the writer's large writes
                # would be mapped by the folio, hundreds of kilobytes per row read, which is why
                # store() drops its pages from the cache
                if hasattr(mmap, "MADV_RANDOM"):
                    mapping.madvise(mmap.MADV_RANDOM)
                view = memoryview(mapping)
                buffers = [view[offset : offset + nbytes] for offset, nbytes in spans]
        trained = pickle.loads(pickled, buffers=buffers)
        if not isinstance(trained, Trained):
            raise TypeError(f"holds {type(trained).__name__}, not a trained matcher")
        return trained

    def train_apart(
        self,
        key: str,
        content: Content,
        background: Mapping[Lang, Sequence[str]],
        settings: object,
    ) -> Trained | None:
        """Train in a process of its own (:mod:`.training_process`), which stores the matcher
        here; load it. None (logged) when that fails: the caller trains in its own process."""
        job = pickle.dumps((content, background, settings, self.directory, key))
        paths = os.pathsep.join(p for p in sys.path if p)
        environment = {**os.environ, "PYTHONPATH": paths}
        command = [sys.executable, "-m", "intents.matching.training_process"]
        try:
            done = subprocess.run(command, input=job, env=environment, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"it exited with status {done.returncode}")
            trained = self._read(key)
        except Exception as exc:  # no process, no file: train here, as without the cache
            log.warning("training in a separate process failed (%s): training here", exc)
            return None
        self.trained += 1
        log.info("trained matcher (trained in a separate process) loaded from %s", self.path(key))
        return trained

    def store(self, key: str, trained: Trained) -> bool:
        """Write atomically (readers see the whole file or none), then prune old files."""
        path = self.path(key)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as file:
                    _write(file, _HEADER + key.encode() + b"\n", trained)
                    file.flush()
                    os.fsync(file.fileno())  # on disk before the rename makes it the file
                    if hasattr(os, "posix_fadvise"):  # out of the page cache, see _read
                        os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
                os.replace(name, path)  # never in place: a process may have the old file mapped
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("matcher cache %s not written (%s); the bot works without it", path, exc)
            return False
        log.info("trained matcher stored in %s", path)
        self._prune(keep=path)
        return True

    def _prune(self, keep: Path) -> None:
        # unlinking is safe while another process maps the file: it keeps the data until it unmaps
        try:
            files = sorted(
                (f for f in self.directory.glob("matcher-*.pickle") if f != keep),
                key=lambda f: f.stat().st_mtime,
                reverse=True,
            )
            for old in files[_KEEP - 1 :]:
                old.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("old matcher cache files in %s not removed (%s)", self.directory, exc)


def _write(file: BinaryIO, prefix: bytes, trained: Trained) -> None:
    """The header, the table of the mapped arrays, the pickle, then each array's bytes at an
    offset that is a multiple of :data:`_ALIGN` (zeros between)."""
    arrays: list[memoryview] = []

    def in_band(buffer: pickle.PickleBuffer) -> bool:
        try:
            raw = buffer.raw()  # contiguous bytes; numpy hands over only contiguous arrays
        except BufferError:
            return True
        if raw.nbytes < _MAPPED_MIN:
            return True
        arrays.append(raw)
        return False

    pickled = pickle.dumps(trained, protocol=5, buffer_callback=in_band)
    position = len(prefix) + _COUNT.size + _SPAN.size * len(arrays) + len(pickled)
    spans: list[tuple[int, int]] = []
    for raw in arrays:
        position += -position % _ALIGN
        spans.append((position, raw.nbytes))
        position += raw.nbytes
    file.write(prefix)
    file.write(_COUNT.pack(len(pickled), len(arrays)))
    for span in spans:
        file.write(_SPAN.pack(*span))
    file.write(pickled)
    for (offset, _), raw in zip(spans, arrays, strict=True):
        file.write(bytes(offset - file.tell()))
        file.write(raw)
