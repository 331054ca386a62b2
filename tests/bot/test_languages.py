"""Languages come from the config and the files: a third one is added without touching code."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_app
from bot.config import load_settings
from bot.core.actions import RecordingOutbox, SendText
from bot.core.events import MessageReceived, Person
from handoff.clock import ManualClock

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ROOT / "bot" / "texts"
SATURDAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # operators work Monday to Friday

_INTENTS = """\
intents:
  - id: greeting
    title: {ru: Приветствие, en: Greeting, de: Begrüßung}
    examples:
      ru: [привет, здравствуйте, добрый день]
      en: [hi, hello, good morning]
      de: [hallo, guten tag, guten morgen]
    answer: {ru: Здравствуйте!, en: Hello!, de: Guten Tag!}
  - id: thanks
    title: {ru: Спасибо, en: Thanks, de: Danke}
    examples:
      ru: [спасибо, благодарю, спасибо большое]
      en: [thanks, thank you, many thanks]
      de: [danke, vielen dank, danke schön]
    answer: {ru: Рады помочь!, en: Happy to help!, de: Gern geschehen!}
  - id: goodbye
    title: {ru: Пока, en: Bye, de: Tschüss}
    examples:
      ru: [пока, до свидания, всего доброго]
      en: [bye, goodbye, see you]
      de: [tschüss, auf wiedersehen, bis bald]
    answer: {ru: До свидания!, en: Goodbye!, de: Auf Wiedersehen!}
  - id: human_request
    title: {ru: Позвать оператора, en: Talk to a person, de: Mit einem Menschen sprechen}
    examples:
      ru: [позовите оператора, хочу поговорить с человеком, оператор]
      en: [talk to a human, operator please, i want a real person]
      de: [ich möchte mit einem menschen sprechen, mitarbeiter bitte, einen menschen bitte]
    answer: {ru: Зову оператора., en: Calling an operator., de: Ich rufe einen Mitarbeiter.}
  - id: order_status
    title: {ru: Статус заказа, en: Order status, de: Bestellstatus}
    examples:
      ru: [где мой заказ, статус заказа, когда приедет посылка]
      en: [where is my order, order status, when will my parcel arrive]
      de: [wo ist meine bestellung, status meiner bestellung, wann kommt mein paket]
    answer:
      ru: Заказ в пути.
      en: Your order is on its way.
      de: Ihre Bestellung ist unterwegs.
"""

_GERMAN = {  # the rest of de.toml is the English file, as a translator would start it
    "handoff_offhours": (
        "Unsere Mitarbeiter sind gerade nicht da; sie sind {when} zurück. "
        "Ihre Anfrage #{ticket} ist gespeichert."
    ),
    "when_today": "heute um {time}",
    "when_tomorrow": "morgen um {time}",
    "when_weekday": "am {weekday} ({date}) um {time}",
    "when_date_format": "%d.%m.",
    **{
        f"weekday_{n}": day
        for n, day in enumerate(
            ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
        )
    },
}


def _german_setup(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "intents").mkdir(parents=True)
    (content / "kb").mkdir()
    (content / "intents" / "all.yaml").write_text(_INTENTS, encoding="utf-8")
    texts = tmp_path / "texts"
    texts.mkdir()
    for lang in ("ru", "en"):
        (texts / f"{lang}.toml").write_bytes((TEXTS / f"{lang}.toml").read_bytes())
    english = tomllib.loads((TEXTS / "en.toml").read_text(encoding="utf-8"))
    german = english | _GERMAN
    (texts / "de.toml").write_text(
        "".join(
            f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in german.items()
        ),
        encoding="utf-8",
    )
    config = tmp_path / "config.toml"
    config.write_text(
        f"""\
[languages]
supported = ["ru", "en", "de"]
default = "en"

[content]
intents_dir = "{content / "intents"}"
kb_dir = "{content / "kb"}"
texts_dir = "{texts}"

[database]
url = "sqlite+aiosqlite:///{tmp_path / "bot.sqlite3"}"

[hours]
days = [1, 2, 3, 4, 5]
""",
        encoding="utf-8",
    )
    return config


def _message(update_id: int, text: str, who: Person) -> MessageReceived:
    return MessageReceived(
        update_id=update_id,
        chat_id=who.telegram_id,
        private=True,
        sender=who,
        message_id=update_id,
        date=SATURDAY,
        text=text,
    )


async def test_a_third_language_by_files_and_config_alone(tmp_path: Path) -> None:
    settings = load_settings(_german_setup(tmp_path))
    outbox = RecordingOutbox()
    hans = Person(telegram_id=77, name="Hans", language_code="de-AT")
    olga = Person(telegram_id=78, name="Olga", language_code="uk")  # not configured: default
    async with build_app(settings, outbox, clock=ManualClock(SATURDAY)) as app:
        await app.core.handle(_message(1, "Wo ist meine Bestellung?", hans))
        await app.core.handle(_message(2, "Mitarbeiter bitte", hans))
        await app.core.handle(_message(3, "where is my order", olga))
    said = [a.text for a in outbox.actions if isinstance(a, SendText) and a.chat_id == 77]
    assert said[0] == "Ihre Bestellung ist unterwegs."
    assert said[-1].startswith(
        "Unsere Mitarbeiter sind gerade nicht da; sie sind am Montag (30.11.)"
    )
    to_olga = [a.text for a in outbox.actions if isinstance(a, SendText) and a.chat_id == 78]
    assert to_olga == ["Your order is on its way."]


def test_every_text_key_exists_in_every_shipped_language() -> None:
    files = sorted(TEXTS.glob("*.toml"))
    assert len(files) >= 2
    keys = {file.stem: set(tomllib.loads(file.read_text(encoding="utf-8"))) for file in files}
    every = set().union(*keys.values())
    assert {lang: sorted(every - have) for lang, have in keys.items()} == {
        lang: [] for lang in keys
    }
