"""Cross-validation of the content itself: accuracy per language, confusions, thresholds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold

from intents.matching.background import BACKGROUND
from intents.matching.calibration import ThresholdSuggestion, suggest_thresholds
from intents.matching.results import Thresholds
from intents.matching.scorer import IntentScorer, ScorerConfig
from intents.model import LANGS, Content, Lang

__all__ = ["LanguageReport", "cross_validate"]


@dataclass(frozen=True)
class LanguageReport:
    lang: Lang
    examples: int
    folds: int
    accuracy: float
    confused: tuple[tuple[str, str, int], ...]  # (true, predicted, count), most frequent first
    thresholds: ThresholdSuggestion
    scores: tuple[float, ...]  # out-of-fold top score of every example
    correct: tuple[bool, ...]
    gaps: tuple[float, ...] = ()  # out-of-fold top score minus the runner-up's

    def decisions(self, thresholds: Thresholds) -> tuple[float, float]:
        """(share answered, share answered right) of the examples at ``thresholds``.

        An example is answered when its top score reaches ``answer`` and leads the runner-up by
        ``ambiguity_gap`` (the engine's rule for intents); right when the answer is its intent.
        """
        score = np.asarray(self.scores)
        gap = np.asarray(self.gaps) if self.gaps else np.ones_like(score)
        answered = (score >= thresholds.answer) & (gap >= thresholds.ambiguity_gap)
        right = answered & np.asarray(self.correct)
        return (float(answered.mean()), float(right.mean())) if len(score) else (0.0, 0.0)


def cross_validate(
    content: Content,
    *,
    folds: int = 5,
    config: ScorerConfig = ScorerConfig(),  # noqa: B008 - frozen, safe as default
    langs: Sequence[Lang] = LANGS,
    background: Mapping[Lang, Sequence[str]] = BACKGROUND,
    progress: Callable[[Iterable[int]], Iterable[int]] = lambda steps: steps,
) -> list[LanguageReport]:
    """Stratified k-fold over the examples of each language, every intent (system intents
    included) being a class; accuracy is top-1 intent accuracy (no threshold). Intents with too
    few examples for ``folds`` splits use fewer folds overall."""
    reports: list[LanguageReport] = []
    for lang in langs:
        texts: list[str] = []
        labels: list[str] = []
        for intent in content.intents.values():
            phrases = intent.examples.get(lang, ())
            texts.extend(phrases)
            labels.extend([intent.id] * len(phrases))
        truth = np.asarray(labels)
        _, counts = np.unique(truth, return_counts=True)
        k = max(2, min(folds, int(counts.min())))
        predicted = [""] * len(texts)
        scores = [0.0] * len(texts)
        gaps = [0.0] * len(texts)
        splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=0)
        splits = list(splitter.split(np.zeros(len(truth)), truth))
        for fold in progress(range(k)):
            train_idx, test_idx = splits[fold]
            examples: dict[str, list[str]] = {}
            for i in train_idx:
                examples.setdefault(labels[i], []).append(texts[i])
            scorer = IntentScorer.train(examples, background.get(lang, ()), config)
            for i in test_idx:
                ranked = scorer.rank(texts[i], top=2)
                predicted[i], scores[i] = ranked[0] if ranked else ("", 0.0)
                gaps[i] = scores[i] - (ranked[1][1] if len(ranked) > 1 else 0.0)
        correct = [p == t for p, t in zip(predicted, labels, strict=True)]
        confused = Counter((t, p) for p, t in zip(predicted, labels, strict=True) if p != t)
        reports.append(
            LanguageReport(
                lang=lang,
                examples=len(texts),
                folds=k,
                accuracy=float(np.mean(correct)) if correct else 0.0,
                confused=tuple((t, p, n) for (t, p), n in confused.most_common()),
                thresholds=suggest_thresholds(scores, correct),
                scores=tuple(scores),
                correct=tuple(correct),
                gaps=tuple(gaps),
            )
        )
    return reports
