"""Button payloads: short typed values packed into Telegram's 64-byte ``callback_data``."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AddExample",
    "Article",
    "Callback",
    "CloseTicket",
    "Csat",
    "Escalate",
    "Feedback",
    "Language",
    "Person",
    "ShowIntent",
    "SkipComment",
    "Solved",
    "TakeTicket",
    "decode",
    "encode",
]

MAX_BYTES = 64


@dataclass(frozen=True, slots=True)
class ShowIntent:
    intent_id: str


@dataclass(frozen=True, slots=True)
class Article:
    article_id: str


@dataclass(frozen=True, slots=True)
class Feedback:
    decision_id: int
    helped: bool


@dataclass(frozen=True, slots=True)
class Person:
    pass


@dataclass(frozen=True, slots=True)
class Rephrase:
    pass


@dataclass(frozen=True, slots=True)
class Language:
    lang: str


@dataclass(frozen=True, slots=True)
class TakeTicket:
    ticket_id: int


@dataclass(frozen=True, slots=True)
class CloseTicket:
    ticket_id: int


@dataclass(frozen=True, slots=True)
class Escalate:
    ticket_id: int


@dataclass(frozen=True, slots=True)
class Csat:
    ticket_id: int
    score: int


@dataclass(frozen=True, slots=True)
class Solved:
    ticket_id: int
    solved: bool


@dataclass(frozen=True, slots=True)
class AddExample:
    """An admin adds the question of ``decision_id`` to the examples of ``intent_id``."""

    decision_id: int
    intent_id: str


@dataclass(frozen=True, slots=True)
class SkipComment:
    ticket_id: int


Callback = (
    ShowIntent
    | Article
    | Feedback
    | Person
    | Rephrase
    | Language
    | TakeTicket
    | CloseTicket
    | Escalate
    | Csat
    | Solved
    | SkipComment
    | AddExample
)


def encode(value: Callback) -> str:
    match value:
        case ShowIntent(intent_id):
            data = f"i:{intent_id}"
        case Article(article_id):
            data = f"a:{article_id}"
        case Feedback(decision_id, helped):
            data = f"f:{decision_id}:{int(helped)}"
        case Person():
            data = "p"
        case Rephrase():
            data = "r"
        case Language(lang):
            data = f"l:{lang}"
        case TakeTicket(ticket_id):
            data = f"t:{ticket_id}"
        case CloseTicket(ticket_id):
            data = f"c:{ticket_id}"
        case Escalate(ticket_id):
            data = f"e:{ticket_id}"
        case Csat(ticket_id, score):
            data = f"s:{ticket_id}:{score}"
        case Solved(ticket_id, solved):
            data = f"v:{ticket_id}:{int(solved)}"
        case SkipComment(ticket_id):
            data = f"k:{ticket_id}"
        case AddExample(decision_id, intent_id):
            data = f"x:{decision_id}:{intent_id}"  # an intent id has at most 48 characters
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}; use a shorter id")
    return data


MAX_ID = 2**63 - 1  # a 64-bit database key: larger numbers cannot name anything stored


def parse_id(text: str) -> int:
    """A stored record's id from ASCII digits (not ``²`` or ``①``, which ``int`` refuses anyway,
    nor a number no database column holds); ValueError otherwise."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_ID:
        raise ValueError(f"not a record id: {text!r}")
    return int(text)


def decode(data: str) -> Callback | None:
    """The typed payload, or None for anything we did not make (old buttons, forged data)."""
    kind, _, rest = data.partition(":")
    try:
        match kind:
            case "i" if rest:
                return ShowIntent(rest)
            case "a" if rest:
                return Article(rest)
            case "f":
                decision, flag = rest.split(":")
                return Feedback(parse_id(decision), flag == "1")
            case "p" if not rest:
                return Person()
            case "r" if not rest:
                return Rephrase()
            case "l" if rest:
                return Language(rest)
            case "t":
                return TakeTicket(parse_id(rest))
            case "c":
                return CloseTicket(parse_id(rest))
            case "e":
                return Escalate(parse_id(rest))
            case "s":
                ticket, score = rest.split(":")
                return Csat(parse_id(ticket), int(score))
            case "v":
                ticket, flag = rest.split(":")
                return Solved(parse_id(ticket), flag == "1")
            case "k":
                return SkipComment(parse_id(rest))
            case "x":
                decision, intent_id = rest.split(":", 1)
                return AddExample(parse_id(decision), intent_id) if intent_id else None
    except ValueError:
        return None
    return None
