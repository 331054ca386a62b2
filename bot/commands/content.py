"""Content commands: ``check``, ``ask``, ``eval`` and ``bench``.

``check`` validates the intents and articles; ``ask`` runs the matcher on messages; ``eval``
cross-validates the content; ``bench`` measures the engine on CLINC150 / BANKING77 files.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.commands import Context
from bot.commands.metrics import positive
from handoff import WorkingHours, contradicting_hours
from intents import ContentError, Decision, IntentsError, Thresholds, load_content
from kb import collect_templates

if TYPE_CHECKING:
    from intents import Content, EncoderName, Engine, SentenceEncoder
    from intents.matching.bench import BenchResult
    from intents.matching.phrases import Phrase

# The matcher, `eval` and `bench` (scikit-learn, numpy) are imported inside their commands:
# `supportbot --help` and `supportbot check` never load them.
ENCODERS = ("use", "none")  # [matching] encoder; tests check it against the matcher's list

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    check = commands.add_parser("check", help="validate intents and knowledge-base articles")
    _content_dirs(check)
    check.set_defaults(handler=run_check)

    ask = commands.add_parser("ask", help="show what the matcher decides for messages")
    _content_dirs(ask)
    ask.add_argument("--json", action="store_true", help="one JSON object per message")
    ask.add_argument("--lang", choices=["ru", "en"], help="language (default: detected)")
    ask.add_argument(
        "text",
        nargs="+",
        metavar="TEXT",
        help="the message (unquoted words form one message; several quoted arguments are "
        "several messages), or - to read one message per line from stdin",
    )
    ask.set_defaults(handler=run_ask)

    evaluate = commands.add_parser("eval", help="cross-validate the content, suggest thresholds")
    _content_dirs(evaluate)
    evaluate.add_argument("--folds", type=int, default=5, help="cross-validation folds (5)")
    evaluate.add_argument(
        "--repeats",
        type=positive,
        default=3,
        help="repeat the k-fold with this many different shuffles and report the mean (3); "
        "each repeat trains the matcher once per fold",
    )
    evaluate.add_argument(
        "--encoder",
        choices=ENCODERS,
        help="sentence encoder measured next to the engine alone (default: [matching] encoder)",
    )
    evaluate.add_argument(
        "--phrases",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="also decide the labelled messages of FILE ('intent_id | message' per line) with "
        "engines trained on all the content; repeatable",
    )
    evaluate.set_defaults(handler=run_eval)

    bench = commands.add_parser("bench", help="measure the engine on a public dataset")
    datasets = bench.add_subparsers(dest="dataset", metavar="DATASET", required=True)
    clinc = datasets.add_parser("clinc150", help="CLINC150 (data_full.json format)")
    clinc.add_argument(
        "--data", type=Path, required=True, metavar="FILE", help="path to data_full.json"
    )
    clinc.add_argument(
        "--split",
        choices=["val", "test"],
        default="val",
        help="split to report (default val; the threshold is chosen on val)",
    )
    _encoder_flag(clinc)
    clinc.set_defaults(handler=run_bench_clinc)
    banking = datasets.add_parser("banking77", help="BANKING77 (text,category CSV)")
    banking.add_argument("--train", type=Path, required=True, metavar="CSV")
    banking.add_argument(
        "--test",
        type=Path,
        metavar="CSV",
        help="test CSV (default: a stratified share of train is held out, see --holdout)",
    )
    banking.add_argument(
        "--holdout",
        type=float,
        default=0.1,
        metavar="SHARE",
        help="share of train held out when there is no --test (default 0.1; 0.2 was the "
        "split before the sentence encoder)",
    )
    _encoder_flag(banking)
    banking.set_defaults(handler=run_bench_banking)


def _encoder_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--encoder",
        choices=ENCODERS,
        default="use",
        help="sentence encoder of the ensemble measured next to the engine alone (default use; "
        "none: the engine alone)",
    )


def _content_dirs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--intents", type=Path, metavar="DIR", help="intent files (default: [content] intents_dir)"
    )
    parser.add_argument(
        "--kb", type=Path, metavar="DIR", help="knowledge-base articles (default: [content] kb_dir)"
    )
    parser.add_argument(
        "--templates",
        type=Path,
        metavar="DIR",
        help="operators' answer templates (default: [content] templates_dir)",
    )


def _dirs(args: argparse.Namespace, context: Context) -> tuple[Path, Path]:
    intents_dir: Path | None = args.intents
    kb_dir: Path | None = args.kb
    if intents_dir is None or kb_dir is None:
        settings = context.settings.content
        intents_dir = intents_dir or settings.intents_dir
        kb_dir = kb_dir or settings.kb_dir
    return intents_dir, kb_dir


def run_check(args: argparse.Namespace, context: Context) -> int:
    intents_dir, kb_dir = _dirs(args, context)
    templates, template_problems = collect_templates(_templates_dir(args, context))
    try:
        content = load_content(intents_dir, kb_dir, *_languages(context))
    except ContentError as exc:
        problems = [*exc.problems, *template_problems]
        print("\n".join(str(p) for p in problems), file=sys.stderr)
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", file=sys.stderr)
        return 1
    if template_problems:
        print("\n".join(str(p) for p in template_problems), file=sys.stderr)
        count = len(template_problems)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)
        return 1
    for warning in _hours_warnings(content, context):
        print(warning, file=sys.stderr)
    print(
        f"OK: {len(content.intents)} intents, {len(content.article_ids)} articles "
        f"({len(content.articles)} files), {len(templates)} answer templates"
    )
    return 0


def _hours_warnings(content: Content, context: Context) -> Iterator[str]:
    """Answers and articles that state working hours contradicting [hours] (write {hours})."""
    hours = WorkingHours.from_settings(context.settings.hours)
    config = f"{hours.start:%H:%M}–{hours.end:%H:%M} on days {sorted(hours.days)}"
    texts: list[tuple[Path | None, str]] = [
        (intent.file, answer)
        for intent in content.intents.values()
        for answer in intent.answer.values()
    ]
    texts += [(article.file, article.body) for article in content.articles.values()]
    seen: dict[tuple[Path | None, str], int] = {}
    for file, text in texts:
        for stated in contradicting_hours(text, hours):
            nth = seen[(file, stated.text)] = seen.get((file, stated.text), 0) + 1
            line = _line_of(file, stated.text, nth)
            yield (
                f"{file}:{line}: warning: states hours “{stated.text}” but [hours] says {config}; "
                "write {hours} to show the configured hours"
            )


def _line_of(file: Path | None, text: str, nth: int = 1) -> int:
    """The line of the ``nth`` occurrence of ``text`` in ``file`` (0 when it cannot be read)."""
    try:
        lines = file.read_text(encoding="utf-8").splitlines() if file else []
    except OSError:
        return 0
    found = [n for n, line in enumerate(lines, 1) if text in line]
    return found[nth - 1] if len(found) >= nth else (found[-1] if found else 0)


def _templates_dir(args: argparse.Namespace, context: Context) -> Path:
    given: Path | None = getattr(args, "templates", None)
    return given or context.settings.content.templates_dir


def _messages(texts: list[str]) -> Iterator[str]:
    if texts == ["-"]:
        for line in sys.stdin:
            if line.strip():
                yield line.rstrip("\n")
    elif any(" " in text for text in texts):
        yield from texts  # quoted messages: one each
    else:
        yield " ".join(texts)  # unquoted words: one message


def decision_json(decision: Decision) -> dict[str, object]:
    return {
        "text": decision.text,
        "lang": decision.lang,
        "action": decision.action,
        "intent": decision.intent_id,
        "article": decision.article,
        "score": round(decision.score, 4),
        "candidates": [{"id": c.id, "score": round(c.score, 4)} for c in decision.candidates],
    }


def _readable(engine: Engine, decision: Decision) -> str:
    lines = [
        f"> {decision.text}",
        f"  {decision.action} ({decision.lang}, score {decision.score:.2f})",
    ]
    if decision.intent is not None:
        lines.append(f"  intent: {decision.intent.id}")
    if decision.article is not None:
        lines.append(f"  article: {decision.article}")
    for option in decision.options:
        lines.append(f"  option: {engine.title(option, decision.lang)} [{option.id}]")
    ranked = ", ".join(f"{c.id} {c.score:.2f}" for c in decision.candidates)
    lines.append(f"  candidates: {ranked}")
    return "\n".join(lines)


def _languages(context: Context) -> tuple[list[str], str]:
    """The configured languages and the default one: the content is loaded in these."""
    languages = context.settings.languages
    return list(languages.supported), languages.default


def _thresholds(context: Context) -> tuple[Thresholds, str]:
    settings = context.settings
    return Thresholds.from_settings(settings.matching), settings.languages.default


def run_ask(args: argparse.Namespace, context: Context) -> int:
    intents_dir, kb_dir = _dirs(args, context)
    try:
        content = load_content(intents_dir, kb_dir, *_languages(context))
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    from intents import Engine, MatcherCache

    thresholds, default_lang = _thresholds(context)
    engine = Engine.build(
        content,
        thresholds,
        default_lang=default_lang,
        encoder=_configured_encoder(context),
        cache=MatcherCache(context.settings.matching.matcher_cache_dir),  # the bot's own
    )
    for text in _messages(args.text):
        decision = engine.decide(text, args.lang)
        if args.json:
            print(json.dumps(decision_json(decision), ensure_ascii=False), flush=True)
        else:
            print(_readable(engine, decision), flush=True)
    return 0


def _progress(label: str) -> Callable[[Iterable[int]], Iterable[int]]:
    from tqdm import tqdm

    def wrap(steps: Iterable[int]) -> Iterable[int]:
        bar: Iterable[int] = tqdm(steps, desc=label, file=sys.stderr, leave=False)
        return bar

    return wrap


def _configured_encoder(
    context: Context, name: EncoderName | None = None
) -> SentenceEncoder | None:
    from intents import make_encoder

    matching = context.settings.matching
    return make_encoder(name or matching.encoder, matching.embeddings_dir)


def run_eval(args: argparse.Namespace, context: Context) -> int:
    from intents.matching.evaluation import cross_validate
    from intents.matching.phrases import load_phrases

    intents_dir, kb_dir = _dirs(args, context)
    try:
        content = load_content(intents_dir, kb_dir, *_languages(context))
        phrase_sets = [(path, load_phrases(path, content.intents)) for path in args.phrases]
    except (ContentError, IntentsError) as exc:
        print(exc, file=sys.stderr)
        return 1
    encoder = _configured_encoder(context, args.encoder)
    thresholds, default_lang = _thresholds(context)
    start = time.perf_counter()
    reports = cross_validate(
        content,
        folds=args.folds,
        repeats=args.repeats,
        langs=content.languages,
        progress=_progress("cross-validation"),
        encoder=encoder,
    )
    print(f"cross-validation took {time.perf_counter() - start:.0f} s")
    for report in reports:
        t = report.thresholds
        low, high = report.spread
        print(
            f"[{report.lang}, {report.model}] {report.examples} examples, {report.folds}-fold "
            f"× {report.repeats}: top-1 intent accuracy {report.accuracy:.3f} (mean; "
            f"{low:.3f}–{high:.3f})"
        )
        answered, right = report.decisions(thresholds)
        print(
            f"  at the configured thresholds: {answered:.1%} answered, "
            f"{right:.1%} answered right ({right / answered if answered else 1.0:.1%} of answers)"
        )
        for true, predicted, count in report.confused[:10]:
            print(f"  confused: {true} → {predicted} ×{count} (over {report.repeats} repeats)")
        print(
            f"  suggested thresholds: answer {t.answer:.2f} (answers right {t.answer_precision:.1%}"
            f", {t.answered:.0%} of examples answered), clarify {t.clarify:.2f}"
        )
    print(f"configured: answer {thresholds.answer:.2f}, clarify {thresholds.clarify:.2f}")
    if phrase_sets:
        _eval_phrases(content, thresholds, default_lang, encoder, phrase_sets)
    return 0


def _eval_phrases(
    content: Content,
    thresholds: Thresholds,
    default_lang: str,
    encoder: SentenceEncoder | None,
    phrase_sets: list[tuple[Path, list[Phrase]]],
) -> None:
    from intents import Engine
    from intents.matching.phrases import evaluate_phrases

    models: list[tuple[str, SentenceEncoder | None]] = [("engine", None)]
    if encoder is not None:
        models.append(("ensemble", encoder))
    for model, model_encoder in models:
        engine = Engine.build(
            content,
            thresholds,
            default_lang=default_lang,
            encoder=model_encoder,
        )
        for path, phrases in phrase_sets:
            report = evaluate_phrases(engine, phrases)
            print(
                f"[{path.name}, {model}] {report.total} phrases: right {report.right} "
                f"({report.accuracy:.0%}), answered right {report.answered_right}, "
                f"clarified with the right option {report.clarified_right}, "
                f"confidently wrong {len(report.confidently_wrong)}"
            )
            for phrase, got in report.confidently_wrong:
                print(f"  wrong answer: {phrase.intent} | {phrase.text} → {got}")
            for phrase, got in report.missed:
                print(f"  missed: {phrase.intent} | {phrase.text} → {got}")


def _print_bench(results: list[BenchResult]) -> None:
    first = results[0]
    rows: list[tuple[str, list[str]]] = [
        ("dataset", [r.name for r in results]),
        ("model", [r.model for r in results]),
        ("intents", [str(r.intents) for r in results]),
        ("train examples", [str(r.train_examples) for r in results]),
        ("test examples", [str(r.test_examples) for r in results]),
    ]
    if first.oos_recall is not None:
        rows += [
            ("in-scope accuracy", [f"{r.in_scope_accuracy:.4f}" for r in results]),
            ("out-of-scope recall", [f"{r.oos_recall or 0.0:.4f}" for r in results]),
            ("top-1 accuracy (no threshold)", [f"{r.accuracy:.4f}" for r in results]),
            ("threshold (out-of-fold)", [f"{r.threshold:.3f}" for r in results]),
        ]
    else:
        rows.append(("accuracy", [f"{r.accuracy:.4f}" for r in results]))
    rows += [
        ("mix engine / encoder", [r.mix or "-" for r in results]),
        ("training", [f"{r.train_s:.1f} s" for r in results]),
        ("one message p50 / p99", [f"{r.p50_ms:.2f} / {r.p99_ms:.2f} ms" for r in results]),
        ("peak RSS so far", [f"{r.rss_mb:.0f} MB" for r in results]),
        ("resident after the test", [_mb(r.loaded_mb) for r in results]),
    ]
    width = max(len(name) for name, _ in rows)
    columns = [max(len(values[i]) for _, values in rows) for i in range(len(results))]
    for name, values in rows:
        cells = "  ".join(f"{v:<{w}}" for v, w in zip(values, columns, strict=True))
        print(f"{name:<{width}}  {cells}".rstrip())
    for result in results:
        print(json.dumps(result.as_json()))


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} MB"


def _bench_encoder(args: argparse.Namespace) -> SentenceEncoder | None:
    from intents import make_encoder

    # no cache: the training time includes encoding the training texts
    return make_encoder(args.encoder, None)


def _step(step: str) -> None:
    print(f"bench: {step}…", file=sys.stderr, flush=True)


def run_bench_clinc(args: argparse.Namespace, context: Context) -> int:
    from intents.matching.bench import BenchError, load_clinc150, run_bench

    try:
        data = load_clinc150(args.data, args.split)
    except BenchError as exc:
        print(f"supportbot bench: {exc}", file=sys.stderr)
        return 2
    _print_bench(run_bench(data, encoder=_bench_encoder(args), progress=_step))
    return 0


def run_bench_banking(args: argparse.Namespace, context: Context) -> int:
    from intents.matching.bench import BenchError, load_banking77, run_bench

    try:
        data = load_banking77(args.train, args.test, args.holdout)
    except BenchError as exc:
        print(f"supportbot bench: {exc}", file=sys.stderr)
        return 2
    _print_bench(run_bench(data, encoder=_bench_encoder(args), progress=_step))
    return 0
