"""``supportbot db``: bring the database schema up to date, or show where it stands.

supportbot db upgrade [REVISION]   run the migrations (default: head)
supportbot db current              the database's revision and the newest one shipped
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.commands import Context
    from storage import Database

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[Any]) -> None:
    parser = commands.add_parser(
        "db",
        help="database schema: upgrade, current",
        description="Manage the database schema (Alembic migrations) at [database] url.",
    )
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help="apply the migrations up to REVISION")
    upgrade.add_argument(
        "revision", nargs="?", default="head", help="target revision (default: head)"
    )
    upgrade.set_defaults(handler=_upgrade)
    current = actions.add_parser("current", help="show the database's revision")
    current.set_defaults(handler=_current)


def _upgrade(args: argparse.Namespace, context: Context) -> int:
    async def run(db: Database) -> str:
        before = await db.current_revision()
        await db.create_schema(args.revision)
        after = await db.current_revision()
        if before == after:
            return f"{db.url}: already at {after or 'an empty schema'}"
        return f"{db.url}: upgraded {before or 'empty database'} -> {after}"

    return _with_database(context, run)


def _current(args: argparse.Namespace, context: Context) -> int:
    async def run(db: Database) -> str:
        current, head = await db.current_revision(), db.head_revision()
        state = "up to date" if current == head else "run `supportbot db upgrade`"
        return f"{db.url}: at {current or 'nothing (empty database)'}, newest {head} ({state})"

    return _with_database(context, run)


def _with_database(context: Context, action: Callable[[Database], Awaitable[str]]) -> int:
    from storage import Database, StorageError  # imported here: `supportbot --help` stays fast

    async def main() -> str:
        db = Database.connect(context.settings.database.url)
        try:
            return await action(db)
        finally:
            await db.dispose()

    try:
        print(asyncio.run(main()))
    except StorageError as exc:
        print(f"supportbot db: {exc}", file=sys.stderr)
        return 1
    return 0
