"""Cross-validation of the content itself: accuracy per language, confusions, thresholds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold

from intents.matching.background import BACKGROUND
from intents.matching.calibration import ThresholdSuggestion, suggest_thresholds
from intents.matching.encoder import SentenceEncoder
from intents.matching.ensemble import EnsembleConfig, EnsembleScorer
from intents.matching.results import Thresholds
from intents.matching.scorer import IntentScorer, ScorerConfig
from intents.model import LANGS, Content, Lang

__all__ = ["LanguageReport", "cross_validate"]


@dataclass
class _Fold:
    """Out-of-fold predictions of one model over one language's examples."""

    predicted: list[str]
    scores: list[float]
    gaps: list[float]

    @classmethod
    def empty(cls, n: int) -> _Fold:
        return cls([""] * n, [0.0] * n, [0.0] * n)

    def put(self, i: int, ranked: list[tuple[str, float]]) -> None:
        self.predicted[i], self.scores[i] = ranked[0] if ranked else ("", 0.0)
        self.gaps[i] = self.scores[i] - (ranked[1][1] if len(ranked) > 1 else 0.0)


@dataclass(frozen=True)
class LanguageReport:
    lang: Lang
    examples: int
    folds: int
    accuracy: float
    confused: tuple[tuple[str, str, int], ...]  # (true, predicted, count over the repeats)
    thresholds: ThresholdSuggestion
    scores: tuple[float, ...]  # out-of-fold top score of every example
    correct: tuple[bool, ...]
    gaps: tuple[float, ...] = ()  # out-of-fold top score minus the runner-up's
    model: str = "engine"  # or "ensemble" (with a sentence encoder)
    # top-1 accuracy of each repeated split; ``accuracy`` is their mean, and ``scores``,
    # ``correct``, ``gaps`` and ``confused`` hold every repeat's predictions one after another
    accuracies: tuple[float, ...] = ()

    @property
    def repeats(self) -> int:
        return max(1, len(self.accuracies))

    @property
    def spread(self) -> tuple[float, float]:
        """The lowest and the highest accuracy of the repeated splits."""
        values = self.accuracies or (self.accuracy,)
        return min(values), max(values)

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
    repeats: int = 3,
    config: ScorerConfig = ScorerConfig(),  # noqa: B008 - frozen, safe as default
    langs: Sequence[Lang] = LANGS,
    background: Mapping[Lang, Sequence[str]] = BACKGROUND,
    progress: Callable[[Iterable[int]], Iterable[int]] = lambda steps: steps,
    encoder: SentenceEncoder | None = None,
    ensemble: EnsembleConfig = EnsembleConfig(),  # noqa: B008 - frozen, safe as default
) -> list[LanguageReport]:
    """Stratified k-fold over the examples of each language, every intent (system intents
    included) being a class; accuracy is top-1 intent accuracy (no threshold). Intents with too
    few examples for ``folds`` splits use fewer folds overall.

    The k-fold is repeated ``repeats`` times with different shuffles (``random_state`` 0, 1, …;
    the first is the single split measured before): one split alone moves the accuracy by up to
    0.015 on the sample content, so the report gives the mean and the spread of the repeats.
    ``progress`` wraps the ``repeats × k`` fold steps.

    With ``encoder`` each fold trains the ensemble and both it and its engine part are
    measured (one report each, the engine's first): the same folds, the same engine."""
    reports: list[LanguageReport] = []
    for lang in langs:
        texts: list[str] = []
        labels: list[str] = []
        for intent in content.intents.values():
            phrases = intent.examples.get(lang, ())
            texts.extend(phrases)
            labels.extend([intent.id] * len(phrases))
        reject = list(background.get(lang, ()))
        vectors = encoder.encode(texts) if encoder is not None else None
        reject_vectors = encoder.encode(reject) if encoder is not None else None
        truth = np.asarray(labels)
        _, counts = np.unique(truth, return_counts=True)
        k = max(2, min(folds, int(counts.min())))
        splits = [
            split
            for seed in range(max(1, repeats))
            for split in StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(
                np.zeros(len(truth)), truth
            )
        ]
        engine = [_Fold.empty(len(texts)) for _ in range(max(1, repeats))]
        mixed = [_Fold.empty(len(texts)) for _ in range(max(1, repeats))]
        for step in progress(range(len(splits))):
            train_idx, test_idx = splits[step]
            repeat = step // k
            examples: dict[str, list[int]] = {}
            for i in train_idx:
                examples.setdefault(labels[i], []).append(int(i))
            seen = {label: [texts[i] for i in idx] for label, idx in examples.items()}
            if encoder is None or vectors is None or reject_vectors is None:
                scorer = IntentScorer.train(seen, reject, config)
                for i in test_idx:
                    engine[repeat].put(i, scorer.rank(texts[i], top=2))
                continue
            order = [i for idx in examples.values() for i in idx]
            both = EnsembleScorer.train(
                seen,
                reject,
                encoder,
                config,
                ensemble,
                vectors=np.vstack([vectors[order], reject_vectors]),
            )
            for i in test_idx:
                engine[repeat].put(i, both.scorer.rank(texts[i], top=2))
                mixed[repeat].put(i, both.rank(texts[i], top=2, vector=vectors[i]))
        reports.append(_report(lang, k, labels, engine, "engine"))
        if encoder is not None:
            reports.append(_report(lang, k, labels, mixed, "ensemble"))
    return reports


def _report(
    lang: Lang, k: int, labels: list[str], repeats: list[_Fold], model: str
) -> LanguageReport:
    predicted = [p for fold in repeats for p in fold.predicted]
    truth = labels * len(repeats)
    correct = [p == t for p, t in zip(predicted, truth, strict=True)]
    confused = Counter((t, p) for p, t in zip(predicted, truth, strict=True) if p != t)
    scores = [s for fold in repeats for s in fold.scores]
    accuracies = tuple(
        float(np.mean([p == t for p, t in zip(fold.predicted, labels, strict=True)]))
        if labels
        else 0.0
        for fold in repeats
    )
    return LanguageReport(
        lang=lang,
        examples=len(labels),
        folds=k,
        accuracy=float(np.mean(accuracies)) if labels else 0.0,
        confused=tuple((t, p, n) for (t, p), n in confused.most_common()),
        thresholds=suggest_thresholds(scores, correct),
        scores=tuple(scores),
        correct=tuple(correct),
        gaps=tuple(g for fold in repeats for g in fold.gaps),
        model=model,
        accuracies=accuracies,
    )
