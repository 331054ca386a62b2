"""Building the bot's replies: answers with their buttons, clarifying questions, topic menus."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.core import callbacks as cb
from bot.core.actions import Button, Keyboard
from bot.core.texts import Texts
from intents import Content, Intent, Lang
from intents.understanding import SLOT_NAMES
from kb import render_article

__all__ = [
    "PRESSED",
    "Reply",
    "answer_article",
    "answer_intent",
    "as_lang",
    "clarify",
    "fill_slots",
    "person_row",
    "pressed_title",
    "topics_menu",
]


PRESSED = "button"  # the media kind of a stored button press: "[button] 👎 Didn't help"


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    keyboard: Keyboard = ()
    record_buttons: bool = False  # the transcript keeps what the buttons offered (a clarify)

    @property
    def recorded_text(self) -> str:
        """The text as stored for the transcript: with the offered buttons when they matter."""
        if not self.record_buttons:
            return self.text
        offered = " · ".join(f"[{b.text}]" for row in self.keyboard for b in row)
        return f"{self.text}\n{offered}" if offered else self.text


def person_row(texts: Texts, lang: str, *, rephrase: bool = False) -> tuple[Button, ...]:
    row = [Button(texts(lang, "button_person"), data=cb.encode(cb.Person()))]
    if rephrase:
        row.append(Button(texts(lang, "button_rephrase"), data=cb.encode(cb.Rephrase())))
    return tuple(row)


def feedback_row(texts: Texts, lang: str, decision_id: int) -> tuple[Button, ...]:
    return (
        Button(texts(lang, "button_helped"), data=cb.encode(cb.Feedback(decision_id, True))),
        Button(texts(lang, "button_not_helped"), data=cb.encode(cb.Feedback(decision_id, False))),
    )


def as_lang(code: str, content: Content) -> Lang:
    """A customer's language code as one the content has: itself, else the configured default."""
    return content.lang(code)


def _title(titles: Mapping[Lang, str], lang: str, fallback: str) -> str:
    return titles.get(lang) or next(iter(titles.values()), fallback)


def answer_intent(
    content: Content,
    intent: Intent,
    lang: str,
    texts: Texts,
    *,
    decision_id: int | None,
    values: Mapping[str, str] | None = None,
    handing_off: bool = False,
) -> Reply:
    """The intent's answer with its quick replies, linked articles and, for real questions,
    the feedback and "talk to a person" buttons — not when ``handing_off`` (a person is being
    called right after it: asking "did it help?" would contradict that). ``values`` fill the
    answer's ``{order_id}``-style placeholders (see :func:`fill_slots`)."""
    lang = content.lang(lang)
    text = intent.answer.get(lang) or next(iter(intent.answer.values()))
    text = fill_slots(text, values or {})
    rows: list[tuple[Button, ...]] = []
    quick: list[Button] = []
    for button in intent.buttons:
        title = _title(button.title, lang, button.intent or button.url or "")
        if button.url:
            quick.append(Button(title, url=button.url))
        elif button.intent and button.intent in content.intents:
            quick.append(Button(title, data=cb.encode(cb.ShowIntent(button.intent))))
    for article_id in intent.articles:
        article = content.article(article_id, lang)
        if article is not None:
            quick.append(Button("📄 " + article.title, data=cb.encode(cb.Article(article_id))))
    rows.extend(_pairs(quick))
    if intent.is_system or handing_off:
        if intent.id == "greeting":
            rows.extend(topics_menu(content, lang, ()).keyboard)
        return Reply(text.strip(), tuple(rows))
    if decision_id is not None:
        rows.append(feedback_row(texts, lang, decision_id))
    rows.append(person_row(texts, lang))
    return Reply(text.strip(), tuple(rows))


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill_slots(text: str, values: Mapping[str, str]) -> str:
    """``{order_id}`` and friends replaced by the message's details (HTML-escaped); a line that
    needs a detail the customer did not give is left out."""
    lines: list[str] = []
    for line in text.splitlines(keepends=True):
        names = [name for name in _PLACEHOLDER.findall(line) if name in SLOT_NAMES]
        if any(name not in values for name in names):
            continue
        lines.append(_PLACEHOLDER.sub(lambda m: _filled(m, values), line))
    return "".join(lines)


def _filled(match: re.Match[str], values: Mapping[str, str]) -> str:
    """A slot's value; other placeholders (``{hours}``) are left for their own filler."""
    name = match.group(1)
    return html.escape(values[name]) if name in SLOT_NAMES else match.group(0)


def answer_article(
    content: Content, article_id: str, lang: str, texts: Texts, *, decision_id: int | None
) -> Reply | None:
    article = content.article(article_id, content.lang(lang))
    if article is None:
        return None
    text = render_article(article)
    rows: list[tuple[Button, ...]] = []
    if decision_id is not None:
        rows.append(feedback_row(texts, lang, decision_id))
    rows.append(person_row(texts, lang))
    return Reply(text, tuple(rows))


@dataclass(frozen=True, slots=True)
class Choice:
    kind: str  # "intent" | "article"
    id: str


def clarify(content: Content, choices: Sequence[Choice], lang: str, texts: Texts) -> Reply:
    rows: list[tuple[Button, ...]] = []
    lang = content.lang(lang)
    for choice in choices:
        if choice.kind == "intent" and choice.id in content.intents:
            intent = content.intents[choice.id]
            title = _title(intent.title, lang, intent.id)
            rows.append((Button(title, data=cb.encode(cb.ShowIntent(intent.id))),))
        elif choice.kind == "article":
            article = content.article(choice.id, lang)
            if article is not None:
                rows.append((Button("📄 " + article.title, data=cb.encode(cb.Article(choice.id))),))
    rows.append(person_row(texts, lang))
    return Reply(texts(lang, "clarify"), tuple(rows), record_buttons=True)


def pressed_title(payload: cb.Callback | None, content: Content, texts: Texts, lang: str) -> str:
    """What the button the customer pressed said, for the transcript."""
    match payload:
        case cb.Feedback(_, helped):
            return texts(lang, "button_helped" if helped else "button_not_helped")
        case cb.Person():
            return texts(lang, "button_person")
        case cb.Rephrase():
            return texts(lang, "button_rephrase")
        case cb.ShowIntent(intent_id) if intent_id in content.intents:
            return _title(content.intents[intent_id].title, lang, intent_id)
        case cb.Article(article_id):
            article = content.article(article_id, as_lang(lang, content))
            return "📄 " + (article.title if article else article_id)
        case cb.Language(code):
            return code
    return "?"


def topics_menu(content: Content, lang: str, popular: Iterable[str]) -> Reply:
    lang = content.lang(lang)
    buttons = [
        Button(
            _title(content.intents[intent_id].title, lang, intent_id),
            data=cb.encode(cb.ShowIntent(intent_id)),
        )
        for intent_id in popular
        if intent_id in content.intents
    ]
    return Reply("", tuple(_pairs(buttons)))


def _pairs(buttons: Sequence[Button]) -> list[tuple[Button, ...]]:
    """Two buttons a row: short titles fit, long ones still read on a phone."""
    return [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]
