from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intents import ContentError, load_content
from tests.matching.conftest import CONTENT


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(CONTENT / "intents", tmp_path / "intents")
    shutil.copytree(CONTENT / "kb", tmp_path / "kb")
    return tmp_path / "intents", tmp_path / "kb"


def _problems(dirs: tuple[Path, Path]) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(*dirs)
    return [str(problem) for problem in info.value.problems]


def test_sample_fixture_loads() -> None:
    content = load_content(CONTENT / "intents", CONTENT / "kb")
    assert set(content.intents) >= {"greeting", "thanks", "goodbye", "human_request", "refund"}
    refund = content.intents["refund"]
    assert refund.always_handoff
    assert refund.priority == "urgent"
    assert refund.line == 2
    assert content.intents["order_status"].buttons[0].intent == "refund"
    assert content.article("tracking", "en") is not None


def test_duplicate_id_names_both_places(dirs: tuple[Path, Path]) -> None:
    extra = dirs[0] / "zz_extra.yaml"
    text = (dirs[0] / "shop.yaml").read_text(encoding="utf-8")
    extra.write_text(text.split("  - id: refund")[0], encoding="utf-8")
    problems = _problems(dirs)
    assert any(
        p.startswith(f"{extra}:2: duplicate intent id 'order_status'") and "shop.yaml:2" in p
        for p in problems
    )


def test_missing_answer_language_and_bad_link(dirs: tuple[Path, Path]) -> None:
    (dirs[0] / "more.yaml").write_text(
        "intents:\n"
        "  - id: opening_hours\n"
        "    title: {ru: Часы, en: Hours}\n"
        "    examples:\n"
        "      ru: [когда вы работаете]\n"
        "      en: [when are you open]\n"
        "    answer:\n"
        "      ru: С 9 до 21.\n"
        "    articles: [no-such-article]\n",
        encoding="utf-8",
    )
    problems = _problems(dirs)
    file = dirs[0] / "more.yaml"
    assert f"{file}:7: the answer has no en text: add 'en: …'" in problems
    assert any(
        p.startswith(f"{file}:9: link to missing article 'no-such-article'") for p in problems
    )


def test_example_shared_by_two_intents(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / "shop.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("refund please", "Where is  my ORDER"),
        encoding="utf-8",
    )
    problems = _problems(dirs)
    assert any("is also an example of intent 'order_status'" in p for p in problems)
    assert all(p.startswith(f"{path}:") for p in problems)


def test_yaml_syntax_error_has_line(dirs: tuple[Path, Path]) -> None:
    (dirs[0] / "broken.yaml").write_text("intents:\n  - id: x\n   title: [\n", encoding="utf-8")
    problems = _problems(dirs)
    assert any(p.startswith(f"{dirs[0] / 'broken.yaml'}:3: YAML syntax error") for p in problems)


def test_missing_system_intent_and_unknown_field(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / "system.yaml"
    text = path.read_text(encoding="utf-8").replace("    priority: high\n", "    priorty: high\n")
    path.write_text(text.replace("id: goodbye", "id: bye"), encoding="utf-8")
    problems = _problems(dirs)
    assert any("system intent 'goodbye' is missing" in p for p in problems)
    assert any("unknown field 'priorty'" in p for p in problems)


def test_button_to_unknown_intent_and_duplicate_key(dirs: tuple[Path, Path]) -> None:
    path = dirs[0] / "shop.yaml"
    text = path.read_text(encoding="utf-8").replace("intent: refund", "intent: refnud")
    path.write_text(
        text.replace("    handoff: always\n", "    handoff: always\n    line: 2\n"),
        encoding="utf-8",
    )
    problems = _problems(dirs)
    assert any("button points to unknown intent 'refnud'" in p for p in problems)
    assert any("key 'line' appears twice" in p for p in problems)


def test_error_message_is_one_problem_per_line(dirs: tuple[Path, Path]) -> None:
    (dirs[1] / "tracking.en.md").write_text("no front matter", encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_content(*dirs)
    lines = str(info.value).splitlines()
    assert lines == [str(p) for p in info.value.problems]
    assert any("front matter" in line for line in lines)


def test_an_id_too_long_for_telegram_button_data_is_refused(dirs: tuple[Path, Path]) -> None:
    long_id = "a" + "b" * 48  # 49 characters: "i:" + id would not fit in 64 bytes with margin
    (dirs[0] / "long.yaml").write_text(
        "intents:\n"
        f"  - id: {long_id}\n"
        "    title: {ru: Длинное, en: Long}\n"
        "    examples: {ru: [очень длинный], en: [very long one]}\n"
        "    answer: {ru: Да., en: Yes.}\n",
        encoding="utf-8",
    )
    problems = _problems(dirs)
    assert any(p.startswith(f"{dirs[0] / 'long.yaml'}:2: id must") and "48" in p for p in problems)


def test_only_the_configured_languages_are_required(tmp_path: Path) -> None:
    english_only = "intents:\n" + "".join(
        f"  - id: {name}\n    title: {{en: {name}}}\n"
        f"    examples: {{en: [{name} one, {name} two, {name} three]}}\n"
        f'    answer: {{en: "{answer}"}}\n'
        for name, answer in (
            ("greeting", "Hello! How can I help?"),
            ("thanks", "Happy to help!"),
            ("goodbye", "Goodbye!"),
            ("human_request", "Calling an operator."),
        )
    )
    (tmp_path / "intents").mkdir()
    (tmp_path / "kb").mkdir()
    (tmp_path / "intents" / "system.yaml").write_text(english_only, encoding="utf-8")
    content = load_content(tmp_path / "intents", tmp_path / "kb", ["en"])
    assert content.languages == ("en",)
    assert content.intents["greeting"].answer == {"en": "Hello! How can I help?"}
    assert content.lang("ru") == "en"  # a language the content lacks: the default
    with pytest.raises(ContentError, match="the answer has no ru text"):
        load_content(tmp_path / "intents", tmp_path / "kb", ["ru", "en"])


def test_texts_in_languages_not_configured_are_skipped(dirs: tuple[Path, Path]) -> None:
    content = load_content(*dirs, ["ru"], "ru")
    assert content.languages == ("ru",)
    assert content.default_lang == "ru"
    assert set(content.intents["greeting"].examples) == {"ru"}
    assert {lang for _, lang in content.articles} <= {"ru"}


def test_a_key_that_is_no_language_code_is_reported(dirs: tuple[Path, Path]) -> None:
    intents, _ = dirs
    file = intents / "system.yaml"
    file.write_text(
        file.read_text(encoding="utf-8").replace("en: [hi,", "English: [hi,", 1), encoding="utf-8"
    )
    problems = _problems(dirs)
    assert any("'English' in examples is not a language code" in p for p in problems)
