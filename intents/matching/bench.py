"""Benchmarks on public intent datasets (CLINC150, BANKING77) with the engine's own scorer.

Not used at run time; ``supportbot bench`` calls it. Datasets are read from wherever the user
keeps them and never copied.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import train_test_split

from intents.errors import IntentsError
from intents.matching.calibration import oof_probabilities, out_of_fold_margins
from intents.matching.classifier import REJECT, ClassifierConfig
from intents.matching.encoder import SentenceEncoder
from intents.matching.ensemble import EnsembleConfig, EnsembleScorer, choose_mix, mix, top_scores
from intents.matching.memory import trim_heap
from intents.matching.scorer import IntentScorer, ScorerConfig
from intents.matching.semantic import (
    EmbeddingClassifier,
    NearestExamples,
    oof_embedding_probabilities,
)

__all__ = [
    "BENCH_ENSEMBLE",
    "BenchData",
    "BenchError",
    "BenchResult",
    "choose_reject_penalty",
    "choose_threshold",
    "load_banking77",
    "load_clinc150",
    "run_bench",
]

OOS = "oos"
MIN_OOS_RECALL = 0.80  # the CLINC150 threshold keeps at least this out-of-scope recall
# The threshold is chosen on out-of-fold scores of the training data (intents and oos_train),
# asking for this much more out-of-scope recall than the target: the out-of-fold reject phrases
# are only 100 and close to the ones the model learnt from, unseen ones are harder to reject.
OOF_MARGIN = 0.05
# The reject penalties tried (score = p(intent) - penalty * p(reject)); the one with the best
# out-of-fold in-scope accuracy at its out-of-fold threshold is used. On CLINC150 a penalty
# above the scorer's 0.5 rejects out-of-scope messages at a lower cost to in-scope ones; past 4
# the out-of-fold figure hardly moves (0.9647 -> 0.9659 at 8) while the threshold drops to 0.26.
REJECT_PENALTIES = (0.5, 1.0, 2.0, 4.0)
WARMUP = 50
# Thousands of examples: n-grams seen once are noise and memory (min_df=2); the classes are
# balanced already; out-of-fold calibration would triple the training time, so the softmax
# temperature is fixed (0.3 on margins scaled to unit spread). With a pruned vocabulary the share
# of "known" words says little, so the coverage factor is off (floor 1.0). The SGD model's
# one-vs-rest problems run on two threads (the same model; the engine keeps one so that a reload
# leaves a core to the event loop).
BENCH_CONFIG = ScorerConfig(
    classifier=ClassifierConfig(min_df=2, balanced=False, sgd_jobs=2),
    calibrate=False,
    temperature=0.3,
    coverage_floor=1.0,
)
# Two folds for the out-of-fold probabilities (the mix weight and the threshold): each fold's
# engine trains on half the data, which keeps CLINC150's training within its time budget.
BENCH_ENSEMBLE = EnsembleConfig(oof_folds=2)


class BenchError(IntentsError):
    """The dataset file cannot be used as asked (missing split, wrong format)."""


@dataclass(frozen=True)
class BenchData:
    name: str
    train: dict[str, list[str]]
    reject: list[str]  # out-of-scope training phrases (CLINC150 oos_train)
    tune: list[tuple[str, str]]  # where the threshold is chosen (CLINC150 val); may be empty
    test: list[tuple[str, str]]  # what is reported; label "oos" for out-of-scope


def _pairs(data: dict[str, object], key: str, path: Path) -> list[tuple[str, str]]:
    value = data.get(key)
    if not isinstance(value, list):
        raise BenchError(f"{path}: no {key!r} list in this file")
    return [(str(text), str(label)) for text, label in value]


def load_clinc150(path: Path, split: str = "val") -> BenchData:
    """CLINC150 ``data_full.json``: train + oos_train to learn, ``split`` + oos_<split> to test."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BenchError(f"{path}: cannot read a CLINC150 JSON file ({exc})") from exc
    if not isinstance(data, dict):
        raise BenchError(f"{path}: expected a JSON object with train/val/test keys")
    if split not in data or f"oos_{split}" not in data:
        have = ", ".join(sorted(data))
        raise BenchError(
            f"{path}: this file has no {split!r} split (it has: {have}); "
            f"use --split val, or the full data_full.json for --split {split}"
        )
    train: dict[str, list[str]] = {}
    for text, label in _pairs(data, "train", path):
        train.setdefault(label, []).append(text)
    reject = [text for text, _ in _pairs(data, "oos_train", path)]
    test = _pairs(data, split, path) + [(t, OOS) for t, _ in _pairs(data, f"oos_{split}", path)]
    tune = test
    if split != "val" and "val" in data and "oos_val" in data:
        tune = _pairs(data, "val", path) + [(t, OOS) for t, _ in _pairs(data, "oos_val", path)]
    return BenchData("clinc150", train, reject, tune, test)


