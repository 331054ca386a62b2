"""Near-exact phrasing: rapidfuzz against the examples of the few labels still in the running."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from rapidfuzz import fuzz, process

from intents.text import normalize

__all__ = ["FuzzyScorer", "fuzzy_boost"]


class FuzzyScorer:
    """Best ``fuzz.ratio`` (0..1) between a message and each label's examples."""

    def __init__(self, examples: Mapping[str, Sequence[str]]) -> None:
        self._examples: dict[str, list[str]] = {
            label: sorted({normalize(text) for text in texts}) for label, texts in examples.items()
        }

    def similarity(self, text: str, labels: Iterable[str]) -> dict[str, float]:
        query = normalize(text)
        result: dict[str, float] = {}
        for label in labels:
            choices = self._examples.get(label)
            if not choices or not query:
                result[label] = 0.0
                continue
            best = process.extractOne(query, choices, scorer=fuzz.ratio)
            result[label] = float(best[1]) / 100.0 if best is not None else 0.0
        return result


def fuzzy_boost(probability: float, similarity: float, start: float = 0.85) -> float:
    """Raise a probability toward 1 when the message is (almost) one of the examples.

    Below ``start`` nothing changes; an exact match moves the probability 90 % of the way to 1.
    """
    if similarity <= start:
        return probability
    weight = 0.9 * (similarity - start) / (1.0 - start)
    return probability + (1.0 - probability) * weight
