"""The held-out phrase files (tests/heldout) are well formed: they load, name only intents the
content has, and the fresh, third and fourth sets are as large as promised, name every intent at
least three times and share no message with the phrases the matcher and the reader were built or
checked on, nor with an earlier set.

Nothing here runs the matcher: a held-out set's figures are printed once, at the end (see
tests/heldout/README.md).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from intents import Content, load_content
from intents.understanding.heldout import HeldOut, load_heldout

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "heldout"
FIRST = [HELDOUT / "ru.yaml", HELDOUT / "en.yaml"]
FRESH = [HELDOUT / "fresh" / "ru.yaml", HELDOUT / "fresh" / "en.yaml"]
THIRD = [HELDOUT / "third" / "ru.yaml", HELDOUT / "third" / "en.yaml"]
FOURTH = [HELDOUT / "fourth" / "ru.yaml", HELDOUT / "fourth" / "en.yaml"]
# The least a newer set promises per language: in-scope messages, out-of-scope messages and
# in-scope messages per intent of the content.
SIZES = {"fresh": (100, 40, 3), "third": (100, 40, 3), "fourth": (150, 50, 3)}


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(ROOT / "intents" / "content", ROOT / "kb" / "articles")


def _key(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def _strings(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _known_phrases(content: Content, earlier_sets: list[Path]) -> set[str]:
    """Every example of the content, of the earlier held-out sets, of the conversation tests and
    of the matcher's and the reader's phrase files."""
    known = {_key(e) for i in content.intents.values() for ex in i.examples.values() for e in ex}
    for path in earlier_sets:
        held = load_heldout(path)
        known |= {_key(text) for _, text in held.in_scope} | {_key(t) for t in held.out_of_scope}
    for path in sorted((ROOT / "tests" / "conversations").glob("*.yaml")):
        known |= {_key(s) for s in _strings(yaml.safe_load(path.read_text(encoding="utf-8")))}
    for folder in ("matching", "understanding"):
        for path in sorted((ROOT / "tests" / folder / "data").glob("*.txt")):
            for line in path.read_text(encoding="utf-8").splitlines():
                known.add(_key(line.split("|")[-1]))
    return known


@pytest.mark.parametrize(
    "path", FIRST + FRESH + THIRD + FOURTH, ids=lambda p: str(p.relative_to(HELDOUT))
)
def test_a_heldout_file_names_only_intents_of_the_content(content: Content, path: Path) -> None:
    held = load_heldout(path)
    assert held.lang == path.stem
    unknown = sorted({intent for intent, _ in held.in_scope} - set(content.intents))
    assert unknown == []


@pytest.mark.parametrize("path", FRESH + THIRD + FOURTH, ids=lambda p: str(p.relative_to(HELDOUT)))
def test_a_new_set_is_large_and_covers_every_intent(content: Content, path: Path) -> None:
    held: HeldOut = load_heldout(path)
    least_in, least_out, least_per_intent = SIZES[path.parent.name]
    assert len(held.in_scope) >= least_in
    assert len(held.out_of_scope) >= least_out
    per_intent = Counter(intent for intent, _ in held.in_scope)
    thin = {i: per_intent[i] for i in sorted(content.intents) if per_intent[i] < least_per_intent}
    assert thin == {}
    texts = [_key(text) for _, text in held.in_scope] + [_key(t) for t in held.out_of_scope]
    assert [text for text, n in Counter(texts).items() if n > 1] == []


@pytest.mark.parametrize(
    ("path", "earlier_sets"),
    [(path, FIRST) for path in FRESH]
    + [(path, FIRST + FRESH) for path in THIRD]
    + [(path, FIRST + FRESH + THIRD) for path in FOURTH],
    ids=[str(path.relative_to(HELDOUT)) for path in FRESH + THIRD + FOURTH],
)
def test_a_new_set_reuses_no_known_phrase(
    content: Content, path: Path, earlier_sets: list[Path]
) -> None:
    held = load_heldout(path)
    known = _known_phrases(content, earlier_sets)
    texts = [text for _, text in held.in_scope] + list(held.out_of_scope)
    assert [text for text in texts if _key(text) in known] == []
