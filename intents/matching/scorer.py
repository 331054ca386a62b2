"""The combiner: classifier probability, fuzzy near-exact boost and vocabulary coverage → one score.

``IntentScorer`` ranks labels for one language. It is what the engine uses per language and what
the benchmarks train on public datasets, so both measure the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from intents.matching.calibration import OutOfFold, fit_temperature, out_of_fold_margins
from intents.matching.classifier import REJECT, ClassifierConfig, FloatArray, TextClassifier
from intents.matching.fuzzy import FuzzyScorer, fuzzy_boost

__all__ = ["IntentScorer", "ScorerConfig", "evidence_range"]


def evidence_range(oof: OutOfFold) -> tuple[float, float] | None:
    """Where the best in-scope margin stops meaning "nothing fits" and starts meaning "fits".

    From out-of-fold margins: ``low`` is the 90th percentile of the best intent margin on the
    reject (out-of-scope) phrases, ``high`` the median on in-scope phrases classified right. A
    message whose best margin is at ``low`` or below gets score 0; at ``high`` or above, no change.
    """
    keep = np.array([label != REJECT for label in oof.labels])
    best = np.where(keep, oof.margins, -np.inf).max(axis=1)
    predicted = np.array(oof.labels)[np.where(keep, oof.margins, -np.inf).argmax(axis=1)]
    truth = np.array(oof.truth)
    rejects = best[truth == REJECT]
    right = best[(truth != REJECT) & (predicted == truth)]
    if len(rejects) == 0 or len(right) == 0:
        return None
    low = float(np.percentile(rejects, 90))
    high = float(np.percentile(right, 50))
    return (low, high) if high > low + 1e-3 else (low, low + 1e-3)


@dataclass(frozen=True)
class ScorerConfig:
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    calibrate: bool = True  # fit the softmax temperature on out-of-fold margins
    calibration_folds: int = 3
    temperature: float = 0.1  # used when calibrate is False
    fuzzy_candidates: int = 3  # fuzzy matching only looks at the top few labels
    coverage_floor: float = 0.2  # score factor for a message with no known word
    evidence: bool = True  # scale scores down when even the best margin is weak (see below)


class IntentScorer:
    def __init__(
        self, classifier: TextClassifier, fuzzy: FuzzyScorer, config: ScorerConfig
    ) -> None:
        self.classifier = classifier
        self._fuzzy = fuzzy
        self._config = config
        self._keep = np.array([label != REJECT for label in classifier.labels])
        self._labels = np.array(classifier.labels)
        self.evidence_range: tuple[float, float] | None = None

    @classmethod
    def train(
        cls,
        examples: Mapping[str, Sequence[str]],
        reject: Sequence[str] = (),
        config: ScorerConfig = ScorerConfig(),
    ) -> IntentScorer:
        """Learn from ``{label: [phrases]}``; ``reject`` phrases train the out-of-scope label."""
        texts: list[str] = []
        labels: list[str] = []
        for label, phrases in examples.items():
            texts.extend(phrases)
            labels.extend([label] * len(phrases))
        texts.extend(reject)
        labels.extend([REJECT] * len(reject))
        classifier = TextClassifier.fit(texts, labels, config.classifier)
        scorer = cls(classifier, FuzzyScorer(examples), config)
        if config.calibrate:
            oof = out_of_fold_margins(texts, labels, config.classifier, config.calibration_folds)
            classifier.temperature = fit_temperature(oof)
            if config.evidence and reject:
                scorer.evidence_range = evidence_range(oof)
        else:
            classifier.temperature = config.temperature
        return scorer

    @property
    def temperature(self) -> float:
        return self.classifier.temperature

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """Raw calibrated probabilities, columns in ``classifier.labels`` order."""
        return self.classifier.probabilities(self.classifier.margins(texts))

    def rank(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """The ``top`` labels (reject excluded) with their combined score, best first."""
        margins = self.classifier.margins([text])[0]
        probs = self.classifier.probabilities(margins[None, :])[0]
        return self.rank_from(text, probs, top, margins)

    def rank_from(
        self, text: str, probs: FloatArray, top: int = 5, margins: FloatArray | None = None
    ) -> list[tuple[str, float]]:
        masked = np.where(self._keep, probs, -1.0)
        order = np.argsort(-masked)[: max(top, self._config.fuzzy_candidates)]
        scores = {str(self._labels[i]): float(probs[i]) for i in order}
        near = self._fuzzy.similarity(text, list(scores)[: self._config.fuzzy_candidates])
        coverage = self.classifier.coverage(text)
        factor = min(1.0, self._config.coverage_floor + coverage)
        if self.evidence_range is not None and margins is not None:
            low, high = self.evidence_range
            best = float(np.max(np.where(self._keep, margins, -np.inf)))
            factor *= min(1.0, max(0.0, (best - low) / (high - low)))
        boosted = {
            label: fuzzy_boost(score, near.get(label, 0.0)) for label, score in scores.items()
        }
        # the factor is shared by all labels: rank on the boosted probability so that a factor of
        # 0 (no evidence at all) still keeps the classifier's order
        ranked = sorted(boosted.items(), key=lambda item: (-item[1], item[0]))
        return [(label, round(score * factor, 4)) for label, score in ranked[:top]]
