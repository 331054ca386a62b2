"""Loading and validating the content: intent YAML files plus knowledge-base articles.

Every problem is collected (not just the first) so an admin fixes a file in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from intents.errors import ContentError
from intents.model import LANGS, SYSTEM_INTENTS, Button, Content, Intent, Lang, Priority
from intents.text import normalize
from kb import Problem, collect_articles, is_lang_code
from kb.yamlsource import YamlSyntaxError, YList, YMap, line_of, load_yaml

__all__ = ["load_content", "load_intents"]

# at most 48 characters: an id travels in Telegram's 64-byte button data ("i:" + id)
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_INTENT_KEYS = frozenset(
    {"id", "title", "examples", "answer", "buttons", "articles", "handoff", "priority", "line"}
)
_PRIORITIES: tuple[Priority, ...] = ("normal", "high", "urgent")
_ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "blockquote",
        "span",
    }
)
_TAG_RE = re.compile(r"</?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def load_content(
    intents_dir: Path,
    kb_dir: Path,
    languages: Sequence[Lang] = LANGS,
    default: Lang | None = None,
) -> Content:
    """Load intents and articles in ``languages`` (the configured ones); raises
    :class:`ContentError` listing every problem.

    Every intent needs its texts and examples in each of ``languages``; texts in other languages
    are skipped, so one content folder serves any subset of the languages it has. ``default``
    (the configured default; English, else the first language, when not given) stands in for a
    language the content does not have."""
    languages = _languages(languages)
    if default is None:
        default = "en" if "en" in languages else languages[0]
    elif default not in languages:
        raise ValueError(f"default language {default!r} must be one of {list(languages)}")
    articles, problems = collect_articles(kb_dir, languages)
    article_ids = {a for a, _ in articles}
    intents, intent_problems = _collect_intents(intents_dir, article_ids, languages)
    problems.extend(intent_problems)
    if problems:
        raise ContentError(problems)
    return Content(intents, articles, languages=languages, default_lang=default)


def load_intents(
    intents_dir: Path, article_ids: set[str] | None = None, languages: Sequence[Lang] = LANGS
) -> dict[str, Intent]:
    """Intents only (article links are checked when ``article_ids`` is given)."""
    intents, problems = _collect_intents(intents_dir, article_ids, _languages(languages))
    if problems:
        raise ContentError(problems)
    return intents


class _Reader:
    """Validates one file's intents, appending to a shared problem list."""

    def __init__(
        self,
        file: Path,
        problems: list[Problem],
        article_ids: set[str] | None,
        languages: tuple[Lang, ...],
    ) -> None:
        self.file = file
        self.problems = problems
        self.article_ids = article_ids
        self.languages = languages
        self.with_all = ", ".join(f"{lang}:" for lang in languages)  # "ru:, en:" for messages

    def unknown_keys(self, value: YMap, what: str) -> None:
        for key in value:
            if not is_lang_code(key):
                self.problem(
                    value.line_for(key),
                    f"{key!r} in {what} is not a language code: use two or three lowercase "
                    f"letters, as in {self.with_all}",
                )

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def per_lang_text(self, node: YMap, key: str, what: str) -> dict[Lang, str]:
        value = node.get(key)
        line = node.line_for(key)
        if value is None:
            self.problem(line, f"{what} is missing: add '{key}:' with {self.with_all}")
            return {}
        if isinstance(value, str):
            per_lang = ", ".join(f"{lang}: …" for lang in self.languages)
            self.problem(line, f"{what} must have one text per language: '{key}: {{{per_lang}}}'")
            return {}
        if not isinstance(value, YMap):
            self.problem(line, f"{what} must be a mapping with {self.with_all}")
            return {}
        result: dict[Lang, str] = {}
        self.unknown_keys(value, what)
        for lang in self.languages:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.problem(
                    value.line_for(lang) if lang in value else line,
                    f"{what} has no {lang} text: add '{lang}: …'",
                )
            else:
                result[lang] = text.strip()
        return result

    def examples(self, node: YMap) -> dict[Lang, tuple[str, ...]]:
        value = node.get("examples")
        line = node.line_for("examples")
        if not isinstance(value, YMap):
            self.problem(
                line, f"examples are missing: add 'examples:' with a list under {self.with_all}"
            )
            return {}
        result: dict[Lang, tuple[str, ...]] = {}
        self.unknown_keys(value, "examples")
        for lang in self.languages:
            items = value.get(lang)
            if not isinstance(items, YList) or not items:
                self.problem(
                    value.line_for(lang) if lang in value else line,
                    f"examples have no {lang} phrases: add a list under '{lang}:'",
                )
                continue
            phrases: list[str] = []
            for index, item in enumerate(items):
                if not isinstance(item, str | int | float) or not str(item).strip():
                    self.problem(items.line_at(index), "an example must be a non-empty phrase")
                    continue
                phrases.append(str(item).strip())
            result[lang] = tuple(phrases)
        return result

    def buttons(self, node: YMap) -> list[tuple[Button, int]]:
        value = node.get("buttons", [])
        if not isinstance(value, list):
            self.problem(node.line_for("buttons"), "buttons must be a list of '- title: …' items")
            return []
        result: list[tuple[Button, int]] = []
        for index, item in enumerate(value):
            line = value.line_at(index) if isinstance(value, YList) else node.line_for("buttons")
            if not isinstance(item, YMap):
                per_lang = ", ".join(f"{lang}: …" for lang in self.languages)
                self.problem(line, f"a button needs 'title: {{{per_lang}}}' and intent: or url:")
                continue
            for key in item:
                if key not in ("title", "intent", "url"):
                    self.problem(
                        item.line_for(key),
                        f"unknown button field {key!r}; use title, intent or url",
                    )
            title = self.per_lang_text(item, "title", "the button title")
            target_intent, url = item.get("intent"), item.get("url")
            if (target_intent is None) == (url is None):
                self.problem(line, "a button needs exactly one of intent: (an intent id) or url:")
                continue
            if url is not None and (not isinstance(url, str) or not url.startswith("http")):
                self.problem(item.line_for("url"), "url must be a full http(s):// address")
                continue
            if target_intent is not None and not isinstance(target_intent, str):
                self.problem(item.line_for("intent"), "intent must be an intent id")
                continue
            result.append((Button(title=title, intent=target_intent, url=url), line))
        return result

    def check_html(self, text: str, line: int, lang: str) -> None:
        for match in _TAG_RE.finditer(text):
            tag = match.group(1).lower()
            if tag not in _ALLOWED_TAGS:
                self.problem(
                    line,
                    f"answer ({lang}) uses <{tag}>, which Telegram does not "
                    "accept; use <b> <i> <u> <s> <a> <code> <pre>",
                )
                return

    def intent(self, node: Any, fallback_line: int) -> tuple[Intent, YMap] | None:
        if not isinstance(node, YMap):
            self.problem(
                line_of(node, fallback_line), "each intent must be a block starting with '- id: …'"
            )
            return None
        before = len(self.problems)
        for key in node:
            if key not in _INTENT_KEYS:
                self.problem(
                    node.line_for(key),
                    f"unknown field {key!r}; expected one of {', '.join(sorted(_INTENT_KEYS))}",
                )
        intent_id = node.get("id")
        if not isinstance(intent_id, str) or not ID_RE.match(intent_id):
            self.problem(
                node.line_for("id"),
                "id must be lowercase letters, digits and _ starting with a letter, "
                "at most 48 characters (e.g. order_status)",
            )
        title = self.per_lang_text(node, "title", "the title")
        examples = self.examples(node)
        answer = self.per_lang_text(node, "answer", "the answer")
        for lang, text in answer.items():
            self.check_html(text, node.line_for("answer"), lang)
        buttons = self.buttons(node)
        articles = node.get("articles", [])
        if not isinstance(articles, list) or not all(isinstance(a, str) for a in articles):
            self.problem(node.line_for("articles"), "articles must be a list of article ids")
            articles = []
        for article_id in articles if self.article_ids is not None else ():
            if article_id not in self.article_ids:  # type: ignore[operator]
                self.problem(
                    node.line_for("articles"),
                    f"link to missing article "
                    f"{article_id!r}; add kb article {article_id}.<lang>.md or remove "
                    "the link",
                )
        handoff = node.get("handoff", "never")
        if handoff not in ("never", "always"):
            self.problem(node.line_for("handoff"), "handoff must be 'never' or 'always'")
        priority = node.get("priority", "normal")
        if priority not in _PRIORITIES:
            self.problem(node.line_for("priority"), "priority must be normal, high or urgent")
        support_line = node.get("line", 1)
        if support_line not in (1, 2, 3) or isinstance(support_line, bool):
            self.problem(node.line_for("line"), "line must be 1, 2 or 3")
        if len(self.problems) > before:
            return None
        assert isinstance(intent_id, str)
        intent = Intent(
            id=intent_id,
            title=title,
            examples=examples,
            answer=answer,
            buttons=tuple(button for button, _ in buttons),
            articles=tuple(articles),
            always_handoff=handoff == "always",
            priority=priority,
            line=int(support_line),
            file=self.file,
        )
        return intent, node


