"""Russian word forms: lemmas and function words, from the OpenCorpora dictionary (pymorphy3).

Snowball stems miss many Russian inflections: "ошиблась" / "ошибся", "чехла" / "чехол",
"врученный" / "вручен" have different stems but one lemma. The reader uses :func:`lemmas` to
replace a word the content does not know by a content word of the same lemma, and
:func:`is_function_word` to leave out an unknown preposition, conjunction or particle ("об",
"около"), which says nothing about the subject but would count as an unknown word, and
:func:`is_place` to read a town the content does not name as one it does. Languages
without an analyzer (English: Snowball stems serve it well) get no lemmas.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import NamedTuple, Protocol

__all__ = [
    "dictionary_loaded",
    "has_morphology",
    "in_dictionary",
    "is_abroad",
    "is_function_word",
    "is_place",
    "lemmas",
    "preload_readings",
    "readings_key",
    "readings_table",
]

_LANGS = frozenset({"ru"})
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL"})
# a lemma counts when this share of the word's dictionary readings (by the analyzer's estimate of
# how likely each is) leads to it: "данные" is a participle of "дать" in a third of them, and
# "дадите" must not become "данные"; "разбит" is "разбить" or "разбитый" half and half
LIKELY = 0.4
MIN_LETTERS = 4  # shorter words are too ambiguous to change ("ищу" is not "ищем")


class _Tag(Protocol):
    @property
    def POS(self) -> str | None: ...  # the library's name

    def __contains__(self, grammeme: object) -> bool: ...


class _Parse(Protocol):
    @property
    def normal_form(self) -> str: ...

    @property
    def tag(self) -> _Tag: ...

    @property
    def is_known(self) -> bool: ...

    @property
    def score(self) -> float: ...


class _Analyzer(Protocol):
    def parse(self, word: str) -> list[_Parse]: ...


@lru_cache(maxsize=1)
def _analyzer() -> _Analyzer:
    # one per process: loading the dictionary takes a fraction of a second and about 20 MB;
    # imported here, with it: words preloaded (preload_readings) need neither
    import pymorphy3  # type: ignore[import-untyped]

    analyzer: _Analyzer = pymorphy3.MorphAnalyzer(lang="ru")
    return analyzer


def _is_cyrillic(word: str) -> bool:
    return any("а" <= c <= "я" for c in word)


def has_morphology(lang: str) -> bool:
    return lang in _LANGS


class _Reading(NamedTuple):
    lemma: str
    pos: str | None
    likelihood: float
    place: bool  # a geographical name ("томск", "химки")


_KEPT = 50_000  # words whose readings are kept for good (preloaded or read first)
_table: dict[str, tuple[_Reading, ...]] = {}


def _parses(word: str) -> tuple[_Reading, ...]:
    """Each dictionary reading of ``word``, likeliest first; a word the dictionary does not know
    (a guess from its ending) has none."""
    found = _table.get(word)
    if found is None:
        if len(_table) < _KEPT:
            found = _table[word] = _read(word)
        else:  # weeks of typos and spam later: the newest words, in a cache that forgets
            found = _read_recent(word)
    return found


def _read(word: str) -> tuple[_Reading, ...]:
    return tuple(
        _Reading(p.normal_form.replace("ё", "е"), p.tag.POS, float(p.score), "Geox" in p.tag)
        for p in _analyzer().parse(word)
        if p.is_known
    )


_read_recent = lru_cache(maxsize=10_000)(_read)


def readings_key() -> str:
    """What the readings depend on (the versions of pymorphy3 and of its Russian dictionary,
    this module's code): a table saved under another key must not be preloaded."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for package in ("pymorphy3", "pymorphy3-dicts-ru"):
        digest.update(f"{package} {metadata.version(package)}".encode())
    return digest.hexdigest()


def readings_table() -> dict[str, list[list[str | float | bool | None]]]:
    """The readings of every word looked up so far (or preloaded), as JSON values: saved, they
    let another process read the same words without loading the dictionary."""
    # a copy first: a reload may build a reader (and read new words) in another thread
    return {word: [list(reading) for reading in found] for word, found in list(_table.items())}


def preload_readings(table: Mapping[str, Sequence[Sequence[str | float | bool | None]]]) -> None:
    """Readings from :func:`readings_table` of a process with the same :func:`readings_key`
    (the caller checks it): those words are then read without the dictionary, which is loaded
    only for the first other word. ``ValueError`` for a table of another shape."""
    for word, found in table.items():
        readings = []
        for lemma, pos, likelihood, place in found:
            if not isinstance(lemma, str) or not isinstance(pos, str | None):
                raise ValueError(f"not a table of readings: {word!r}: {found!r}")
            readings.append(_Reading(lemma, pos, float(likelihood or 0), bool(place)))
        if len(_table) < _KEPT:
            _table.setdefault(word, tuple(readings))


def dictionary_loaded() -> bool:
    """Whether this process loaded the dictionary (some word was not preloaded)."""
    return _analyzer.cache_info().currsize > 0


def lemmas(word: str, lang: str) -> frozenset[str]:
    """The likely dictionary lemmas of ``word`` ("разбит" → разбить, разбитый); none for a word
    shorter than four letters, unknown to the dictionary, not in Cyrillic, or of a language
    without an analyzer."""
    if len(word) < MIN_LETTERS or not has_morphology(lang) or not _is_cyrillic(word):
        return frozenset()
    parses = _parses(word)
    total = sum(r.likelihood for r in parses)
    likelihood: dict[str, float] = {}
    for r in parses:
        likelihood[r.lemma] = likelihood.get(r.lemma, 0.0) + r.likelihood
    return frozenset(lemma for lemma, share in likelihood.items() if share >= LIKELY * total)


def is_place(word: str, lang: str) -> bool:
    """The word is likely a geographical name ("томске", "химках", "спб")."""
    if len(word) < 3 or not has_morphology(lang) or not _is_cyrillic(word):
        return False
    parses = _parses(word)
    total = sum(r.likelihood for r in parses)
    return bool(parses) and sum(r.likelihood for r in parses if r.place) >= LIKELY * total


# places abroad, by lemma: foreign countries and the towns customers of a Russian shop write
# from most; a place abroad stands only for a place abroad the content names ("из турции" is not
# "из россии": the content's answers for calls and deliveries from abroad differ)
ABROAD = frozenset(
    """
    австралия австрия азербайджан азия алма-ата алматы америка англия анталья армения астана
    африка баку беларусь белоруссия бельгия берлин бишкек болгария бразилия британия варшава
    великобритания венгрия вильнюс вьетнам германия голландия греция грузия дания дубай душанбе
    европа египет ереван израиль индия индонезия ирландия испания италия казахстан канада киев
    кипр киргизия киргизстан китай кишинев корея кыргызстан латвия литва лондон мадрид мексика
    минск молдавия молдова монголия нидерланды норвегия оаэ париж польша португалия прага рига
    рим румыния сербия сингапур словакия стамбул сша таджикистан таиланд тайланд таллин ташкент
    тбилиси токио тунис туркменистан туркмения турция узбекистан украина финляндия франция
    хорватия черногория чехия швейцария швеция эстония япония
    """.split()  # noqa: SIM905 (a word list, easier to read and extend as text)
)


def is_abroad(word: str) -> bool:
    """``word`` names a place abroad ("турции", "минске"; not "томске" or "россии")."""
    if not has_morphology("ru") or not _is_cyrillic(word):
        return False
    return any(reading.place and reading.lemma in ABROAD for reading in _parses(word))


def in_dictionary(word: str, lang: str) -> bool | None:
    """Whether ``word`` is a dictionary word ("какой"), not a typo ("какои"); None when there is
    no dictionary to tell (another language, not in Cyrillic)."""
    if not has_morphology(lang) or not _is_cyrillic(word):
        return None
    return bool(_parses(word))


def is_function_word(word: str, lang: str) -> bool:
    """The word's likeliest reading is a preposition, conjunction or particle ("об", "около")."""
    if not has_morphology(lang) or not _is_cyrillic(word):
        return False
    parses = _parses(word)
    return bool(parses) and parses[0].pos in _FUNCTION_POS
