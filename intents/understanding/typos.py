"""Typo correction: a word the content does not know is replaced by the nearest word it does.

First by lemma (:mod:`.morphology`, Russian): "ошиблась" → "ошибся", "чехла" → "чехол"; an
unknown preposition, conjunction or particle ("об", "около") is left out. Then by spelling:
"wher is my oder" → "where is my order", "гдк мой заказх" → "где мой заказ". The nearest word is
found with rapidfuzz's Levenshtein distance among the words of the same language's content: one
edit for words of up to seven letters, two for longer ones; the first letter must agree and a
substituted letter must be a neighbouring key or a look-alike letter ("воити" → "войти"); among
equally near words the one sharing more letters in order, then the more frequent one, wins. The
caller keeps the correction only when it raises the match (:mod:`intents.understanding.reader`)."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from intents.matching.stemming import stem_word
from intents.text import normalize
from intents.understanding.dictionary import is_english_word
from intents.understanding.lexicon import Lexicon, is_cyrillic, is_latin
from intents.understanding.morphology import (
    in_dictionary,
    is_abroad,
    is_function_word,
    is_place,
)

__all__ = ["correct_typos"]


_ROWS = (
    ("`1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"),
    ("ё1234567890-=", "йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю."),
)


def _neighbours() -> dict[str, frozenset[str]]:
    near: dict[str, set[str]] = {}
    for rows in _ROWS:
        for r, row in enumerate(rows):
            for i, key in enumerate(row):
                around = {row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)}
                for other, offsets in ((r - 1, (0, 1)), (r + 1, (-1, 0))):
                    if 0 <= other < len(rows):
                        around |= {
                            rows[other][i + d] for d in offsets if 0 <= i + d < len(rows[other])
                        }
                near.setdefault(key, set()).update(around)
    return {key: frozenset(keys) for key, keys in near.items()}


# letters written for one another regardless of the keyboard: a й typed as и ("воити"), э as е,
# щ as ш, ъ as ь
_LOOK_ALIKE = (("и", "й"), ("е", "э"), ("ш", "щ"), ("ь", "ъ"))


def _confusable() -> dict[str, frozenset[str]]:
    near = {key: set(keys) for key, keys in _neighbours().items()}
    for a, b in _LOOK_ALIKE:
        near.setdefault(a, set()).add(b)
        near.setdefault(b, set()).add(a)
    return {key: frozenset(keys) for key, keys in near.items()}


_NEAR = _confusable()
_SIGNS = frozenset("ьъ")


def _max_edits(word: str) -> int:
    return 1 if len(word) <= 7 else 2


def _plausible(typed: str, meant: str, lang: str) -> bool:
    """The same first letter, every substituted letter a neighbouring key or a look-alike
    letter (и/й, е/э, ш/щ, ь/ъ), and not another inflection of the same Russian word ("цену" is
    not a typo of "цены": the matcher's character n-grams already see them as one; "какои" is
    no word of the dictionary, so it may be a typo of "какой")."""
    if typed[0] != meant[0]:
        return False
    ops = Levenshtein.editops(typed, meant)
    if (
        len(typed) == len(meant) >= 4
        and is_cyrillic(typed)
        and in_dictionary(typed, lang) is not False
        and all(op.tag == "replace" and op.src_pos >= len(typed) - 2 for op in ops)
    ):
        return False
    for op in ops:
        if op.tag == "replace" and meant[op.dest_pos] not in _NEAR.get(
            typed[op.src_pos], frozenset()
        ):
            return False
    return True


# English chat shorthand, read as the words it stands for when the content does not use it itself
_SHORTHAND = {
    "en": {
        "u": "you",
        "ur": "your",
        "r": "are",
        "pls": "please",
        "plz": "please",
        "thx": "thanks",
        "ty": "thank you",
        "gimme": "give me",
        "wanna": "want to",
        "gonna": "going to",
        "youre": "you are",
        "theyre": "they are",
        "acc": "account",
        "msg": "message",
        "tmrw": "tomorrow",
        "asap": "as soon as possible",
    }
}


def is_dictionary_word(word: str, lang: str) -> bool:
    """A real word of ``lang`` (Russian: the OpenCorpora dictionary; English: a word in common
    use), which a one-edit neighbour in the content does not make a typo: "man" is not "many",
    "rain" not "ran", "погода" not "полгода"."""
    if lang == "en" and is_latin(word):
        return is_english_word(word)
    return in_dictionary(word, lang) is True


def _same_word(word: str, candidate: str) -> bool:
    """A real word may still become a content word that is the same word written another way:
    the same stem ("plan" → "plans") or only a soft or hard sign more or less ("ест" → "есть",
    a sign that transliteration and hasty typing often drop)."""
    if stem_word(word) == stem_word(candidate):
        return True
    ops = Levenshtein.editops(word, candidate)
    return all(
        (op.tag == "insert" and candidate[op.dest_pos] in _SIGNS)
        or (op.tag == "delete" and word[op.src_pos] in _SIGNS)
        for op in ops
    )


def correct_word(word: str, lexicon: Lexicon) -> str:
    """``word`` as the content would write it: as is when known; else the words of a chat
    shorthand ("ur" → "your"); else a content word of the same lemma ("ошиблась" → "ошибся");
    else the content's place name for a place it does not name ("томск" → "россии", "турции" →
    "казахстана"); else nothing for a function word ("об", "около"); else, unless it is a
    dictionary word itself (:func:`is_dictionary_word`), the nearest known word within the edit
    limits (for a dictionary word only the same word written another way, see
    :func:`_same_word`); else as is."""
    if word.isdigit() or word in lexicon.counts:
        return word
    meant = _SHORTHAND.get(lexicon.lang, {}).get(word)
    if meant is not None:
        return meant  # "when r ur agents online" → "when are your agents online"
    # a word sharing a stem with the content is an inflection, unless the dictionary does not
    # know it: "какои" shares "како" with a content word but is a typo of "какой"
    if lexicon.knows(word) and in_dictionary(word, lexicon.lang) is not False:
        return word
    same = lexicon.same_lemma(word)
    if same is not None:
        return same
    if lexicon.place is not None and is_place(word, lexicon.lang):
        # "доставка в томск" reads as "доставка в россии"; a place abroad only as one abroad
        # ("в китай" → "в казахстана"), else as typed ("из турции" is not "из россии")
        return lexicon.place_for(is_abroad(word)) or word
    if is_function_word(word, lexicon.lang):
        return ""
    if len(word) < 3:
        return word
    real = is_dictionary_word(word, lexicon.lang)
    limit = _max_edits(word)
    matches = process.extract(
        word, lexicon.counts.keys(), scorer=Levenshtein.distance, score_cutoff=limit, limit=8
    )
    best: tuple[int, float, int, str] | None = None
    for candidate, distance, _ in matches:
        if len(candidate) < 3 or not _plausible(word, candidate, lexicon.lang):
            continue
        if real and not _same_word(word, candidate):
            continue
        # equally near: the one sharing more letters in order ("wher": "where" before "when"),
        # then the more frequent one
        key = (int(distance), -fuzz.ratio(word, candidate), -lexicon.counts[candidate], candidate)
        if best is None or key < best:
            best = key
    return best[3] if best is not None else word


def correct_typos(text: str, lexicon: Lexicon) -> str:
    """``text`` normalised, with each unknown word replaced by :func:`correct_word`."""
    corrected = (correct_word(word, lexicon) for word in normalize(text).split())
    return " ".join(word for word in corrected if word)
