"""Editing the content files in place: add one example phrase to an intent.

The line is inserted as text into the intent's YAML file (found by the line-numbered loader),
so the file's comments, order and quoting stay exactly as the admin wrote them. The edited
folder is validated on a temporary copy before the real file is replaced (temp file + rename):
a change that would break the content is never written.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from intents.errors import ContentError, IntentsError
from intents.loader import load_intents
from intents.model import LANGS, Lang
from intents.text import normalize
from kb import Problem
from kb.yamlsource import YList, YMap, load_yaml

__all__ = ["AddedExample", "EditError", "add_example"]

MAX_EXAMPLE = 500  # characters; a longer text is a letter, not an example


class EditError(IntentsError):
    """The edit was refused; the message says why and what to do. Nothing was written."""


@dataclass(frozen=True, slots=True)
class AddedExample:
    intent_id: str
    lang: Lang
    text: str  # as written (whitespace collapsed)
    file: Path
    line: int  # 1-based line of the new example


_PLAIN = re.compile(r"^[\w][\w ,.?!()/]*$", re.UNICODE)


def _scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that is safe, else double-quoted."""
    if _PLAIN.match(text) and yaml.safe_load(f"- {text}") == [text]:
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def add_example(
    intents_dir: Path, intent_id: str, lang: Lang, text: str, languages: Sequence[Lang] = LANGS
) -> AddedExample:
    """Append ``text`` to the ``lang`` examples of ``intent_id``; raises :class:`EditError`
    (unknown intent or language, a duplicate, an unreadable list) or :class:`ContentError` (the
    content did not validate before or would not after) with nothing written."""
    text = " ".join(text.split())
    if not text or not normalize(text):
        raise EditError("the example is empty: it needs at least one letter or digit")
    if len(text) > MAX_EXAMPLE:
        raise EditError(f"the example is longer than {MAX_EXAMPLE} characters; shorten it")
    if lang not in languages:
        raise EditError(f"unknown language {lang!r}: use one of {', '.join(languages)}")
    intents = load_intents(intents_dir, languages=languages)
    intent = intents.get(intent_id)
    if intent is None:
        raise EditError(f"unknown intent {intent_id!r}: check the id with `supportbot check`")
    key = normalize(text)
    for other in intents.values():
        for phrases in other.examples.values():
            if any(normalize(phrase) == key for phrase in phrases):
                raise EditError(f"{text!r} is already an example of intent {other.id!r}")
    assert intent.file is not None
    source = intent.file.read_text(encoding="utf-8")
    edited, line = _insert(source, intent.file, intent_id, lang, _scalar(text))
    _validate(intents_dir, intent.file, edited, languages)
    _write_atomically(intent.file, edited)
    return AddedExample(intent_id, lang, text, intent.file, line)


def _insert(source: str, file: Path, intent_id: str, lang: Lang, scalar: str) -> tuple[str, int]:
    data, _ = load_yaml(source, file)
    node = next(
        (n for n in data["intents"] if isinstance(n, YMap) and n.get("id") == intent_id), None
    )
    examples = node.get("examples") if node is not None else None
    items = examples.get(lang) if isinstance(examples, YMap) else None
    if not isinstance(items, YList) or not items:
        raise EditError(f"intent {intent_id!r} has no {lang} examples list in {file.name}")
    lines = source.splitlines(keepends=True)
    first = lines[items.line_at(0) - 1]
    indent = len(first) - len(first.lstrip(" "))
    if not first.lstrip(" ").startswith("- "):
        raise EditError(
            f"the {lang} examples of {intent_id!r} ({file.name}:{items.line_at(0)}) are not a "
            "block list ('- phrase' per line); rewrite them that way to add examples from the bot"
        )
    # the last item ends before the next line indented no deeper than its dash
    end = items.line_at(len(items) - 1)  # 1-based: the last item's first line
    cursor = end
    while cursor < len(lines):
        line = lines[cursor]
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            if len(line) - len(line.lstrip(" ")) <= indent:
                break
            end = cursor + 1
        cursor += 1
    newline = "\r\n" if first.endswith("\r\n") else "\n"
    if not lines[end - 1].endswith(("\n", "\r")):
        lines[end - 1] += newline
    lines.insert(end, f"{' ' * indent}- {scalar}{newline}")
    return "".join(lines), end + 1


def _validate(intents_dir: Path, file: Path, edited: str, languages: Sequence[Lang]) -> None:
    """Load the whole intents folder with the edit, on a copy; raises ContentError."""
    with tempfile.TemporaryDirectory(prefix="intents-edit-") as tmp:
        copy = Path(tmp) / "intents"
        shutil.copytree(intents_dir, copy)
        (copy / file.relative_to(intents_dir)).write_text(edited, encoding="utf-8")
        try:
            load_intents(copy, languages=languages)
        except ContentError as exc:
            # name the real file, not the copy
            raise ContentError(
                Problem(intents_dir / p.file.relative_to(copy), p.line, p.message)
                if p.file.is_relative_to(copy)
                else p
                for p in exc.problems
            ) from exc


def _write_atomically(file: Path, text: str) -> None:
    handle, tmp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(file, tmp)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
