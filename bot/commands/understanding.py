"""``test-conversations`` (conversation tests through the real core) and ``eval-heldout`` (the
message reader and matcher on a held-out phrase file)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.commands import Context

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    conv = commands.add_parser(
        "test-conversations", help="run conversation tests (YAML) through the core"
    )
    conv.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="conversation files or folders (default: tests/conversations)",
    )
    conv.set_defaults(handler=run_conversations)
    held = commands.add_parser(
        "eval-heldout", help="in-scope accuracy and out-of-scope refusals on held-out phrases"
    )
    held.add_argument("files", nargs="+", type=Path, metavar="FILE", help="held-out YAML files")
    held.add_argument("--show", action="store_true", help="list every message that was not right")
    held.add_argument(
        "--engine-only",
        action="store_true",
        help="the matcher alone on the raw messages (no reader), for comparison",
    )
    held.add_argument(
        "--encoder",
        choices=("use", "none"),
        help="the sentence encoder to train with (default: [matching] encoder)",
    )
    held.set_defaults(handler=run_heldout)


def run_conversations(args: argparse.Namespace, context: Context) -> int:
    from bot.app import load_brain
    from bot.conversations import ConversationError, load_conversations, report, run_conversation
    from bot.core import CoreConfig, Texts

    settings = context.settings
    try:
        conversations = load_conversations(args.paths or [Path("tests/conversations")])
    except ConversationError as exc:
        print(f"supportbot: {exc}", file=sys.stderr)
        return 1

    async def run() -> int:
        print("training the matcher…", file=sys.stderr)
        brain = await load_brain(settings)
        texts = Texts.load(
            settings.content.texts_dir, settings.languages.supported, settings.languages.default
        )
        config = CoreConfig.from_settings(settings)
        config = CoreConfig(
            languages=config.languages,
            default_language=config.default_language,
            misses_before_handoff=config.misses_before_handoff,
            operator_group_id=-100,
        )
        failures = []
        for n, conversation in enumerate(conversations, 1):
            print(f"[{n}/{len(conversations)}] {conversation.path}", file=sys.stderr)
            failures += await run_conversation(conversation, brain, texts, config)
        print(report(conversations, failures))
        return 1 if failures else 0

    return asyncio.run(run())


def run_heldout(args: argparse.Namespace, context: Context) -> int:
    from intents import ContentError, Engine, Thresholds, load_content, make_encoder
    from intents.understanding import Reader
    from intents.understanding.heldout import evaluate_heldout, load_heldout

    settings = context.settings
    try:
        content = load_content(
            settings.content.intents_dir,
            settings.content.kb_dir,
            settings.languages.supported,
            settings.languages.default,
        )
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    print("training the matcher…", file=sys.stderr)
    encoder_name = args.encoder or settings.matching.encoder
    engine = Engine.build(
        content,
        Thresholds.from_settings(settings.matching),
        default_lang=settings.languages.default,
        encoder=make_encoder(encoder_name, settings.matching.embeddings_dir),
    )
    reader = Reader(content, engine.decide, settings.languages.default)
    for path in args.files:
        result = evaluate_heldout(reader, load_heldout(path), engine_only=args.engine_only)
        if args.show:
            print("\n".join(result.misses))
        what = "engine alone" if args.engine_only else "reader + engine"
        what += " + sentence encoder" if encoder_name == "use" else ""
        print(
            f"{path} ({result.lang}, {what}): in-scope accuracy {result.in_scope_accuracy:.3f} "
            f"({result.in_scope_points:g}/{result.in_scope}), out-of-scope not answered "
            f"{result.out_of_scope_not_answered:.3f} "
            f"({result.out_of_scope_kept}/{result.out_of_scope})"
        )
        summary = {
            "file": str(path),
            "lang": result.lang,
            "in_scope_accuracy": round(result.in_scope_accuracy, 4),
            "out_of_scope_not_answered": round(result.out_of_scope_not_answered, 4),
            "engine_only": args.engine_only,
            "encoder": encoder_name,
        }
        print(json.dumps(summary))
    return 0
