"""How well the content-gaps report groups missed questions: n-grams against the sentence encoder.

Public intent datasets stand in for a desk's misses. A *scenario* is drawn from a pool of labelled
phrases: 20 intents are "the content" (10 examples each); the misses are 2–6 other phrases of 8 of
those intents (the right suggestion: add them to that intent), 2–6 phrases of 8 intents the content
does not have (the right suggestion: a new intent), and one phrase each of 10 more intents (noise,
each its own group). ``handoff.find_gaps`` groups the misses (``min_size=1``) and the groups are
scored against the true labels:

- pairwise precision / recall / F1: over every pair of distinct missed texts, "same group" against
  "same intent" (the usual measure of a clustering against a labelling), and the adjusted Rand
  index (ARI, 0 for chance, 1 for perfect);
- suggestion accuracy: the share of questions in groups of two or more whose group gets the right
  suggestion (add to the group's majority intent when the content has it, a new intent otherwise).

Thresholds are tuned on a development set only: half of CLINC150's 150 intents (a fixed shuffle),
their train and val phrases. They are reported on held-out sets never tuned on: the other half of
CLINC150's intents, and BANKING77 (77 banking intents, a domain of its own). Without options it
prints the figures of ``handoff.NGRAM_THRESHOLDS`` and ``handoff.ENCODER_THRESHOLDS`` on every
set; ``--tune`` first shows the grid search on the development set that chose the encoder's
(about 5 minutes) and adds rows ``n-grams*`` / ``encoder*`` for dev-tuned values that differ
from the shipped ones.

    .venv/bin/python benchmarks/gaps_grouping.py [--samples 30] [--tune] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import adjusted_rand_score

from handoff import (
    ADD_EXAMPLES,
    ENCODER_THRESHOLDS,
    NEW_INTENT,
    NGRAM_THRESHOLDS,
    Embed,
    GapThresholds,
    Miss,
    find_gaps,
)
from intents import make_encoder

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench"
CONTENT_INTENTS = 20
EXAMPLES = 10
KNOWN_GROUPS = 8
NEW_GROUPS = 8
NOISE = 10
GROUP_SIZES = (2, 6)
SIMILARITIES = [round(0.10 + 0.05 * i, 2) for i in range(16)]  # 0.10 … 0.85
ADD_THRESHOLDS = [round(0.20 + 0.05 * i, 2) for i in range(15)]  # 0.20 … 0.90

Pool = dict[str, list[str]]


@dataclass(frozen=True)
class Scenario:
    examples: dict[str, list[str]]  # the content: intent → its examples
    misses: list[tuple[str, str]]  # (text, true intent)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    ari: float
    suggestions: float  # share of questions in groups of 2+ with the right suggestion


def load_clinc(path: Path) -> Pool:
    data = json.loads(path.read_text(encoding="utf-8"))
    pool: Pool = {}
    for key in ("train", "val"):
        for text, label in data[key]:
            pool.setdefault(label, []).append(text)
    return pool


def load_banking(path: Path) -> Pool:
    import csv

    pool: Pool = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            pool.setdefault(row["category"], []).append(row["text"])
    return pool


def split_intents(pool: Pool, seed: int = 0) -> tuple[Pool, Pool]:
    """Half of the intents (a fixed shuffle) for development, the other half held out."""
    labels = sorted(pool)
    random.Random(seed).shuffle(labels)
    half = len(labels) // 2
    return {k: pool[k] for k in labels[:half]}, {k: pool[k] for k in labels[half:]}


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


def scenario(pool: Pool, rng: random.Random) -> Scenario:
    wanted = CONTENT_INTENTS + NEW_GROUPS + NOISE
    labels = rng.sample(sorted(pool), wanted)
    content, new, noise = (
        labels[:CONTENT_INTENTS],
        labels[CONTENT_INTENTS : CONTENT_INTENTS + NEW_GROUPS],
        labels[CONTENT_INTENTS + NEW_GROUPS :],
    )
    examples: dict[str, list[str]] = {}
    misses: list[tuple[str, str]] = []
    for number, label in enumerate(content):
        phrases = rng.sample(pool[label], EXAMPLES + GROUP_SIZES[1])
        examples[label] = phrases[:EXAMPLES]
        if number < KNOWN_GROUPS:
            misses += [(t, label) for t in phrases[EXAMPLES : EXAMPLES + rng.randint(*GROUP_SIZES)]]
    for label in new:
        misses += [(t, label) for t in rng.sample(pool[label], rng.randint(*GROUP_SIZES))]
    for label in noise:
        misses.append((rng.choice(pool[label]), label))
    # one text, one intent: drop texts that repeat (a dataset may hold a phrase twice)
    seen: dict[str, str] = {}
    for text, label in misses:
        seen.setdefault(_normalise(text), label)
    return Scenario(examples, list(seen.items()))


def score(case: Scenario, embed: Embed | None, thresholds: GapThresholds) -> Score:
    misses = [Miss(text, "en") for text, _ in case.misses]
    gaps = find_gaps(misses, case.examples, embed=embed, thresholds=thresholds, min_size=1)
    truth = dict(case.misses)
    texts = [text for text, _ in case.misses]
    group = {text: number for number, gap in enumerate(gaps) for text in gap.texts}
    same_group = same_label = both = 0
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            g, t = group[a] == group[b], truth[a] == truth[b]
            same_group += g
            same_label += t
            both += g and t
    precision = both / same_group if same_group else 1.0
    recall = both / same_label if same_label else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ari = adjusted_rand_score([truth[t] for t in texts], [group[t] for t in texts])
    judged = right = 0
    for gap in gaps:
        if len(gap.texts) < 2:
            continue
        labels = [truth[t] for t in gap.texts]
        majority = max(sorted(set(labels)), key=labels.count)
        expected = (ADD_EXAMPLES, majority) if majority in case.examples else (NEW_INTENT, None)
        judged += len(gap.texts)
        right += len(gap.texts) * ((gap.action, gap.target) == expected)
    return Score(precision, recall, f1, float(ari), right / judged if judged else 1.0)


def mean_score(cases: Sequence[Scenario], embed: Embed | None, thresholds: GapThresholds) -> Score:
    scores = [score(case, embed, thresholds) for case in cases]
    return Score(
        *(
            statistics.fmean(getattr(s, field) for s in scores)
            for field in Score.__dataclass_fields__
        )
    )


def cached(embed: Embed) -> Embed:
    """The encoder's vectors, each text encoded once over the whole run."""
    memo: dict[str, npt.NDArray[Any]] = {}

    def vectors(texts: Sequence[str]) -> npt.NDArray[Any]:
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        if missing:
            memo.update(zip(missing, embed(missing), strict=True))
        return np.array([memo[t] for t in texts]) if texts else np.zeros((0, 1))

    return vectors


