"""Answer templates: loading, validation with file:line problems, filling."""

from __future__ import annotations

from pathlib import Path

from kb.templates import collect_templates, fill, missing_values

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_templates_load_in_both_languages() -> None:
    templates, problems = collect_templates(ROOT / "kb" / "templates")
    assert problems == []
    ids = {template_id for template_id, _ in templates}
    for template_id in ids:
        assert (template_id, "ru") in templates
        assert (template_id, "en") in templates


def test_problems_name_the_file_and_say_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "ok.en.md").write_text("---\ntitle: Hi\n---\nHello {name}, #{ticket}\n", "utf-8")
    (tmp_path / "bad.en.md").write_text("---\ntitle: Bad\n---\nYour {parcel} is here\n", "utf-8")
    (tmp_path / "nofront.en.md").write_text("Hello\n", "utf-8")
    (tmp_path / "Bad Name.md").write_text("---\ntitle: x\n---\ny\n", "utf-8")
    templates, problems = collect_templates(tmp_path)
    assert list(templates) == [("ok", "en")]
    text = "\n".join(str(p) for p in problems)
    assert "bad.en.md:4: unknown placeholder {parcel}" in text
    assert "nofront.en.md:1: start with front matter" in text
    assert "Bad Name.md:0: name the file <id>.<lang>.md" in text


def test_fill_and_missing_values() -> None:
    templates, _ = collect_templates(ROOT / "kb" / "templates")
    template = templates[("order-delayed", "en")]
    values = {"name": "Ann", "ticket": "7", "order": None, "operator": "Olga"}
    assert missing_values(template, values) == ["order"]
    text = fill(template, {**values, "order": "VM-1234"})
    assert text.startswith("Ann, I've checked your order VM-1234")
