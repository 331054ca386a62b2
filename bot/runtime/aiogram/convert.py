"""aiogram updates → the core's plain events. The only place that reads aiogram's types."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import types

from bot.core.events import (
    ButtonPressed,
    Event,
    Media,
    MembershipChanged,
    MessageEdited,
    MessageReceived,
    Person,
)
from bot.runtime import MEDIA_KINDS

__all__ = ["to_event"]


def _person(user: types.User | None, chat: types.Chat) -> Person:
    if user is None:
        return Person(telegram_id=chat.id, name=chat.title or chat.full_name or str(chat.id))
    return Person(
        telegram_id=user.id,
        name=user.full_name,
        username=user.username,
        language_code=user.language_code,
        is_bot=user.is_bot,
    )


def _media(message: types.Message) -> Media | None:
    for kind in MEDIA_KINDS:
        value = getattr(message, kind, None)
        if not value:
            continue
        if kind == "photo":
            file_id: str | None = value[-1].file_id
        else:
            file_id = getattr(value, "file_id", None)
        return Media(kind=kind, file_id=file_id, caption=message.caption)
    return None


def _date(value: datetime | int) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(value, UTC)


def _message(update_id: int, message: types.Message) -> MessageReceived | None:
    media = _media(message)
    if message.text is None and media is None:
        return None  # service messages (topic created, member joined, pinned…)
    return MessageReceived(
        update_id=update_id,
        chat_id=message.chat.id,
        private=message.chat.type == "private",
        sender=_person(message.from_user, message.chat),
        message_id=message.message_id,
        date=_date(message.date),
        text=message.text,
        media=media,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to_message_id=(
            message.reply_to_message.message_id
            if message.reply_to_message and not _is_topic_root(message)
            else None
        ),
        media_group_id=message.media_group_id,
        topic_name=_topic_name(message),
    )


def _topic_name(message: types.Message) -> str | None:
    """The topic's name, from the "topic created" message a plain message in it replies to."""
    reply = message.reply_to_message
    if reply is None or reply.forum_topic_created is None or not _is_topic_root(message):
        return None
    return reply.forum_topic_created.name


def _is_topic_root(message: types.Message) -> bool:
    """In a forum, a plain message in a topic "replies" to the topic's first message."""
    reply = message.reply_to_message
    return bool(
        message.is_topic_message
        and reply is not None
        and reply.message_id == message.message_thread_id
    )


def to_event(update: types.Update) -> Event | None:
    """The plain event for an update, or None for kinds the bot does not act on."""
    uid = update.update_id
    if update.message is not None:
        return _message(uid, update.message)
    if update.edited_message is not None:
        edited = update.edited_message
        return MessageEdited(
            update_id=uid,
            chat_id=edited.chat.id,
            private=edited.chat.type == "private",
            sender=_person(edited.from_user, edited.chat),
            message_id=edited.message_id,
            date=_date(edited.edit_date or edited.date),
            text=edited.text,
            caption=edited.caption,
            thread_id=edited.message_thread_id if edited.is_topic_message else None,
        )
    if update.callback_query is not None:
        query = update.callback_query
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        private = message.chat.type == "private" if message is not None else True
        thread_id = None
        if isinstance(message, types.Message) and message.is_topic_message:
            thread_id = message.message_thread_id
        return ButtonPressed(
            update_id=uid,
            callback_id=query.id,
            chat_id=chat_id,
            private=private,
            sender=_person(query.from_user, message.chat if message else None),  # type: ignore[arg-type]
            message_id=message.message_id if message is not None else None,
            data=query.data or "",
            date=datetime.now(UTC),
            thread_id=thread_id,
        )
    if update.my_chat_member is not None:
        change = update.my_chat_member
        if change.chat.type != "private":
            return None
        status = change.new_chat_member.status
        return MembershipChanged(
            update_id=uid,
            chat_id=change.chat.id,
            sender=_person(change.from_user, change.chat),
            blocked=status in ("kicked", "left"),
            date=_date(change.date),
        )
    return None
