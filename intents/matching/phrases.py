"""Labelled phrase files (one ``intent_id | message`` per line) and how the engine does on them.

Used by ``supportbot eval --phrases FILE``, e.g. with the paraphrase sets kept with the tests:
messages that share no content word with their intent's examples, so only meaning can match
them. A phrase is *right* when the engine's best candidate is its intent, *answered right* when
the engine answers with it (or hands off with it, for ``human_request``), and *confidently
wrong* when the engine answers with anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from intents.errors import IntentsError
from intents.matching.engine import Engine
from intents.matching.stemming import stem_word
from intents.text import normalize

__all__ = ["Phrase", "PhraseReport", "content_stems", "evaluate_phrases", "load_phrases"]

# words that carry no topic: pronouns, articles, auxiliaries, prepositions, question words
_STOP_WORDS = """
    a an the i me my mine we us our you your it its he she they them their this that these
    those is am are was were be been being do does did done have has had having will would can
    could shall should may might must to of in on at by for from with about into over under up
    down out off and or but if so not no yes what which who whom whose when where why how there
    here just please any some all too very much many more most also now then than as like get
    got want wants need needs let still yet until another myself come comes came take put im
    dont cant wont didnt isnt its ive id ill я мне меня мой моя мое мои мы нас наш наша ты тебя
    твой вы вас ваш ваша ваши он она оно они их его ее это этот эта эти тот та те то и или а но
    не ни да нет что как где когда куда откуда почему зачем кто чей в во на с со к ко по о об
    от до из за для при у же ли бы вот там тут уже еще ещё все всё весь очень можно нужно надо
    есть был была было были будет быть мне пожалуйста так такой какой какая какие какому какого
    каком сколько ну чем через сейчас моей моих моим моего моему мою вашей вашего вашу хочу
    хотел хотела хотим будут какими без нужны нужна нужен
"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Phrase:
    intent: str
    text: str
    line: int


def load_phrases(path: Path, known: Iterable[str] = ()) -> list[Phrase]:
    """Read ``intent_id | message`` lines (``#`` comments and blank lines skipped).

    Raises :class:`IntentsError` naming the file and line of a malformed line or an intent not
    in ``known`` (when given).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise IntentsError(f"{path}: cannot read the phrase file ({exc.strerror})") from exc
    intents = set(known)
    phrases: list[Phrase] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        intent, sep, text = (part.strip() for part in line.partition("|"))
        if not sep or not intent or not text:
            raise IntentsError(f"{path}:{number}: expected 'intent_id | message', got {raw!r}")
        if intents and intent not in intents:
            raise IntentsError(f"{path}:{number}: unknown intent {intent!r}")
        phrases.append(Phrase(intent, text, number))
    if not phrases:
        raise IntentsError(f"{path}: no phrases in this file")
    return phrases


def content_stems(text: str) -> set[str]:
    """Snowball stems of the words that carry meaning (stop words and one-letter words out)."""
    return {
        stem_word(word) for word in normalize(text).split() if len(word) > 1 and word not in _STOP
    }


@dataclass(frozen=True)
class PhraseReport:
    total: int
    right: int  # best candidate is the phrase's intent
    answered_right: int
    clarified_right: int  # a "did you mean" offering the phrase's intent
    confidently_wrong: tuple[tuple[Phrase, str], ...]  # answered with another intent / article
    missed: tuple[tuple[Phrase, str], ...]  # not right: (phrase, what the engine did)

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def evaluate_phrases(engine: Engine, phrases: Sequence[Phrase]) -> PhraseReport:
    right = answered = clarified = 0
    wrong: list[tuple[Phrase, str]] = []
    missed: list[tuple[Phrase, str]] = []
    for phrase in phrases:
        decision = engine.decide(phrase.text)
        top = decision.candidates[0].id if decision.candidates else ""
        got = decision.intent_id or decision.article
        if top == phrase.intent:
            right += 1
        else:
            missed.append((phrase, f"{decision.action} {got or top or '-'}"))
        if decision.action == "answer" or (decision.action != "clarify" and got is not None):
            if got == phrase.intent:
                answered += 1
            else:
                wrong.append((phrase, f"{decision.action} {got}"))
        elif decision.action == "clarify" and any(o.id == phrase.intent for o in decision.options):
            clarified += 1
    return PhraseReport(len(phrases), right, answered, clarified, tuple(wrong), tuple(missed))