def _languages(languages: Sequence[Lang]) -> tuple[Lang, ...]:
    chosen = tuple(dict.fromkeys(languages))
    bad = [lang for lang in chosen if not is_lang_code(lang)]
    if not chosen or bad:
        raise ValueError(
            f"languages must be one or more codes of two or three lowercase letters, got {bad}"
        )
    return chosen


def _collect_intents(
    intents_dir: Path, article_ids: set[str] | None, languages: tuple[Lang, ...]
) -> tuple[dict[str, Intent], list[Problem]]:
    problems: list[Problem] = []
    intents: dict[str, Intent] = {}
    nodes: dict[str, tuple[Path, YMap]] = {}
    if not intents_dir.is_dir():
        problems.append(
            Problem(
                intents_dir,
                0,
                "the intents folder does not exist; create it or fix intents_dir in the config",
            )
        )
        return intents, problems
    files = sorted([*intents_dir.glob("*.yaml"), *intents_dir.glob("*.yml")])
    if not files:
        problems.append(Problem(intents_dir, 0, "no intent files (*.yaml) in this folder"))
    unreadable = False
    for file in files:
        reader = _Reader(file, problems, article_ids, languages)
        try:
            data, duplicates = load_yaml(file.read_text(encoding="utf-8"), file)
        except YamlSyntaxError as exc:
            problems.append(exc.problem)
            unreadable = True
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(file, 0, f"cannot read the file ({exc}); save it as UTF-8"))
            continue
        problems.extend(duplicates)
        if data is None:
            continue  # an empty file is allowed
        if not isinstance(data, YMap) or not isinstance(data.get("intents"), YList):
            reader.problem(line_of(data, 1), "the file must hold a list under 'intents:'")
            continue
        for key in data:
            if key != "intents":
                reader.problem(
                    data.line_for(key), f"unknown top-level key {key!r}; only 'intents:' is allowed"
                )
        items: YList = data["intents"]
        for index, node in enumerate(items):
            loaded = reader.intent(node, items.line_at(index))
            if loaded is None:
                continue
            intent, intent_node = loaded
            if intent.id in intents:
                first_file, first_node = nodes[intent.id]
                reader.problem(
                    intent_node.line_for("id"),
                    f"duplicate intent id {intent.id!r} "
                    f"(first defined in {first_file.name}:{first_node.line_for('id')}); "
                    "rename one of them",
                )
                continue
            intents[intent.id] = intent
            nodes[intent.id] = (file, intent_node)
    _cross_checks(intents, nodes, article_ids, problems, check_system=not unreadable)
    return intents, problems


