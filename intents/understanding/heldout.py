"""Measuring the reader and the matcher together on a held-out phrase file (see tests/heldout).

In-scope accuracy: the decided intent is the expected one (answered, or handed off by an intent
that hands off); a clarify offering it counts half. Out-of-scope: not answered (a clarify or
nothing matched) is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from intents.errors import IntentsError
from intents.matching.results import Decision
from intents.understanding.reader import Context, Reader

__all__ = ["HeldOut", "HeldOutResult", "evaluate_heldout", "load_heldout"]


class HeldOutError(IntentsError):
    """A held-out file that cannot be read; says which and why."""


@dataclass(frozen=True)
class HeldOut:
    lang: str
    in_scope: tuple[tuple[str, str], ...]  # (intent, message)
    out_of_scope: tuple[str, ...]


@dataclass
class HeldOutResult:
    lang: str
    in_scope: int = 0
    in_scope_points: float = 0.0
    out_of_scope: int = 0
    out_of_scope_kept: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def in_scope_accuracy(self) -> float:
        return self.in_scope_points / self.in_scope if self.in_scope else 0.0

    @property
    def out_of_scope_not_answered(self) -> float:
        return self.out_of_scope_kept / self.out_of_scope if self.out_of_scope else 0.0


def load_heldout(path: Path) -> HeldOut:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HeldOutError(f"{path}: cannot read it: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("lang"), str):
        raise HeldOutError(f"{path}: expected 'lang', 'in_scope' and 'out_of_scope' keys")
    pairs = data.get("in_scope") or []
    if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise HeldOutError(f"{path}: every in_scope entry must be [intent, message]")
    return HeldOut(
        data["lang"],
        tuple((str(intent), str(text)) for intent, text in pairs),
        tuple(str(text) for text in data.get("out_of_scope") or []),
    )


def evaluate_heldout(
    reader: Reader, heldout: HeldOut, *, engine_only: bool = False
) -> HeldOutResult:
    """``engine_only``: the matcher alone on the raw messages, for comparison."""
    result = HeldOutResult(heldout.lang)
    context = Context(heldout.lang)

    def decide(text: str) -> Decision:
        if engine_only:
            return reader.decide(text, heldout.lang)
        return reader.understand(text, context).decision

    for intent, text in heldout.in_scope:
        decision = decide(text)
        result.in_scope += 1
        if decision.action in ("answer", "handoff") and decision.intent_id == intent:
            result.in_scope_points += 1
        elif decision.action == "clarify" and intent in {o.id for o in decision.options}:
            result.in_scope_points += 0.5
            result.misses.append(f"half  {intent:22} {text!r} → clarify")
        else:
            got = decision.intent_id or decision.article or "-"
            result.misses.append(f"wrong {intent:22} {text!r} → {decision.action} {got}")
    for text in heldout.out_of_scope:
        decision = decide(text)
        result.out_of_scope += 1
        answered = decision.action in ("answer", "handoff") and (
            decision.intent is not None or decision.article is not None
        )
        if answered:
            result.misses.append(
                f"oos   {'':22} {text!r} → answered {decision.intent_id or decision.article}"
            )
        else:
            result.out_of_scope_kept += 1
    return result
