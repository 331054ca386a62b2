"""The ``supportbot`` command line: one parser, one module per group of commands."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.commands import COMMAND_MODULES, Context

__all__ = ["main"]


def _start_up_errors() -> tuple[type[Exception], ...]:
    """The root error of each package: what a person can fix (content, texts, database, hours).

    Imported once a command has failed: ``supportbot --help`` loads none of these packages, and
    each command imports the heavy ones (scikit-learn, SQLAlchemy, aiogram) only when it runs."""
    from bot.core import TextsError
    from handoff import HandoffError
    from intents import IntentsError
    from kb import KbError
    from storage import StorageError

    return (IntentsError, KbError, TextsError, StorageError, HandoffError)


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
        help="TOML settings file (default: $SUPPORTBOT_CONFIG, else built-in defaults)",
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
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from bot.config import ConfigError

        if isinstance(exc, ConfigError):
            print(f"supportbot: configuration error: {exc}", file=sys.stderr)
            return 2
        if not isinstance(exc, _start_up_errors()):
            raise
        print(f"supportbot: {exc}", file=sys.stderr)  # it says what to fix; a traceback buries it
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