def _read_csv(path: Path) -> list[tuple[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise BenchError(f"{path}: cannot read ({exc.strerror})") from exc
    if not rows or not {"text", "category"} <= rows[0].keys():
        raise BenchError(f"{path}: expected a CSV with the columns text,category")
    return [(row["text"], row["category"]) for row in rows]


def load_banking77(
    train_csv: Path, test_csv: Path | None = None, holdout: float = 0.1
) -> BenchData:
    """BANKING77 CSVs; without ``test_csv`` a stratified ``holdout`` share of train is held out
    (``random_state=0``; 0.1 since the encoder, 0.2 before)."""
    rows = _read_csv(train_csv)
    if test_csv is not None:
        train_rows, test_rows = rows, _read_csv(test_csv)
    else:
        if not 0.0 < holdout < 1.0:
            raise BenchError(f"--holdout must be between 0 and 1 (a share of train), got {holdout}")
        train_rows, test_rows = train_test_split(
            rows, test_size=holdout, random_state=0, stratify=[label for _, label in rows]
        )
    train: dict[str, list[str]] = {}
    for text, label in train_rows:
        train.setdefault(label, []).append(text)
    return BenchData("banking77", train, [], [], list(test_rows))


def choose_threshold(
    scores: Sequence[float],
    predicted: Sequence[str],
    truth: Sequence[str],
    min_oos_recall: float = MIN_OOS_RECALL,
) -> float:
    """The threshold with the best in-scope accuracy among those rejecting enough out-of-scope.

    In-scope accuracy counts messages with the right intent *and* a score at or above the
    threshold; out-of-scope recall is the share of out-of-scope messages below it. Among the
    thresholds whose recall is at least ``min_oos_recall`` the one with the highest in-scope
    accuracy wins (the lowest such threshold on ties). With no out-of-scope examples the
    threshold is 0 (plain accuracy).
    """
    score = np.asarray(scores)
    truth_arr = np.asarray(truth)
    right = np.asarray(predicted) == truth_arr
    in_scope = truth_arr != OOS
    if in_scope.all():
        return 0.0
    best, best_accuracy = float(score.max()) + 1e-4, -1.0
    for threshold in np.unique(score):
        answered = score >= threshold
        if (~answered[~in_scope]).mean() < min_oos_recall:
            continue
        accuracy = float((right & answered)[in_scope].mean())
        if accuracy > best_accuracy:
            best, best_accuracy = float(threshold), accuracy
    return best


def choose_reject_penalty(
    probs: npt.NDArray[np.floating[Any]],
    columns: Sequence[str],
    truth: Sequence[str],
    penalties: Sequence[float] = REJECT_PENALTIES,
) -> tuple[float, float]:
    """(reject penalty, threshold) with the best in-scope accuracy on out-of-fold rows.

    ``probs`` are out-of-fold probabilities of the training texts (columns ``columns``, the
    reject label among them), ``truth`` their labels. For each penalty the threshold is chosen
    as for the engine (see ``OOF_MARGIN``); the penalty whose threshold leaves the most
    in-scope rows right and answered wins (the smallest on ties).
    """
    labels = np.asarray([OOS if label == REJECT else label for label in truth])
    in_scope = labels != OOS
    best: tuple[float, float, float] | None = None
    for penalty in penalties:
        predicted, scores = top_scores(probs, columns, penalty)
        threshold = _oof_threshold(predicted, scores.tolist(), truth)
        right = (np.asarray(predicted) == labels) & (scores >= threshold)
        accuracy = float(right[in_scope].mean()) if in_scope.any() else 0.0
        if best is None or accuracy > best[0]:
            best = (accuracy, penalty, threshold)
    if best is None:
        raise BenchError("choose_reject_penalty needs at least one penalty to try")
    return best[1], best[2]


@dataclass(frozen=True)
class BenchResult:
    name: str
    model: str  # "engine" or "ensemble"
    intents: int
    train_examples: int
    test_examples: int
    in_scope_accuracy: float
    oos_recall: float | None
    accuracy: float
    threshold: float
    train_s: float
    p50_ms: float
    p99_ms: float
    rss_mb: float
    mix: str = ""  # the ensemble's exponents, engine / encoder
    reject_penalty: float | None = None  # chosen out of fold (datasets with out-of-scope)
    loaded_mb: float | None = None  # resident memory after the test, the model still loaded

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"dataset": self.name, "model": self.model}
        if self.oos_recall is not None:
            out["in_scope_accuracy"] = round(self.in_scope_accuracy, 4)
            out["oos_recall"] = round(self.oos_recall, 4)
            out["top1_accuracy"] = round(self.accuracy, 4)
            out["reject_penalty"] = self.reject_penalty
        else:
            out["accuracy"] = round(self.accuracy, 4)
        out.update(
            threshold=round(self.threshold, 4),
            train_s=round(self.train_s, 2),
            p50_ms=round(self.p50_ms, 3),
            p99_ms=round(self.p99_ms, 3),
            rss_mb=round(self.rss_mb, 1),
        )
        if self.loaded_mb is not None:
            out["loaded_mb"] = round(self.loaded_mb, 1)
        if self.mix:
            out["mix"] = self.mix
        return out


class _Ranks(Protocol):
    def rank(self, text: str, top: int = 5) -> list[tuple[str, float]]: ...


class _Penalised:
    """The engine alone ranking with another reject penalty than its scorer's."""

    def __init__(self, scorer: IntentScorer, penalty: float) -> None:
        self._scorer = scorer
        self._penalty = penalty

    def rank(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        probs = self._scorer.probabilities([text])[0]
        return self._scorer.rank_from(text, probs, top, reject_penalty=self._penalty)


def _predict(
    scorer: _Ranks, items: Sequence[tuple[str, str]]
) -> tuple[list[str], list[float], list[float]]:
    predicted: list[str] = []
    scores: list[float] = []
    timings: list[float] = []
    for text, _ in items[:WARMUP]:
        scorer.rank(text, top=1)
    # a long-running bot has collected its start-up garbage long before; without this the
    # first full collections after training (the dataset's objects) land in the timings
    gc.collect()
    for text, _ in items:
        start = time.perf_counter()
        ranked = scorer.rank(text, top=1)
        timings.append((time.perf_counter() - start) * 1000)
        label, score = ranked[0] if ranked else ("", 0.0)
        predicted.append(label)
        scores.append(score)
    return predicted, scores, timings


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _resident_mb() -> float | None:
    """Resident memory now (after training, with the model loaded); None where /proc is absent."""
    trim_heap()  # what a long-running bot holds: the training's garbage is gone
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _oof_threshold(
    predicted: Sequence[str], scores: Sequence[float], truth: Sequence[str]
) -> float:
    """The threshold chosen on out-of-fold scores of the training data (see ``OOF_MARGIN``)."""
    labels = [OOS if label == REJECT else label for label in truth]
    return choose_threshold(scores, predicted, labels, min(MIN_OOS_RECALL + OOF_MARGIN, 1.0))


def _result(
    data: BenchData,
    model: str,
    scorer: _Ranks,
    threshold: float,
    train_s: float,
    mix_label: str = "",
    penalty: float | None = None,
) -> BenchResult:
    predicted, scores, timings = _predict(scorer, data.test)
    truth_arr = np.asarray([label for _, label in data.test])
    score = np.asarray(scores)
    answered = score >= threshold
    right = (np.asarray(predicted) == truth_arr) & answered
    in_scope = truth_arr != OOS
    has_oos = bool((~in_scope).any())
    in_scope_accuracy = float(right[in_scope].mean()) if in_scope.any() else 0.0
    oos_recall = float((~answered[~in_scope]).mean()) if has_oos else None
    top1 = float((np.asarray(predicted)[in_scope] == truth_arr[in_scope]).mean())
    return BenchResult(
        name=data.name,
        model=model,
        intents=len(data.train),
        train_examples=sum(len(v) for v in data.train.values()) + len(data.reject),
        test_examples=len(data.test),
        in_scope_accuracy=in_scope_accuracy,
        oos_recall=oos_recall,
        accuracy=top1,
        threshold=threshold,
        train_s=train_s,
        p50_ms=float(np.percentile(timings, 50)),
        p99_ms=float(np.percentile(timings, 99)),
        rss_mb=_rss_mb(),
        mix=mix_label,
        reject_penalty=penalty,
        loaded_mb=_resident_mb(),
    )


def run_bench(
    data: BenchData,
    config: ScorerConfig = BENCH_CONFIG,
    encoder: SentenceEncoder | None = None,
    ensemble: EnsembleConfig = BENCH_ENSEMBLE,
    progress: Callable[[str], None] = lambda step: None,
) -> list[BenchResult]:
    """The engine alone, then (with ``encoder``) the ensemble, on the same data.

    Out-of-fold probabilities of the training data (``ensemble.oof_folds`` folds) give both
    models' thresholds (CLINC150; BANKING77 has no out-of-scope part and reports plain top-1)
    and the ensemble's mix. The ensemble's training time counts everything its model needs:
    the engine, the engine's out-of-fold pass, encoding the training texts, the logistic
    regression and its out-of-fold pass.
    """
    texts: list[str] = []
    labels: list[str] = []
    for label, phrases in data.train.items():
        texts.extend(phrases)
        labels.extend([label] * len(phrases))
    texts.extend(data.reject)
    labels.extend([REJECT] * len(data.reject))
    has_oos = any(label == OOS for _, label in data.test)
    need_oof = has_oos or encoder is not None
    # out of fold first: the fold models are gone before the full engine is trained, so the
    # peak memory is one engine's, not two
    oof_s = 0.0
    engine_oof = None
    oof_labels: tuple[str, ...] = ()
    if need_oof:
        progress(f"engine, {ensemble.oof_folds}-fold out-of-fold probabilities")
        start = time.perf_counter()
        oof = out_of_fold_margins(texts, labels, config.classifier, ensemble.oof_folds)
        engine_oof = oof_probabilities(oof, config.temperature).astype(np.float32)
        oof_labels = oof.labels
        del oof
        gc.collect()
        oof_s = time.perf_counter() - start
    progress("engine, training")
    start = time.perf_counter()
    scorer = IntentScorer.train(data.train, data.reject, config)
    engine_s = time.perf_counter() - start
    threshold = 0.0
    penalty: float | None = None
    engine: _Ranks = scorer
    if has_oos and engine_oof is not None:
        penalty, threshold = choose_reject_penalty(engine_oof, oof_labels, labels)
        engine = _Penalised(scorer, penalty)
    progress("engine, test messages")
    results = [_result(data, "engine", engine, threshold, engine_s, penalty=penalty)]
    if encoder is None or engine_oof is None:
        return results
    # the engine's training garbage leaves the heap before the encoder's model (about 125 MB)
    # loads: without this the two add up to the peak (500-517 MB on CLINC150, 450 allowed)
    trim_heap()
    progress("encoder, encoding the training texts")
    start = time.perf_counter()
    vectors = encoder.encode(texts)
    progress("encoder, regression, nearest examples and their out-of-fold probabilities")
    semantic = EmbeddingClassifier.fit(vectors, labels, ensemble.semantic)
    encoder_oof, nearest_oof = oof_embedding_probabilities(
        vectors, labels, oof_labels, ensemble.semantic, ensemble.oof_folds
    )
    # after the regressions' out-of-fold pass, the training's memory peak
    nearest = NearestExamples.fit(vectors, labels, ensemble.semantic) if ensemble.nearest else None
    near_oof = nearest_oof if nearest is not None else None
    del nearest_oof
    index = {label: i for i, label in enumerate(oof_labels)}
    truth = np.array([index[label] for label in labels])
    weights = choose_mix(engine_oof, encoder_oof, truth, ensemble, near_oof)
    mixed = mix(engine_oof, encoder_oof, weights, near_oof)
    del vectors, encoder_oof, engine_oof, near_oof
    trim_heap()
    ensemble_s = engine_s + oof_s + time.perf_counter() - start
    penalty = None
    if has_oos:
        penalty, threshold = choose_reject_penalty(mixed, oof_labels, labels)
        ensemble = replace(ensemble, reject_penalty=penalty)
    combined = EnsembleScorer(scorer, semantic, encoder, weights, ensemble, nearest)
    progress("ensemble, test messages")
    results.append(
        _result(data, "ensemble", combined, threshold, ensemble_s, weights.label(), penalty)
    )
    return results
