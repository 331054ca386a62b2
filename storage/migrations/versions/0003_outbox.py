"""The transactional outbox: work an update left to do after its commit, and its calls made.

Revision ID: 0003_outbox
Revises: 0002_reports
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_outbox"
down_revision: str | None = "0002_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_created_at"), "outbox", ["created_at"])
    op.create_table(
        "outbox_steps",
        sa.Column("work_id", _ID, nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_steps_work_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("work_id", "key", name=op.f("pk_outbox_steps")),
    )


def downgrade() -> None:
    op.drop_table("outbox_steps")
    op.drop_index(op.f("ix_outbox_created_at"), table_name="outbox")
    op.drop_table("outbox")
