"""Answer templates for operators: ``<id>.<lang>.md`` files beside the knowledge base.

A template is a short text an operator sends with one tap (``/t`` in a ticket's topic). The file
starts with front matter giving its ``title`` (the button's words); the body is Telegram-ready
plain text with placeholders in braces, filled from the ticket:

- ``{name}``: the customer's first name
- ``{ticket}``: the ticket number
- ``{order}``: the last order number the customer wrote in the conversation
- ``{operator}``: the first name of the operator who sends it

``supportbot check`` validates them with the rest of the content.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kb.errors import Problem
from kb.model import LANGS, Lang
from kb.yamlsource import read_front_matter

__all__ = [
    "PLACEHOLDERS",
    "Template",
    "collect_templates",
    "fill",
    "missing_values",
    "placeholders_of",
]

PLACEHOLDERS: Mapping[str, str] = {
    "name": "the customer's first name",
    "ticket": "the ticket number",
    "order": "the order number from the conversation",
    "operator": "the operator's first name",
}
# at most 40 characters: the id travels in 64-byte button data with the ticket number
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_TITLE_MAX = 60  # a button's words


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    lang: Lang
    title: str
    body: str
    file: Path

    @property
    def placeholders(self) -> frozenset[str]:
        return placeholders_of(self.body)


def placeholders_of(body: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(body) if name is not None)


def missing_values(template: Template, values: Mapping[str, str | None]) -> list[str]:
    """The placeholders of ``template`` that ``values`` cannot fill (None or absent)."""
    return sorted(name for name in template.placeholders if not values.get(name))


def fill(template: Template, values: Mapping[str, str | None]) -> str:
    """The template's text with its placeholders filled; see :func:`missing_values` first."""
    return template.body.format_map({k: v or "" for k, v in values.items()})


def collect_templates(folder: Path) -> tuple[dict[tuple[str, Lang], Template], list[Problem]]:
    """Every template in ``folder`` keyed by ``(id, lang)``, and the problems found. A missing
    folder is no problem: templates are optional."""
    templates: dict[tuple[str, Lang], Template] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return templates, problems
    for file in sorted(folder.glob("*.md")):
        template = _read(file, problems)
        if template is not None:
            templates[(template.id, template.lang)] = template
    return templates, problems


def _read(file: Path, problems: list[Problem]) -> Template | None:
    stem, _, lang = file.name.removesuffix(".md").rpartition(".")
    if not stem or lang not in LANGS or not _ID.match(stem):
        problems.append(
            Problem(
                file,
                0,
                f"name the file <id>.<lang>.md with lang one of {', '.join(LANGS)} and an id of "
                "lowercase letters, digits, '-' or '_', at most 40 characters "
                "(e.g. order-delayed.en.md)",
            )
        )
        return None
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(file, 0, f"cannot read the file ({exc}); save it as UTF-8"))
        return None
    lines = text.splitlines()
    found = read_front_matter(lines, file, problems, expected="'title: …' (the button), then '---'")
    if found is None:
        return None
    meta, end = found
    before = len(problems)
    for key in meta:
        if key != "title":
            problems.append(Problem(file, meta.line_for(key), f"unknown field {key!r}; only title"))
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > _TITLE_MAX:
        problems.append(
            Problem(
                file,
                meta.line_for("title"),
                f"title (the button's words) must be 1-{_TITLE_MAX} characters",
            )
        )
    body = "\n".join(lines[end + 1 :]).strip()
    body_line = end + 2
    if not body:
        problems.append(Problem(file, body_line, "the template has no text after front matter"))
    else:
        try:
            names = placeholders_of(body)
        except ValueError as exc:
            problems.append(
                Problem(file, body_line, f"{exc}: write literal braces as {{{{ and }}}}")
            )
            names = frozenset()
        for name in sorted(names - set(PLACEHOLDERS)):
            problems.append(
                Problem(
                    file,
                    body_line,
                    f"unknown placeholder {{{name}}}; use "
                    + ", ".join(f"{{{known}}} ({what})" for known, what in PLACEHOLDERS.items()),
                )
            )
    if len(problems) > before or not isinstance(title, str):
        return None
    return Template(stem, lang, title.strip(), body, file)