def tune(
    cases: Sequence[Scenario], embed: Embed | None, say: Callable[[str], None]
) -> GapThresholds:
    """The similarity with the best pairwise F1, then the add threshold with the best suggestion
    accuracy at that similarity (the lower on ties)."""
    best_similarity, best_f1 = SIMILARITIES[0], -1.0
    for similarity in SIMILARITIES:
        got = mean_score(cases, embed, GapThresholds(similarity, 1.0))
        say(f"  similarity {similarity:.2f}: pairwise F1 {got.f1:.3f}, ARI {got.ari:.3f}")
        if got.f1 > best_f1:
            best_similarity, best_f1 = similarity, got.f1
    best_add, best_accuracy = ADD_THRESHOLDS[0], -1.0
    for add in ADD_THRESHOLDS:
        got = mean_score(cases, embed, GapThresholds(best_similarity, add))
        say(f"  add threshold {add:.2f}: suggestion accuracy {got.suggestions:.3f}")
        if got.suggestions > best_accuracy:
            best_add, best_accuracy = add, got.suggestions
    return GapThresholds(best_similarity, best_add)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clinc", type=Path, default=BENCH / "clinc150/data_full_trainval.json")
    parser.add_argument("--banking", type=Path, default=BENCH / "banking77/train.csv")
    parser.add_argument("--samples", type=int, default=30, help="scenarios per set (default 30)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tune", action="store_true", help="show the grid search on dev")
    parser.add_argument("--json", action="store_true", help="one last line of JSON")
    args = parser.parse_args(argv)
    for path in (args.clinc, args.banking):
        if not path.is_file():
            print(f"gaps_grouping: {path} not found; pass --clinc / --banking", file=sys.stderr)
            return 1
    dev_pool, held_pool = split_intents(load_clinc(args.clinc))
    sets = {
        "dev (CLINC150, 75 intents)": dev_pool,
        "held-out (CLINC150, other 75)": held_pool,
        "held-out (BANKING77)": load_banking(args.banking),
    }
    rng = random.Random(args.seed)
    cases = {
        name: [scenario(pool, rng) for _ in range(args.samples)] for name, pool in sets.items()
    }
    encoder = make_encoder("use")
    assert encoder is not None
    use = cached(encoder.encode)
    models: dict[str, tuple[Embed | None, GapThresholds]] = {
        "n-grams": (None, NGRAM_THRESHOLDS),
        "encoder": (use, ENCODER_THRESHOLDS),
    }
    tuned: dict[str, GapThresholds] = {}
    if args.tune:
        dev = next(iter(cases.values()))
        for name, (embed, _) in list(models.items()):
            print(f"tuning {name} on the development set ({len(dev)} scenarios)")
            started = time.perf_counter()
            tuned[name] = tune(dev, embed, print)
            print(
                f"{name}: chosen on dev similarity {tuned[name].similarity:.2f}, add threshold "
                f"{tuned[name].add_threshold:.2f} ({time.perf_counter() - started:.0f} s)"
            )
            if tuned[name] != models[name][1]:  # what the dev-tuned values do on held-out data
                models[f"{name}*"] = (embed, tuned[name])
    print()
    header = f"{'set':32} {'model':9} {'sim':>5} {'add':>5} {'P':>6} {'R':>6} {'F1':>6}"
    print(header + f" {'ARI':>6} {'sugg.':>6}")
    results = []
    for set_name, set_cases in cases.items():
        for name, (embed, thresholds) in models.items():
            got = mean_score(set_cases, embed, thresholds)
            results.append({"set": set_name, "model": name, **asdict(thresholds), **asdict(got)})
            print(
                f"{set_name:32} {name:9} {thresholds.similarity:5.2f} "
                f"{thresholds.add_threshold:5.2f} {got.precision:6.3f} {got.recall:6.3f} "
                f"{got.f1:6.3f} {got.ari:6.3f} {got.suggestions:6.3f}"
            )
    if args.json:
        chosen = {name: asdict(t) for name, t in tuned.items()}
        print(json.dumps({"samples": args.samples, "tuned_on_dev": chosen, "results": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
