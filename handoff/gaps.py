"""Content gaps: the questions the bot missed, grouped by similarity, each group with what to do.

A *miss* is a question the bot could not place (a hand-off with no intent) or an answer that got
👎 (:func:`handoff.metrics.is_miss`). Misses are grouped by the cosine similarity of their vectors
with average-linkage agglomerative clustering cut at ``1 - similarity``. The vectors are TF-IDF
character n-grams (2–4 letters within words: robust to typos and Russian endings) unless an
``embed`` function is given: the bot passes its sentence encoder's (``[matching] encoder =
"use"``; the vectors are centred on their mean, which removes the domain all questions share),
and the thresholds are then the encoder's own (:data:`ENCODER_THRESHOLDS`, chosen on
a development set by ``benchmarks/gaps_grouping.py``; :data:`NGRAM_THRESHOLDS` were set on the
planted groups of the tests). Each group gets the intent whose examples are nearest (the best
mean similarity of its members to an intent's examples) and a suggested action:

- *review the answer of X*: most of the group are 👎 on answers of intent X — the bot found the
  right topic and its answer did not help;
- *add these examples to X*: the nearest intent is close enough (``add_threshold``) — people ask
  for X in words its examples do not cover;
- *a new intent*: nothing in the content is close — write one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from handoff.metrics import History, is_miss

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "ADD_EXAMPLES",
    "ENCODER_THRESHOLDS",
    "NEW_INTENT",
    "NGRAM_THRESHOLDS",
    "REVIEW_ANSWER",
    "Embed",
    "Gap",
    "GapThresholds",
    "Miss",
    "find_gaps",
    "format_gaps",
    "gaps_yaml",
    "misses_of",
]

ADD_EXAMPLES = "add_examples"
NEW_INTENT = "new_intent"
REVIEW_ANSWER = "review_answer"

Embed = Callable[[Sequence[str]], "npt.NDArray[np.floating[Any]]"]
"""Texts → one vector each (a sentence encoder's ``encode``); rows need not be unit length."""


@dataclass(frozen=True, slots=True)
class GapThresholds:
    similarity: float  # the least average cosine similarity within a group
    add_threshold: float  # the least similarity to an intent's examples to suggest adding to it


# set on the planted groups of tests/handoff/test_gaps.py (a regression check now)
NGRAM_THRESHOLDS = GapThresholds(similarity=0.25, add_threshold=0.45)
# chosen on the development set of benchmarks/gaps_grouping.py (`--tune`): the best pairwise F1,
# then the best suggestion accuracy (cosines of the centred vectors, see _embedded)
ENCODER_THRESHOLDS = GapThresholds(similarity=0.25, add_threshold=0.50)


@dataclass(frozen=True, slots=True)
class Miss:
    text: str
    language: str
    disliked_intent: str | None = None  # the intent whose answer got 👎; None: not placed


@dataclass(frozen=True, slots=True)
class Gap:
    size: int  # questions in the group, repeats included
    texts: tuple[str, ...]  # distinct texts, most frequent first
    languages: tuple[str, ...]
    nearest_intent: str | None
    similarity: float  # of the group to the nearest intent's examples, 0..1
    action: str  # ADD_EXAMPLES | NEW_INTENT | REVIEW_ANSWER
    target: str | None  # the intent to add to or review; None for a new intent

    def examples(self, count: int = 3) -> tuple[str, ...]:
        return self.texts[:count]

    @property
    def suggestion(self) -> str:
        if self.action == REVIEW_ANSWER:
            return f"review the answer of {self.target}: it got 👎 from these questions"
        if self.action == ADD_EXAMPLES:
            return f"add these examples to intent {self.target} (similarity {self.similarity:.2f})"
        nearest = (
            f"; nearest is {self.nearest_intent} at {self.similarity:.2f}"
            if self.nearest_intent
            else ""
        )
        return f"write a new intent{nearest}"


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def misses_of(history: History, start: datetime, end: datetime) -> list[Miss]:
    """The misses of ``[start, end)``, in time order."""
    return [
        Miss(
            _normalise(d.text),
            d.language,
            d.intent if d.helped is False else None,
        )
        for d in sorted(history.decisions, key=lambda d: (d.created_at, d.id))
        if start <= d.created_at < end and is_miss(d) and not d.text.startswith("[")
    ]


def find_gaps(
    misses: Sequence[Miss],
    examples: Mapping[str, Sequence[str]],
    *,
    embed: Embed | None = None,
    thresholds: GapThresholds | None = None,
    min_size: int = 2,
) -> list[Gap]:
    """Groups of at least ``min_size`` questions, biggest first.

    ``examples`` maps each intent id to its example phrases (all languages together). With
    ``embed`` the questions and examples are compared by its vectors, else by n-grams;
    ``thresholds`` default to those of the chosen vectors (:data:`ENCODER_THRESHOLDS` or
    :data:`NGRAM_THRESHOLDS`).
    """
    import numpy as np
    from sklearn.cluster import AgglomerativeClustering

    limits = thresholds or (NGRAM_THRESHOLDS if embed is None else ENCODER_THRESHOLDS)
    counts = Counter(miss.text for miss in misses if miss.text)
    texts = sorted(counts, key=lambda t: (-counts[t], t))
    if not texts:
        return []
    intent_ids = sorted(i for i, phrases in examples.items() if phrases)
    phrases = [_normalise(p) for i in intent_ids for p in examples[i]]
    owners = np.array([column for column, i in enumerate(intent_ids) for _ in examples[i]])
    vectors, phrase_vectors = (_ngrams if embed is None else _embedded(embed))(texts, phrases)
    if len(texts) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        clustering = AgglomerativeClustering(
            n_clusters=None,
            metric="cosine",
            linkage="average",
            distance_threshold=1.0 - limits.similarity,
        )
        labels = clustering.fit_predict(vectors)
    # per text: the best similarity to each intent's examples
    nearest = np.zeros((len(texts), len(intent_ids)))
    if phrases:
        similarities = vectors @ phrase_vectors.T
        for column in range(len(intent_ids)):
            nearest[:, column] = similarities[:, owners == column].max(axis=1)
    languages: dict[str, Counter[str]] = {}
    disliked: dict[str, Counter[str]] = {}
    for miss in misses:
        languages.setdefault(miss.text, Counter())[miss.language] += 1
        if miss.disliked_intent is not None:
            disliked.setdefault(miss.text, Counter())[miss.disliked_intent] += 1
    gaps = []
    for label in sorted(set(labels.tolist())):
        members = [i for i, value in enumerate(labels.tolist()) if value == label]
        size = sum(counts[texts[i]] for i in members)
        if size < min_size:
            continue
        member_texts = tuple(texts[i] for i in members)  # already most frequent first
        langs: Counter[str] = Counter()
        reviewed: Counter[str] = Counter()
        for text in member_texts:
            langs.update(languages.get(text, Counter()))
            reviewed.update(disliked.get(text, Counter()))
        best, score = None, 0.0
        if intent_ids:
            means = nearest[members].mean(axis=0)
            column = int(means.argmax())
            best, score = intent_ids[column], float(means[column])
        if reviewed and reviewed.most_common(1)[0][1] * 2 > size:
            action, target = REVIEW_ANSWER, reviewed.most_common(1)[0][0]
        elif best is not None and score >= limits.add_threshold:
            action, target = ADD_EXAMPLES, best
        else:
            action, target = NEW_INTENT, None
        gaps.append(
            Gap(
                size=size,
                texts=member_texts,
                languages=tuple(lang for lang, _ in langs.most_common()),
                nearest_intent=best,
                similarity=round(score, 3),
                action=action,
                target=target,
            )
        )
    return sorted(gaps, key=lambda g: (-g.size, g.texts[0]))


Pair = tuple["npt.NDArray[np.float64]", "npt.NDArray[np.float64]"]


def _unit(rows: Any) -> npt.NDArray[np.float64]:
    import numpy as np

    dense = np.asarray(rows, dtype=np.float64)
    if dense.size == 0:
        return np.zeros((0, 1))
    result: npt.NDArray[np.float64] = dense / np.maximum(
        np.linalg.norm(dense, axis=1, keepdims=True), 1e-12
    )
    return result


def _ngrams(texts: Sequence[str], phrases: Sequence[str]) -> Pair:
    """TF-IDF character n-grams fitted on the questions and the examples together."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    vectorizer.fit([*texts, *phrases])
    phrase_rows = vectorizer.transform(phrases).toarray() if phrases else []
    return _unit(vectorizer.transform(texts).toarray()), _unit(phrase_rows)


def _embedded(embed: Embed) -> Callable[[Sequence[str], Sequence[str]], Pair]:
    """The embedding's unit vectors, centred on the mean of the questions and examples together.

    A desk's questions share a domain: in a sentence encoder's space they lie near one
    direction, so unrelated questions of that domain would group (BANKING77 in
    ``benchmarks/gaps_grouping.py``). Subtracting the common mean leaves what tells them apart.
    """
    import numpy as np

    def vectors(texts: Sequence[str], phrases: Sequence[str]) -> Pair:
        questions = _unit(embed(list(texts)))
        if not phrases:
            return questions, _unit([])
        examples = _unit(embed(list(phrases)))
        mean = np.vstack([questions, examples]).mean(axis=0)
        return _unit(questions - mean), _unit(examples - mean)

    return vectors


def format_gaps(gaps: Sequence[Gap], *, examples: int = 3) -> str:
    if not gaps:
        return "No content gaps: no group of similar missed questions in this period."
    lines = []
    for number, gap in enumerate(gaps, 1):
        lines.append(
            f"{number}. {gap.size} questions ({', '.join(gap.languages)}): {gap.suggestion}"
        )
        lines += [f"     - {text}" for text in gap.examples(examples)]
    return "\n".join(lines)


_WORD = re.compile(r"[a-z]{4,}")
_STOP = frozenset({"what", "your", "there", "have", "with", "does", "this", "that", "please"})


def _suggest_id(gap: Gap, number: int, taken: set[str]) -> str:
    words = Counter(word for text in gap.texts for word in _WORD.findall(text) if word not in _STOP)
    base = f"new_{words.most_common(1)[0][0]}" if words else f"new_topic_{number}"
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def gaps_yaml(gaps: Sequence[Gap], languages: Mapping[str, str], *, header: str = "") -> str:
    """A YAML fragment for admins: new intents in the content format (titles and answers to
    fill in) and, per existing intent, the examples to add. ``languages`` maps each missed
    text to its language."""
    lines = ["# Content gaps found by `supportbot gaps`." + (f" {header}" if header else "")]
    lines.append("# New intents: write the titles and answers (TODO), then move them into a file")
    lines.append("# of intents/content/ and run `supportbot check`; examples for existing")
    lines.append("# intents: append them to that intent's examples.")
    new = [g for g in gaps if g.action == NEW_INTENT]
    taken: set[str] = set()
    lines.append("intents:" if new else "intents: []")
    for number, gap in enumerate(new, 1):
        lines.append(f"  - id: {_suggest_id(gap, number, taken)}  # {gap.size} questions")
        lines.append("    title: {ru: TODO, en: TODO}")
        lines.append("    examples:")
        for lang in sorted({languages.get(t, "en") for t in gap.texts}):
            lines.append(f"      {lang}:")
            lines += [
                f"        - {_quote(text)}" for text in gap.texts if languages.get(text) == lang
            ]
        lines.append("    answer: {ru: TODO, en: TODO}")
    grouped: dict[str, dict[str, list[str]]] = {}
    for gap in gaps:
        if gap.action != ADD_EXAMPLES or gap.target is None:
            continue
        for text in gap.texts:
            grouped.setdefault(gap.target, {}).setdefault(languages.get(text, "en"), []).append(
                text
            )
    lines.append("add_examples:" if grouped else "add_examples: {}")
    for intent_id in sorted(grouped):
        lines.append(f"  {intent_id}:")
        for lang in sorted(grouped[intent_id]):
            lines.append(f"    {lang}:")
            lines += [f"      - {_quote(text)}" for text in grouped[intent_id][lang]]
    reviews = sorted({g.target for g in gaps if g.action == REVIEW_ANSWER and g.target})
    lines.append(f"review_answers: [{', '.join(reviews)}]")
    return "\n".join(lines) + "\n"
