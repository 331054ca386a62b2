"""Which language a message is written in, word by word, with the evidence counted.

Each word is read as the content's words of some language: as is ("заказ", "order"), typed with
the other keyboard layout ("ghbdtn" → "привет", "цруку" → "where") or, for Latin letters, as
transliterated Russian ("zakaz" → "заказ"). A word known to several languages ("iphone",
"hello") and anything that is not a word (numbers, emails, links, emoji, punctuation) carries no
evidence; an unknown word carries half a point for the only language written in its script.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from intents.text import normalize
from intents.understanding.layout import en_keys_to_ru, ru_keys_to_en
from intents.understanding.lexicon import Lexicon, is_cyrillic, is_latin
from intents.understanding.transliterate import to_cyrillic

__all__ = ["Reading", "WordReading", "read_words", "unmix_scripts"]

_TRANSLIT, _LAYOUT, _AS_IS = "transliteration", "layout", "as_is"


@dataclass(frozen=True)
class WordReading:
    surface: str
    lang: str | None  # the language it belongs to, None when it says nothing
    word: str  # the word to match with (converted when read through a layout or transliteration)
    via: str  # as_is | layout | transliteration
    weight: float  # evidence: 1 for a known word, ½ for an unknown one in a one-language script
    known: bool = False  # the word (as converted) is a word of the content of ``lang``
    name: bool = False  # written like a name ("iPhone", "Pro", "London"): no evidence
    model: bool = False  # part of a product model ("iPhone 15 Pro Max", "ps5")
    known_in: frozenset[str] = frozenset()  # for a model's word: the languages that know it


@dataclass(frozen=True)
class Reading:
    words: tuple[WordReading, ...]

    def evidence(self) -> dict[str, float]:
        points: dict[str, float] = {}
        for word in self.words:
            if word.lang is not None:
                points[word.lang] = points.get(word.lang, 0.0) + word.weight
        return points

    def text_for(self, lang: str, *, mixed: bool = False) -> str:
        """The message as words of ``lang``: converted words of ``lang``, the rest as typed.

        In a ``mixed`` message the words of other languages are left out (they would only count
        as unknown). Names stay: leaving out the words the content does not know would make an
        unrelated question look like a content one ("when does Harrods open"); only the unknown
        parts of a product model go ("iPhone 15 Pro Max" is read as "iphone 15").
        """
        kept: list[str] = []
        for w in self.words:
            if mixed and w.lang is not None and w.lang != lang and w.weight >= 1:
                continue
            if w.model and lang not in w.known_in:
                continue
            kept.append(w.word if w.lang == lang else w.surface)
        return " ".join(kept)

    @property
    def via(self) -> frozenset[str]:
        return frozenset(w.via for w in self.words if w.via != _AS_IS)


def _only(langs: list[str]) -> str | None:
    return langs[0] if len(langs) == 1 else None


def _read(word: str, lexicons: Mapping[str, Lexicon]) -> WordReading:
    known = [lang for lang, lexicon in lexicons.items() if lexicon.knows(word)]
    if len(known) > 1 or word.isdigit() or len(word) < 2:
        return WordReading(word, None, word, _AS_IS, 0.0)
    cyrillic_langs = [lang for lang, lexicon in lexicons.items() if lexicon.cyrillic]
    latin_langs = [lang for lang, lexicon in lexicons.items() if not lexicon.cyrillic]
    if known:
        ru = _only(cyrillic_langs)
        # known both as typed and as transliterated Russian ("kaliningrad", "status", "bonus"):
        # like a word of several languages, no evidence for either
        if (
            ru is not None
            and ru not in known
            and len(word) >= 3
            and is_latin(word)
            and lexicons[ru].knows(to_cyrillic(word))
        ):
            return WordReading(word, None, word, _AS_IS, 0.0)
        return WordReading(word, known[0], word, _AS_IS, 1.0, known=True)
    if is_latin(word):
        ru = _only(cyrillic_langs)
        if ru is not None and len(word) >= 3:
            for converted, via in ((en_keys_to_ru(word), _LAYOUT), (to_cyrillic(word), _TRANSLIT)):
                if lexicons[ru].knows(converted):
                    return WordReading(word, ru, converted, via, 1.0, known=True)
        en = _only(latin_langs)
        return WordReading(word, en, word, _AS_IS, 0.5 if en and len(word) >= 3 else 0.0)
    if is_cyrillic(word):
        en = _only(latin_langs)
        if en is not None and len(word) >= 2:
            converted = ru_keys_to_en(word)
            if converted.isascii() and lexicons[en].knows(converted):
                return WordReading(word, en, converted, _LAYOUT, 1.0, known=True)
        ru = _only(cyrillic_langs)
        return WordReading(word, ru, word, _AS_IS, 0.5 if ru and len(word) >= 3 else 0.0)
    return WordReading(word, None, word, _AS_IS, 0.0)


def read_words(text: str, lexicons: Mapping[str, Lexicon]) -> Reading:
    """Every word of ``text`` read against the lexicons."""
    text = _layout_punctuation(unicodedata.normalize("NFKC", text), lexicons)
    raw = _TOKEN.findall(text)
    models = _model_tokens(raw, lexicons)
    words: list[WordReading] = []
    for i, token in enumerate(raw):
        if _looks_like_name(raw, i) or i in models:
            words += [
                WordReading(
                    w, None, w, _AS_IS, 0.0, name=True, model=True, known_in=_known(w, lexicons)
                )
                if i in models
                else WordReading(w, None, w, _AS_IS, 0.0, name=True)
                for w in normalize(token).split()
            ]
            continue
        token = unmix_scripts(token)
        soft = _soft_sign(token.lower(), lexicons)
        if soft is not None:
            words.append(soft)
            continue
        words += [_read(word, lexicons) for word in normalize(token).split()]
    return _whole_transliteration(Reading(tuple(words)), lexicons)


# the keys of б, ю, ж, х, ъ give punctuation in the English layout: "pf,sk" is "забыл"
_LAYOUT_KEYS = re.compile(r"[a-z,.;\[\]]+")
_KEY_INSIDE = re.compile(r"[,.;\[\]][a-z]")


def _layout_punctuation(text: str, lexicons: Mapping[str, Lexicon]) -> str:
    """``text`` with each Latin chunk that has such a key before a letter ("pf,sk", ",jkmijt")
    written in Russian when that gives a word of the Russian content; the tokenizer would
    otherwise split it at the punctuation ("pf" and "sk")."""
    ru = lexicons.get("ru")
    if ru is None:
        return text

    def convert(chunk: str) -> str:
        lower = chunk.lower()
        if not _LAYOUT_KEYS.fullmatch(lower) or not _KEY_INSIDE.search(lower):
            return chunk
        converted = en_keys_to_ru(lower.rstrip(",.;"))
        return converted if ru.knows(converted) else chunk

    return " ".join(convert(chunk) for chunk in text.split())


# Latin and Cyrillic letters drawn alike: a word mixing both scripts is written in the one most of
# its letters are in ("отменитe" with a Latin e, "оrder" with a Cyrillic о)
_LATIN_LIKE = "aeopcxykmthbAEOPCXYKMTHB"
_CYRILLIC_LIKE = "аеорсхукмтнвАЕОРСХУКМТНВ"
_TO_CYRILLIC = str.maketrans(_LATIN_LIKE, _CYRILLIC_LIKE)
_TO_LATIN = str.maketrans(_CYRILLIC_LIKE, _LATIN_LIKE)


def unmix_scripts(token: str) -> str:
    """``token`` in one script when it mixes Latin and Cyrillic look-alike letters."""
    cyrillic = sum(1 for c in token.lower() if "а" <= c <= "я" or c == "ё")
    latin = sum(1 for c in token.lower() if "a" <= c <= "z")
    if not cyrillic or not latin:
        return token
    return token.translate(_TO_CYRILLIC if cyrillic >= latin else _TO_LATIN)


_TOKEN = re.compile(r"[^\W_]+(?:['’`][^\W_]+)*['’`]?")


def _soft_sign(token: str, lexicons: Mapping[str, Lexicon]) -> WordReading | None:
    """A Latin word with an apostrophe read as transliterated Russian, the apostrophe being ь
    ("skol'ko" → "сколько", "kazan'" → "казань"); None when that is not a Russian word."""
    if "'" not in token.replace("’", "'").replace("`", "'") or not token.isascii():
        return None
    ru = [lang for lang, lexicon in lexicons.items() if lexicon.cyrillic]
    if len(ru) != 1:
        return None
    converted = to_cyrillic(token.replace("’", "'"))
    if lexicons[ru[0]].knows(converted) or lexicons[ru[0]].knows(converted.rstrip("ь")):
        return WordReading(token, ru[0], converted, _TRANSLIT, 1.0, known=True)
    return None


def _model_tokens(tokens: list[str], lexicons: Mapping[str, Lexicon]) -> set[int]:
    """The positions of the words of product models the content knows: a run of Latin words
    written like names, words with a digit ("S24") and numbers ("iPhone 15 Pro Max") that has a
    number or a word with a digit, and a word of the content ("iphone"). A model the content
    does not know at all ("PS4", "HP 250 G8") is no model here: its words stay unknown."""
    found: set[int] = set()
    i = 0
    while i < len(tokens):
        run = []
        while i < len(tokens) and _model_part(tokens, i):
            run.append(i)
            i += 1
        i += 0 if run else 1
        words = [w for j in run for w in normalize(tokens[j]).split()]
        if any(_has_digit(tokens[j]) for j in run) and any(
            _has_alpha(w) and _known(w, lexicons) for w in words
        ):
            found.update(j for j in run if _has_alpha(tokens[j]))
    return found


def _model_part(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    return token.isascii() and (_has_digit(token) or _looks_like_name(tokens, i))


def _has_digit(token: str) -> bool:
    return any(c.isdigit() for c in token)


def _has_alpha(token: str) -> bool:
    return any(c.isalpha() for c in token)


def _known(word: str, lexicons: Mapping[str, Lexicon]) -> frozenset[str]:
    return frozenset(lang for lang, lexicon in lexicons.items() if lexicon.knows(word))


def _looks_like_name(tokens: list[str], i: int) -> bool:
    """A Latin word written like a name or a model: "iPhone", "Pro" after the first word, a word
    next to a number ("Galaxy S24", "15 Pro")."""
    token = tokens[i]
    if not token.isascii() or not any(c.isalpha() for c in token):
        return False
    mixed = any(c.isupper() for c in token[1:]) and not token.isupper()
    capital = i > 0 and token[0].isupper()
    near_number = any(
        0 <= j < len(tokens) and any(c.isdigit() for c in tokens[j]) for j in (i - 1, i + 1)
    )
    return mixed or capital or (near_number and not token.islower())


def _whole_transliteration(reading: Reading, lexicons: Mapping[str, Lexicon]) -> Reading:
    """When the Latin words read as transliterated Russian outnumber those read as English, the
    message is transliterated Russian: its unknown Latin words are transliterated too
    ("skolko idet dostavka v ekaterinburg" keeps "екатеринбург"), as no evidence of their own
    (keyboard mashing with one accidental Russian word must not switch the language); a word
    that content writes in Latin letters itself ("iphone") is kept."""
    translit = [w for w in reading.words if w.via in (_TRANSLIT, _LAYOUT) and w.lang]
    if not translit:
        return reading
    target = translit[0].lang
    english = sum(
        w.weight for w in reading.words if w.lang is not None and w.lang != target and w.weight >= 1
    )
    if english >= len(translit):
        return reading
    via = translit[0].via
    latin_words = lexicons[target].counts if target is not None else {}
    # a word the target language's content writes in Latin letters ("iphone") stays as typed
    words = tuple(
        WordReading(w.surface, target, _convert(w.surface, via), via, 0.0)
        if w.lang != target
        and is_latin(w.surface)
        and w.weight < 1
        and not (len(w.surface) >= 3 and w.surface in latin_words)
        else w
        for w in reading.words
    )
    return Reading(words)


def _convert(word: str, via: str) -> str:
    return en_keys_to_ru(word) if via == _LAYOUT else to_cyrillic(word)
