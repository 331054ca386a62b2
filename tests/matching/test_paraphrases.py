"""The paraphrase sets: messages that share no content word with their intent's examples.

Only meaning can match them, so they measure the sentence encoder (``supportbot eval --phrases``);
these tests keep the sets honest as the content changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from intents import Content, IntentsError
from intents.matching.phrases import content_stems, load_phrases
from tests.matching.conftest import DATA


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_paraphrases_share_no_content_word_with_their_intent(
    sample_content: Content, lang: str
) -> None:
    phrases = load_phrases(DATA / f"paraphrases.{lang}.txt", sample_content.intents)
    assert len(phrases) >= 30
    overlaps = []
    for phrase in phrases:
        examples = sample_content.intents[phrase.intent].examples[lang]
        seen = set().union(*(content_stems(text) for text in examples))
        common = content_stems(phrase.text) & seen
        if common:
            overlaps.append(f"line {phrase.line}: {phrase.text!r} shares {sorted(common)}")
    assert not overlaps, "\n".join(overlaps)


def test_content_stems_drop_stop_words_and_stem() -> None:
    assert content_stems("Where is my parcels?") == {"parcel"}
    assert content_stems("где мои посылки") == {"посылк"}


def test_phrase_file_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "phrases.txt"
    path.write_text("# comment\norder_status | where is it\nno separator here\n", "utf-8")
    with pytest.raises(IntentsError, match=r"phrases.txt:3: expected 'intent_id \| message'"):
        load_phrases(path)
    path.write_text("nope | where is it\n", "utf-8")
    with pytest.raises(IntentsError, match=r"phrases\.txt:1: unknown intent 'nope'"):
        load_phrases(path, ["order_status"])
    with pytest.raises(IntentsError, match="cannot read"):
        load_phrases(tmp_path / "missing.txt")
