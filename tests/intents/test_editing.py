from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intents import ContentError
from intents.editing import EditError, add_example
from intents.loader import load_intents
from tests.matching.conftest import CONTENT

EXTRA = """\
# Hand-written notes: these comments must survive an edit.
intents:
  - id: gift_cards   # sold online only
    title: {ru: Подарочные карты, en: Gift cards}
    examples:
      ru:
        - подарочная карта   # the classic
        - "сертификат: как купить?"
        # more to come
      en:
        - gift card
        - >-
          how do I buy
          a gift certificate

    answer:
      ru: Карты продаются на сайте.
      en: Cards are sold on the website.
    priority: normal
"""


@pytest.fixture
def intents_dir(tmp_path: Path) -> Path:
    target = tmp_path / "intents"
    shutil.copytree(CONTENT / "intents", target)
    (target / "extra.yaml").write_text(EXTRA, encoding="utf-8")
    return target


def _examples(intents_dir: Path, intent_id: str, lang: str) -> tuple[str, ...]:
    return load_intents(intents_dir)[intent_id].examples[lang]


def test_the_example_is_appended_and_everything_else_is_unchanged(intents_dir: Path) -> None:
    file = intents_dir / "extra.yaml"
    before = file.read_text(encoding="utf-8").splitlines(keepends=True)
    added = add_example(intents_dir, "gift_cards", "ru", "  можно ли  вернуть карту ")
    after = file.read_text(encoding="utf-8").splitlines(keepends=True)
    assert added.text == "можно ли вернуть карту"
    assert added.file == file
    assert after[added.line - 1] == "        - можно ли вернуть карту\n"
    assert after[: added.line - 1] + after[added.line :] == before  # byte for byte
    assert _examples(intents_dir, "gift_cards", "ru")[-1] == "можно ли вернуть карту"
    assert added.line == 9  # after the last item, before the comment that follows it


def test_after_a_multi_line_item(intents_dir: Path) -> None:
    added = add_example(intents_dir, "gift_cards", "en", "gift card balance")
    assert _examples(intents_dir, "gift_cards", "en") == (
        "gift card",
        "how do I buy a gift certificate",
        "gift card balance",
    )
    lines = (intents_dir / "extra.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[added.line - 2].strip() == "a gift certificate"


@pytest.mark.parametrize(
    "text",
    [
        'he said "hi": what now?',
        "price # 2 isn't right",
        "- starts with a dash",
        "key: value",
        "ёлка & {скобки} [и] *звёзды*",
        "back\\slash 100%",
        "? question mark first",
        "@at and `tick`",
        "yes",
        "123",
    ],
)
def test_tricky_text_round_trips(intents_dir: Path, text: str) -> None:
    add_example(intents_dir, "gift_cards", "en", text)
    assert _examples(intents_dir, "gift_cards", "en")[-1] == text


def test_duplicates_name_the_intent_that_has_them(intents_dir: Path) -> None:
    with pytest.raises(EditError, match="already an example of intent 'gift_cards'"):
        add_example(intents_dir, "gift_cards", "en", "Gift  card!")
    greeting = _examples(intents_dir, "greeting", "ru")[0]
    with pytest.raises(EditError, match="intent 'greeting'"):
        add_example(intents_dir, "gift_cards", "ru", greeting.upper())


def test_bad_input_is_refused_and_nothing_is_written(intents_dir: Path) -> None:
    snapshot = {f.name: f.read_bytes() for f in intents_dir.iterdir()}
    with pytest.raises(EditError, match="unknown intent 'nope'"):
        add_example(intents_dir, "nope", "en", "something new")
    with pytest.raises(EditError, match="unknown language 'de'"):
        add_example(intents_dir, "gift_cards", "de", "something new")
    with pytest.raises(EditError, match="empty"):
        add_example(intents_dir, "gift_cards", "en", " ?! ")
    with pytest.raises(EditError, match="longer than"):
        add_example(intents_dir, "gift_cards", "en", "word " * 200)
    assert {f.name: f.read_bytes() for f in intents_dir.iterdir()} == snapshot


def test_flow_lists_are_refused_with_a_way_out(intents_dir: Path) -> None:
    file = intents_dir / "extra.yaml"
    file.write_text(
        EXTRA.replace("      en:\n        - gift card\n", "      en: [gift card,\n ").replace(
            "        - >-\n          how do I buy\n          a gift certificate\n", "  x]\n"
        ),
        encoding="utf-8",
    )
    assert _examples(intents_dir, "gift_cards", "en") == ("gift card", "x")
    with pytest.raises(EditError, match="not a block list"):
        add_example(intents_dir, "gift_cards", "en", "gift card balance")


def test_content_that_does_not_validate_is_not_touched(intents_dir: Path) -> None:
    broken = intents_dir / "broken.yaml"
    broken.write_text("intents:\n  - id: Bad Id\n", encoding="utf-8")
    before = (intents_dir / "extra.yaml").read_bytes()
    with pytest.raises(ContentError):
        add_example(intents_dir, "gift_cards", "en", "gift card balance")
    assert (intents_dir / "extra.yaml").read_bytes() == before
    assert not [f for f in intents_dir.iterdir() if f.name.startswith(".")]  # no temp files
