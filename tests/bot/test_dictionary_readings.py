"""The Russian dictionary's readings of the content's words, saved at a start that loaded the
dictionary and preloaded at the next one (``bot.app.preload_readings`` / ``save_readings``): the
reader is then built without loading the dictionary, and every word reads as it did with it.

Each case runs in a fresh interpreter: the readings and the dictionary are per process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.fresh_python import run_python

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "intents" / "content"
KB = ROOT / "kb" / "articles"
# content words, a place, a function word, a word outside the content and a typo
WORDS = ("заказ", "доставка", "вернуть", "москве", "около", "ошиблась", "какои")


def _start(folder: Path, then: str = "") -> dict[str, Any]:
    """What a start does with the reader: preload, build it, save; then ``then``; the figures."""
    code = f"""
import json, sys
from pathlib import Path
from bot.app import preload_readings, save_readings
from intents import load_content
from intents.understanding import Reader
from intents.understanding import morphology as m

folder = Path({str(folder)!r})
preloaded = preload_readings(folder)
Reader(load_content(Path({str(CONTENT)!r}), Path({str(KB)!r})), lambda text, lang: None)
built_with_dictionary = "pymorphy3" in sys.modules
saved = save_readings(folder)
{then}
print(json.dumps({{
    "preloaded": preloaded,
    "saved": saved,
    "built_with_dictionary": built_with_dictionary,
    "dictionary_now": "pymorphy3" in sys.modules,
    "words": locals().get("words"),
}}))
"""
    figures, log = run_python(code)
    assert isinstance(figures, dict)
    figures["log"] = log
    return figures


READ_WORDS = (
    "words = {w: [sorted(m.lemmas(w, 'ru')), m.is_place(w, 'ru'), m.in_dictionary(w, 'ru'), "
    f"m.is_function_word(w, 'ru')] for w in {WORDS!r}}}"
)


def test_the_first_start_saves_the_readings_the_next_builds_the_reader_without_the_dictionary(
    tmp_path: Path,
) -> None:
    first = _start(tmp_path)
    assert first == {**first, "preloaded": False, "saved": True, "built_with_dictionary": True}
    (saved,) = tmp_path.glob("readings-*.json")
    table = json.loads(saved.read_text(encoding="utf-8"))
    assert "заказ" in table
    assert len(table) > 500

    second = _start(tmp_path)
    assert second == {
        **second,
        "preloaded": True,
        "saved": False,  # nothing new was looked up: the file stays as it is
        "built_with_dictionary": False,
        "dictionary_now": False,
    }


def test_every_word_reads_the_same_with_the_preloaded_readings_as_with_the_dictionary(
    tmp_path: Path,
) -> None:
    with_dictionary = _start(tmp_path / "none", then=READ_WORDS)  # no file yet: the dictionary
    _start(tmp_path / "saved")
    preloaded = _start(tmp_path / "saved", then=READ_WORDS)
    assert preloaded["preloaded"]
    assert not preloaded["built_with_dictionary"]
    assert preloaded["words"] == with_dictionary["words"]
    assert preloaded["words"]["ошиблась"][0] == ["ошибиться"]  # a real lemma, not a guess
    assert preloaded["words"]["какои"][2] is False  # a typo: no dictionary word
    # a word the content does not have loaded the dictionary on the way
    assert preloaded["dictionary_now"]


def test_a_damaged_file_is_logged_and_the_dictionary_loaded(tmp_path: Path) -> None:
    _start(tmp_path)
    (saved,) = tmp_path.glob("readings-*.json")
    saved.write_text('{"заказ": [["заказ", "NOUN"]]}', encoding="utf-8")  # a reading cut short
    damaged = _start(tmp_path)
    assert damaged == {**damaged, "preloaded": False, "built_with_dictionary": True}
    assert "dictionary readings" in damaged["log"]
    assert "not read" in damaged["log"]
    assert damaged["saved"]  # and written again, whole
    assert "заказ" in json.loads(saved.read_text(encoding="utf-8"))


def test_readings_of_other_versions_are_removed_when_new_ones_are_saved(tmp_path: Path) -> None:
    stale = tmp_path / "readings-of-an-older-dictionary.json"
    stale.write_text("{}", encoding="utf-8")  # another key: never read, and removed on saving
    first = _start(tmp_path)
    assert first["saved"]
    assert not stale.exists()
    assert len(list(tmp_path.glob("readings-*.json"))) == 1
