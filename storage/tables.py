"""The database schema as SQLAlchemy 2 declarative models.

Rows stay inside ``storage``: repositories map them to the frozen records of ``handoff.model``.
Every timestamp is an aware UTC datetime on both backends (see :class:`UTCDateTime`). The
migrations in ``storage/migrations`` build exactly this schema; a test compares the two.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

__all__ = [
    "Base",
    "ConversationRow",
    "CustomerRow",
    "DeadLetterRow",
    "DecisionRow",
    "Json",
    "MessageRow",
    "OutboxRow",
    "OutboxStepRow",
    "ProcessedUpdateRow",
    "RelayLinkRow",
    "SurveyAnswerRow",
    "TicketRow",
    "UTCDateTime",
]

# 64-bit surrogate keys on PostgreSQL; SQLite needs plain INTEGER for its auto-increment rowid.
Id = BigInteger().with_variant(Integer(), "sqlite")

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that only accepts aware values and always returns aware UTC.

    PostgreSQL stores ``timestamptz``; SQLite stores the UTC wall time as text, so values read
    back from SQLite get their UTC zone re-attached here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()}: pass an aware (UTC) datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Json(TypeDecorator[Any]):
    """JSON on SQLite; JSONB on PostgreSQL, so the state can be indexed later if needed.

    The same columns as ``JSON().with_variant(JSONB(), "postgresql")``, but the PostgreSQL
    dialect (about 2 MB and a tenth of a second of CPU to import) is imported only by a
    PostgreSQL engine, which has imported it already.
    """

    impl = JSON
    cache_ok = True
    hashable = False  # as JSON: dicts are no hashable values
    should_evaluate_none = True  # as JSON(none_as_null=False): None is stored as JSON null

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import JSONB

            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        int: BigInteger(),
        dict[str, object]: Json(),
    }


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(unique=True)
    chat_id: Mapped[int]
    name: Mapped[str] = mapped_column(String(256))
    username: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(16))
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    state: Mapped[dict[str, object]] = mapped_column(default=dict)


class ConversationRow(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index(None, "customer_id", "last_message_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Id, ForeignKey("customers.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    last_message_at: Mapped[datetime]
    resolved_by_bot: Mapped[bool] = mapped_column(Boolean, default=False)


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index(None, "status", "priority", "created_at"),
        Index(None, "customer_id", "created_at"),
        Index(None, "group_chat_id", "topic_id"),
        Index(None, "group_chat_id", "card_message_id"),
        Index(None, "taken_at"),
        Index(None, "resolved_at"),
        Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    customer_id: Mapped[int] = mapped_column(Id, ForeignKey("customers.id", ondelete="CASCADE"))
    conversation_id: Mapped[int] = mapped_column(
        Id, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(128))
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime]
    operator_id: Mapped[int | None]
    operator_name: Mapped[str | None] = mapped_column(String(256))
    taken_at: Mapped[datetime | None]
    first_reply_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    group_chat_id: Mapped[int | None]
    topic_id: Mapped[int | None]
    card_message_id: Mapped[int | None]
    previous_ticket_id: Mapped[int | None] = mapped_column(
        Id, ForeignKey("tickets.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[datetime | None]
    handoff_cause: Mapped[str | None] = mapped_column(String(16))


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index(None, "conversation_id", "created_at"),
        Index(None, "ticket_id", "created_at"),
        Index(None, "chat_id", "telegram_message_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        Id, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    ticket_id: Mapped[int | None] = mapped_column(Id, ForeignKey("tickets.id", ondelete="SET NULL"))
    direction: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[int]
    telegram_message_id: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(32))
    media_file_id: Mapped[str | None] = mapped_column(String(256))
    author_id: Mapped[int | None]
    author_name: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime]


class SurveyAnswerRow(Base):
    __tablename__ = "survey_answers"
    __table_args__ = (Index(None, "created_at"),)

    ticket_id: Mapped[int] = mapped_column(
        Id, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    csat: Mapped[int | None] = mapped_column(Integer)
    solved: Mapped[bool | None] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        Id, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(128))
    article: Mapped[str | None] = mapped_column(String(256))
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]
    helped: Mapped[bool | None] = mapped_column(Boolean)


class RelayLinkRow(Base):
    __tablename__ = "relay_links"
    __table_args__ = (
        UniqueConstraint("target_chat_id", "target_message_id"),
        Index(None, "source_chat_id", "source_message_id"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(Id, ForeignKey("tickets.id", ondelete="CASCADE"))
    source_chat_id: Mapped[int]
    source_message_id: Mapped[int]
    target_chat_id: Mapped[int]
    target_message_id: Mapped[int]


class ProcessedUpdateRow(Base):
    __tablename__ = "processed_updates"
    __table_args__ = (Index(None, "processed_at"),)

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    processed_at: Mapped[datetime]


class DeadLetterRow(Base):
    """An update the bot gave up on: its raw JSON, what went wrong, a retry asked for or not."""

    __tablename__ = "dead_letters"
    __table_args__ = (Index(None, "parked_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    update_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    parked_at: Mapped[datetime]
    retry_requested: Mapped[bool] = mapped_column(Boolean, default=False)


class OutboxRow(Base):
    """Work an update left to do after its commit (see ``handoff.PendingWork``)."""

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    chat_id: Mapped[int]
    thread_id: Mapped[int | None]
    created_at: Mapped[datetime]


class OutboxStepRow(Base):
    """A Telegram call already made for a piece of pending work, with its result (JSON)."""

    __tablename__ = "outbox_steps"

    work_id: Mapped[int] = mapped_column(
        Id, ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    result: Mapped[str] = mapped_column(Text)
