"""Cross-validation of the content: repeated stratified splits, their mean and spread."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import numpy as np
import pytest

from intents import Content
from intents.matching.evaluation import LanguageReport, cross_validate
from tests.matching.test_commands import DIRS, run


@pytest.fixture(scope="module")
def single(content: Content) -> list[LanguageReport]:
    return cross_validate(content, folds=3, repeats=1, langs=["en"])


@pytest.fixture(scope="module")
def repeated(content: Content) -> list[LanguageReport]:
    return cross_validate(content, folds=3, repeats=3, langs=["en"])


def test_repeats_are_different_splits_and_accuracy_is_their_mean(
    single: list[LanguageReport], repeated: list[LanguageReport]
) -> None:
    (one,) = single
    (three,) = repeated
    assert three.repeats == 3
    assert one.repeats == 1
    assert len(three.accuracies) == 3
    assert three.accuracy == pytest.approx(np.mean(three.accuracies))
    # the first repeat is the split measured before repeats existed (random_state 0)
    assert three.accuracies[0] == pytest.approx(one.accuracy)
    assert three.scores[: one.examples] == one.scores
    # the other repeats shuffle differently: their out-of-fold scores differ
    n = three.examples
    assert three.scores[n : 2 * n] != three.scores[:n]
    assert three.spread == (min(three.accuracies), max(three.accuracies))


def test_every_repeat_predicts_every_example(repeated: list[LanguageReport]) -> None:
    (report,) = repeated
    n = report.examples
    assert len(report.scores) == len(report.correct) == len(report.gaps) == 3 * n
    assert sum(count for _, _, count in report.confused) == 3 * n - sum(report.correct)
    pooled = float(np.mean(report.correct))
    assert pooled == pytest.approx(report.accuracy)


def test_progress_sees_every_fold_of_every_repeat(content: Content) -> None:
    steps: list[int] = []

    def progress(it: Iterable[int]) -> Iterator[int]:
        for step in it:
            steps.append(step)
            yield step

    cross_validate(content, folds=2, repeats=2, langs=["en"], progress=progress)
    assert steps == [0, 1, 2, 3]


def test_eval_prints_the_mean_and_the_spread(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["eval", *DIRS, "--folds", "2", "--repeats", "2", "--encoder", "none"], capsys
    )
    assert code == 0
    found = re.search(
        r"\[en, engine\] \d+ examples, 2-fold × 2: top-1 intent accuracy "
        r"(\d\.\d{3}) \(mean; (\d\.\d{3})–(\d\.\d{3})\)",
        out,
    )
    assert found is not None
    mean, low, high = (float(figure) for figure in found.groups())
    assert 0.5 < low <= mean <= high <= 1.0