def _cross_checks(
    intents: dict[str, Intent],
    nodes: dict[str, tuple[Path, YMap]],
    article_ids: set[str] | None,
    problems: list[Problem],
    *,
    check_system: bool,
) -> None:
    seen: dict[tuple[Lang, str], tuple[str, Path, int]] = {}
    for intent in intents.values():
        file, node = nodes[intent.id]
        examples_node = node["examples"]
        for lang, phrases in intent.examples.items():
            lines: YList = examples_node[lang]
            for index, phrase in enumerate(phrases):
                key = (lang, normalize(phrase))
                line = lines.line_at(index)
                if key in seen:
                    other_id, other_file, other_line = seen[key]
                    if other_id == intent.id:
                        problems.append(
                            Problem(
                                file,
                                line,
                                f"example {phrase!r} is repeated in "
                                f"this intent (line {other_line}); remove one",
                            )
                        )
                    else:
                        problems.append(
                            Problem(
                                file,
                                line,
                                f"example {phrase!r} is also an example of intent "
                                f"{other_id!r} ({other_file.name}:{other_line}); "
                                "keep it in one intent",
                            )
                        )
                else:
                    seen[key] = (intent.id, file, line)
        buttons_node = node.get("buttons", [])
        for index, button in enumerate(intent.buttons):
            if button.intent is not None and button.intent not in intents:
                line = buttons_node.line_at(index) if isinstance(buttons_node, YList) else node.line
                problems.append(
                    Problem(
                        file,
                        line,
                        f"button points to unknown intent "
                        f"{button.intent!r}; use an existing intent id",
                    )
                )
    if check_system:  # a file that did not parse may well hold them
        for system_id in SYSTEM_INTENTS:
            if system_id not in intents:
                anchor = min((f for f, _ in nodes.values()), default=Path("intents"))
                problems.append(
                    Problem(
                        anchor,
                        1,
                        f"system intent {system_id!r} is missing; "
                        "add an intent with this id (see docs/content-format.md)",
                    )
                )
