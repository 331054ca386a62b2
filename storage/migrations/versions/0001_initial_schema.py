"""Initial schema: customers, conversations, messages, tickets, surveys, decisions, relays, updates.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _big() -> sa.BigInteger:
    return sa.BigInteger()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _index(table: str, *columns: str) -> None:
    op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, list(columns))


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", _id(), nullable=False),
        sa.Column("telegram_id", _big(), nullable=False),
        sa.Column("chat_id", _big(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("language_chosen", sa.Boolean(), nullable=False),
        sa.Column("blocked", sa.Boolean(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column(
            "state",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_customers_telegram_id")),
    )
    op.create_table(
        "processed_updates",
        sa.Column("update_id", _big(), autoincrement=False, nullable=False),
        sa.Column("processed_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
    _index("processed_updates", "processed_at")

    op.create_table(
        "conversations",
        sa.Column("id", _id(), nullable=False),
        sa.Column("customer_id", _id(), nullable=False),
        sa.Column("started_at", _ts(), nullable=False),
        sa.Column("last_message_at", _ts(), nullable=False),
        sa.Column("resolved_by_bot", sa.Boolean(), nullable=False),
        _fk("conversations", "customer_id", "customers", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    _index("conversations", "customer_id", "last_message_at")

    op.create_table(
        "decisions",
        sa.Column("id", _id(), nullable=False),
        sa.Column("conversation_id", _id(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=128), nullable=True),
        sa.Column("article", sa.String(length=256), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("helped", sa.Boolean(), nullable=True),
        _fk("decisions", "conversation_id", "conversations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    _index("decisions", "created_at")

    op.create_table(
        "tickets",
        sa.Column("id", _id(), nullable=False),
        sa.Column("customer_id", _id(), nullable=False),
        sa.Column("conversation_id", _id(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=128), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("operator_id", _big(), nullable=True),
        sa.Column("operator_name", sa.String(length=256), nullable=True),
        sa.Column("taken_at", _ts(), nullable=True),
        sa.Column("first_reply_at", _ts(), nullable=True),
        sa.Column("resolved_at", _ts(), nullable=True),
        sa.Column("group_chat_id", _big(), nullable=True),
        sa.Column("topic_id", _big(), nullable=True),
        sa.Column("card_message_id", _big(), nullable=True),
        sa.Column("previous_ticket_id", _id(), nullable=True),
        sa.Column("reminded_at", _ts(), nullable=True),
        _fk("tickets", "conversation_id", "conversations", "CASCADE"),
        _fk("tickets", "customer_id", "customers", "CASCADE"),
        _fk("tickets", "previous_ticket_id", "tickets", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    _index("tickets", "created_at")
    _index("tickets", "customer_id", "created_at")
    _index("tickets", "group_chat_id", "card_message_id")
    _index("tickets", "group_chat_id", "topic_id")
    _index("tickets", "resolved_at")
    _index("tickets", "status", "priority", "created_at")
    _index("tickets", "taken_at")

    op.create_table(
        "messages",
        sa.Column("id", _id(), nullable=False),
        sa.Column("conversation_id", _id(), nullable=False),
        sa.Column("ticket_id", _id(), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("chat_id", _big(), nullable=False),
        sa.Column("telegram_message_id", _big(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("media_kind", sa.String(length=32), nullable=True),
        sa.Column("media_file_id", sa.String(length=256), nullable=True),
        sa.Column("author_id", _big(), nullable=True),
        sa.Column("author_name", sa.String(length=256), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        _fk("messages", "conversation_id", "conversations", "CASCADE"),
        _fk("messages", "ticket_id", "tickets", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    _index("messages", "chat_id", "telegram_message_id")
    _index("messages", "conversation_id", "created_at")
    _index("messages", "ticket_id", "created_at")

    op.create_table(
        "relay_links",
        sa.Column("id", _id(), nullable=False),
        sa.Column("ticket_id", _id(), nullable=False),
        sa.Column("source_chat_id", _big(), nullable=False),
        sa.Column("source_message_id", _big(), nullable=False),
        sa.Column("target_chat_id", _big(), nullable=False),
        sa.Column("target_message_id", _big(), nullable=False),
        _fk("relay_links", "ticket_id", "tickets", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relay_links")),
        sa.UniqueConstraint(
            "target_chat_id",
            "target_message_id",
            name=op.f("uq_relay_links_target_chat_id_target_message_id"),
        ),
    )
    _index("relay_links", "source_chat_id", "source_message_id")

    op.create_table(
        "survey_answers",
        sa.Column("ticket_id", _id(), nullable=False),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("solved", sa.Boolean(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        _fk("survey_answers", "ticket_id", "tickets", "CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_survey_answers")),
    )
    _index("survey_answers", "created_at")


def downgrade() -> None:
    for table in (
        "survey_answers",
        "relay_links",
        "messages",
        "tickets",
        "decisions",
        "conversations",
        "processed_updates",
        "customers",
    ):
        op.drop_table(table)
