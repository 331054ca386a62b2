"""Alembic environment for the async engines of ``storage``.

From code (``storage.migrate``) a live connection arrives in ``config.attributes["connection"]``.
From the alembic CLI the URL comes from ``-x url=...``, else ``sqlalchemy.url`` in alembic.ini.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from storage.engine import create_engine
from storage.tables import Base, Json, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("no database URL: pass -x url=sqlite+aiosqlite:///supportbot.sqlite3")
    return url


def _render_item(type_: str, obj: object, context: AutogenContext) -> str | Literal[False]:
    """New migrations spell the column type plainly, not as a ``storage`` import."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, Json):  # as alembic spells JSON().with_variant(JSONB)
        context.imports.add("from sqlalchemy.dialects import postgresql")
        return 'sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")'
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=_render_item,
        render_as_batch=True,  # SQLite changes columns by copying the table
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None and config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
if context.is_offline_mode():
    _run_offline()
elif connection is not None:
    _configure(connection)
else:
    asyncio.run(_run_online())
