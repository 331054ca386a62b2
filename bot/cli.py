"""The ``supportbot`` command line: one parser, one module per group of commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.commands import COMMAND_MODULES, Context
from bot.config import CONFIG_ENV, ConfigError
from bot.core.texts import TextsError
from handoff.errors import HandoffError
from intents import IntentsError
from kb.errors import KbError
from storage import StorageError

__all__ = ["main"]

# The root error of each package: what a person can fix (content, texts, database, hours).
_START_UP_ERRORS = (IntentsError, KbError, TextsError, StorageError, HandoffError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="supportbot",
        description="Telegram first-line support bot: answers from intents and a knowledge base, "
        "hands the rest to operators.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"TOML settings file (default: ${CONFIG_ENV}, else built-in defaults)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"bot.commands.{name}")
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    context = Context(config_path=args.config)
    try:
        code: int = args.handler(args, context)
    except ConfigError as exc:
        print(f"supportbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except _START_UP_ERRORS as exc:  # messages say what to fix; a traceback would bury them
        print(f"supportbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
