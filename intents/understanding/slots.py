"""Details in a message: order numbers, amounts, times, dates, emails, phones and promo codes.

Each is recognised by a pattern, kept as a :class:`Slot` and taken out of the text the matcher
sees (its place is left as a space): "when will order 458812 arrive" is matched as "when will
order arrive", so a number never seen in training does not pull the score down.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["SLOT_NAMES", "Slot", "extract_slots", "is_bare_order_id"]

SLOT_NAMES = ("email", "url", "phone", "amount", "time", "date", "promo_code", "order_id")

_MONTHS = (
    r"январ[ья]|феврал[ья]|марта?|апрел[ья]|ма[йя]|июн[ья]|июл[ья]|августа?|сентябр[ья]|"
    r"октябр[ья]|ноябр[ья]|декабр[ья]|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|"
    r"june?|july?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_CURRENCY = r"₽|руб(?:лей|ля|ль)?\.?|р\.|rub|usd|eur|gbp|долл(?:аров|ара)?|евро|\$|€|£"
_MERIDIEM = r"am|pm|a\.m\.|p\.m\."
# order matters: an email before a URL, a phone before a bare number, an amount before an order
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("url", re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)),
    (
        "phone",
        re.compile(
            r"(?<![\w#])(?:\+\d[\d\s().-]{8,16}\d|8[\s(-]*9\d{2}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2})"
        ),
    ),
    (
        "amount",
        re.compile(
            rf"(?:(?:{_CURRENCY})\s?\d[\d\s]*(?:[.,]\d{{1,2}})?|\d[\d\s]*(?:[.,]\d{{1,2}})?\s?(?:{_CURRENCY})"
            # thousands in short: "35 тыс", "90 тыщ", "60k" (two digits at least: "4k" is a
            # screen)
            rf"|\d+\s?(?:тыс(?:яч[иа]?)?\.?|тыщ[иа]?)|\d{{2,}}\s?[kк])(?!\w)",
            re.IGNORECASE,
        ),
    ),
    # a time of day: 18:00, 9:30am, 6pm, 6 p.m.
    (
        "time",
        re.compile(rf"\b\d{{1,2}}(?::\d{{2}}\s?(?:{_MERIDIEM})?|\s?(?:{_MERIDIEM}))(?!\w)", re.I),
    ),
    (
        "date",
        re.compile(
            rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[./]\d{{1,2}}(?:[./]\d{{2,4}})?|\d{{1,2}}\s(?:{_MONTHS})|(?:{_MONTHS})\s\d{{1,2}}"
            # a day of the month alone: "the 21st", "21-го", "21 числа"
            rf"|\d{{1,2}}(?:st|nd|rd|th|-?го|\sчисла))\b",
            re.IGNORECASE,
        ),
    ),
    # capitals and at least one digit, starting with a letter: SALE20, VOLT2024
    ("promo_code", re.compile(r"\b(?=[A-Z0-9]*\d)[A-Z][A-Z0-9]{3,14}\b")),
    # 5–10 digits, with the shop's letter prefix or not: 458812, VM-458812
    (
        "order_id",
        re.compile(r"(?:(?<=\s)|^|(?<=№)|(?<=#))#?№?\s?((?:[A-Za-z]{1,3}-)?\d{5,10})(?!\d)"),
    ),
)


_BARE_ORDER = re.compile(
    r"\s*(?:заказ|order)?\s*[#№]?\s*((?:[a-z]{1,3}-)?\d{5,10})\s*[.!]?\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class Slot:
    name: str  # one of SLOT_NAMES
    value: str  # as written (an order number without "#" or "№")


def extract_slots(text: str) -> tuple[str, tuple[Slot, ...]]:
    """``text`` with its details taken out, and the details found (in the order of the names)."""
    found: list[Slot] = []
    for name, pattern in _PATTERNS:

        def take(match: re.Match[str], name: str = name) -> str:
            value = match.group(match.lastindex or 0).strip()
            found.append(Slot(name, value))
            return " "

        text = pattern.sub(take, text)
    return re.sub(r"\s{2,}", " ", text).strip(), tuple(found)


def first_values(slots: tuple[Slot, ...]) -> Mapping[str, str]:
    """The first value of each kind: what ``{order_id}`` in an answer stands for."""
    values: dict[str, str] = {}
    for slot in slots:
        values.setdefault(slot.name, slot.value)
    return values


def is_bare_order_id(text: str) -> str | None:
    """The order number when the message is nothing else ("458812", "#458812", "№ 458812")."""
    match = _BARE_ORDER.fullmatch(text)
    return match.group(1) if match else None
