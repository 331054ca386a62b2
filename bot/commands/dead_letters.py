"""``supportbot dead-letters``: the updates the bot gave up on, and what to do with each.

supportbot dead-letters              list them (id, when, kind, chat, tries, error, an excerpt)
supportbot dead-letters --show ID    one of them in full: the error and the update's JSON
supportbot dead-letters --retry ID   have the running bot handle it again (within ~5 s)
supportbot dead-letters --drop ID    forget it
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.commands import Context
    from handoff import UnitOfWork

__all__ = ["excerpt", "register"]

EXCERPT = 40
ERROR = 60


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser(
        "dead-letters",
        help="updates the bot gave up on: list, --show, --retry or --drop one",
        description="Updates whose handling failed every try (or that could not be read) are "
        "parked with their JSON and the error. List them, look at one, have the running bot "
        "handle one again, or forget it.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--show", type=int, metavar="ID", help="print one in full (error, JSON)")
    action.add_argument(
        "--retry", type=int, metavar="ID", help="have the running bot handle it again"
    )
    action.add_argument("--drop", type=int, metavar="ID", help="forget it")
    parser.add_argument(
        "--limit", type=int, default=100, help="list at most this many, oldest first (100)"
    )
    parser.set_defaults(handler=_dead_letters)


def _dead_letters(args: argparse.Namespace, context: Context) -> int:
    if args.show is not None:
        return _run(context, lambda uow: _show(uow, args.show))
    if args.retry is not None:
        return _run(context, lambda uow: _retry(uow, args.retry))
    if args.drop is not None:
        return _run(context, lambda uow: _drop(uow, args.drop))
    return _run(context, lambda uow: _list(uow, args.limit))


class _Refused(Exception):
    """What the person asked for cannot be done; the message says why and what to do."""


def _missing(letter_id: int) -> _Refused:
    return _Refused(
        f"there is no dead letter {letter_id}; `supportbot dead-letters` lists the ones there are"
    )


async def _list(uow: UnitOfWork, limit: int) -> str:
    letters = await uow.dead_letters.oldest(limit=limit)
    if not letters:
        return "No dead letters: every update was handled."
    rows = [("ID", "PARKED (UTC)", "KIND", "CHAT", "TRIES", "ERROR", "EXCERPT")]
    rows += [
        (
            str(letter.id) + ("*" if letter.retry_requested else ""),
            letter.parked_at.strftime("%Y-%m-%d %H:%M:%S"),
            letter.kind,
            "" if letter.chat_id is None else str(letter.chat_id),
            str(letter.attempts),
            _short(letter.error.splitlines()[0] if letter.error else "", ERROR),
            excerpt(letter.raw),
        )
        for letter in letters
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    waiting = sum(letter.retry_requested for letter in letters)
    lines.append(
        f"{len(letters)} dead letter(s)"
        + (f"; * = a retry is waiting for the running bot ({waiting})" if waiting else "")
        + ". --show ID for one in full, --retry ID to handle it again, --drop ID to forget it."
    )
    return "\n".join(lines)


async def _show(uow: UnitOfWork, letter_id: int) -> str:
    letter = await uow.dead_letters.get(letter_id)
    if letter is None:
        raise _missing(letter_id)
    return "\n".join(
        [
            f"dead letter {letter.id}: update {letter.update_id} ({letter.kind}), "
            f"chat {letter.chat_id if letter.chat_id is not None else 'unknown'}",
            f"parked {letter.parked_at.isoformat()} after {letter.attempts} tries"
            + ("; a retry is requested" if letter.retry_requested else ""),
            f"error: {letter.error}",
            json.dumps(json.loads(letter.raw), ensure_ascii=False, indent=2),
        ]
    )


async def _retry(uow: UnitOfWork, letter_id: int) -> str:
    if not await uow.dead_letters.request_retry(letter_id):
        raise _missing(letter_id)
    return (
        f"Dead letter {letter_id} will be handled again by the running bot within a few seconds; "
        "it leaves the list once handled (a new failure shows in its error and tries)."
    )


async def _drop(uow: UnitOfWork, letter_id: int) -> str:
    if not await uow.dead_letters.drop(letter_id):
        raise _missing(letter_id)
    return f"Dead letter {letter_id} is forgotten."


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def excerpt(raw: str, width: int = EXCERPT) -> str:
    """A short, one-line taste of an update: its text, caption or button data, else its JSON."""
    try:
        update = json.loads(raw)
    except ValueError:
        return _short(raw, width)
    body = next((v for k, v in update.items() if k != "update_id"), None)
    if isinstance(body, dict):
        for key in ("text", "caption", "data"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return _short(value, width)
    return _short(json.dumps(body, ensure_ascii=False), width)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _run(context: Context, action: Callable[[UnitOfWork], Awaitable[str]]) -> int:
    from storage import Database, StorageError  # imported here: `supportbot --help` stays fast

    async def main() -> str:
        database = Database.connect(context.settings.database.url)
        try:
            await database.create_schema()
            async with database.unit_of_work() as uow:
                return await action(uow)
        finally:
            await database.dispose()

    try:
        print(asyncio.run(main()))
    except (_Refused, StorageError) as exc:
        print(f"supportbot dead-letters: {exc}", file=sys.stderr)
        return 1
    return 0
