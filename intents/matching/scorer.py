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

__all__ = ["IntentScorer", "ScorerConfig"]


@dataclass(frozen=True)
class ScorerConfig:
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    calibrate: bool = True  # fit the softmax temperature on out-of-fold margins
    calibration_folds: int = 3
    temperature: float = 0.3  # used when calibrate is False
    reject_penalty: float = 0.5  # score = p(intent) - reject_penalty * p(reject), at least 0
    fuzzy_candidates: int = 3  # fuzzy matching only looks at the top few labels
    # score factor: floor + (1 - floor) * coverage², coverage = idf-weighted share of known words
    # (see TextClassifier.coverage); one unknown word in two keeps at most a quarter of the score
    # (1.0 switches the factor off)
    coverage_floor: float = 0.0


class IntentScorer:
    def __init__(
        self, classifier: TextClassifier, fuzzy: FuzzyScorer, config: ScorerConfig
    ) -> None:
        self.classifier = classifier
        self._fuzzy = fuzzy
        self._config = config
        self._intents = np.flatnonzero([label != REJECT for label in classifier.labels])
        self._reject = classifier.labels.index(REJECT) if REJECT in classifier.labels else None
        self._labels = np.array(classifier.labels)
        # the out-of-fold margins calibration was fitted on (None without calibration); the
        # ensemble chooses its mixing weight on them, then drops them
        self.oof: OutOfFold | None = None

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
            scorer.oof = oof
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
        probs = self.probabilities([text])[0]
        return self.rank_from(text, probs, top)

    def rank_from(
        self,
        text: str,
        probs: FloatArray,
        top: int = 5,
        confidence: float = 0.0,
        reject_penalty: float | None = None,
    ) -> list[tuple[str, float]]:
        """Rank from a probability row; ``confidence`` (0..1) relaxes the coverage factor;
        ``reject_penalty`` replaces the configured one (a benchmark's choice, the ensemble's).

        With a sentence encoder, a paraphrase in words never seen in training is still
        understood: the coverage factor becomes at least ``confidence`` (the encoder's own
        probability of its best intent, see :mod:`.ensemble`).
        """
        intents = self._intents  # never the reject label, however few intents there are
        order = intents[np.argsort(-probs[intents])][: max(top, self._config.fuzzy_candidates)]
        penalty = 0.0
        if self._reject is not None:
            weight = self._config.reject_penalty if reject_penalty is None else reject_penalty
            penalty = weight * float(probs[self._reject])
        scores = {str(self._labels[i]): max(0.0, float(probs[i]) - penalty) for i in order}
        near = self._fuzzy.similarity(text, list(scores)[: self._config.fuzzy_candidates])
        floor = self._config.coverage_floor
        factor = 1.0 if floor >= 1.0 else floor + (1 - floor) * self.classifier.coverage(text) ** 2
        factor = max(factor, min(confidence, 1.0))
        boosted = {
            label: fuzzy_boost(score, near.get(label, 0.0)) for label, score in scores.items()
        }
        # stable: equal scores (all 0 once the reject penalty took them) stay in the order of
        # their probabilities, not of their names
        ranked = sorted(boosted.items(), key=lambda item: -item[1])
        # never exactly 1: an answer threshold of 1.0 means "never answer"
        return [(label, min(round(score * factor, 4), 0.9999)) for label, score in ranked[:top]]
