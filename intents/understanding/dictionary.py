"""English dictionary words: a word in common use is no typo, even when the content lacks it.

The typo step (:mod:`.typos`) replaced any word the content does not know by a content word one
edit away, and English has many short real words one edit from another: "man" became "many",
"rain" "ran", "love" "live", "cars" "cards" (and "do you love me" then read as a delivery
question). A word of the English frequency list of the ``pyspellchecker`` package (MIT; about
160,000 words counted in film subtitles) seen at least :data:`MIN_COUNT` times is a dictionary
word: left as typed. The list is read on the first word the content does not know (about a tenth
of a second and 3 MB, once per process), as the Russian dictionary is, so a restart that only
meets the content's own words never reads it. Rarer entries of that list are often misspellings
themselves ("oder" is counted 146 times), so they stay correctable. Russian has its own
dictionary (:mod:`.morphology`).
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib.resources import files

__all__ = ["MIN_COUNT", "is_english_word"]

# about 19,000 words; the typos of the conversation tests and of the phrase sets are counted 0
# to 800 times ("hows" 776), the real words the typo step used to change 1,700 to 3.6 million
MIN_COUNT = 1000
# "word": count, for counts with as many digits as MIN_COUNT or more (JSON has no leading zeros)
_LARGE_ENTRY = re.compile(rb'"([^"\\]+)": (\d{%d,})' % len(str(MIN_COUNT)))


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    # the package's own file, read without building its 160,000-entry counter (0.3 s and 25 MB
    # through SpellChecker), and only the common entries' words made into strings: the 140,000
    # others, made and dropped, left some 8 MB of the heap resident (RSS 5 MB instead of 13)
    try:
        packed = files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
        found = _LARGE_ENTRY.findall(gzip.decompress(packed))
        common = frozenset(word.decode() for word, count in found if int(count) >= MIN_COUNT)
    except (OSError, ValueError):
        common = frozenset()
    if common:
        return common
    from spellchecker import SpellChecker  # another layout of the package: its public API

    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(word for word, count in counts.items() if count >= MIN_COUNT)


def is_english_word(word: str) -> bool:
    """``word`` (lower case) is an English word in common use ("man", "rain", not "wher")."""
    return word in _english()
