"""python-telegram-bot updates → the core's plain events. The only place that reads PTB's types.

The same semantics as the aiogram converter: one event per update the bot acts on, None otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import CallbackQuery, Chat, ChatMemberUpdated, Message, Update, User

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


def _user(user: User) -> Person:
    return Person(
        telegram_id=user.id,
        name=user.full_name,
        username=user.username,
        language_code=user.language_code,
        is_bot=user.is_bot,
    )


def _person(user: User | None, chat: Chat) -> Person:
    """The sender, or the chat itself for anonymous admins and channel posts."""
    if user is None:
        return Person(telegram_id=chat.id, name=chat.title or chat.full_name or str(chat.id))
    return _user(user)


def _media(message: Message) -> Media | None:
    for kind in MEDIA_KINDS:
        value = getattr(message, kind, None)
        if not value:
            continue
        if kind == "photo":
            file_id: str | None = value[-1].file_id  # the largest size
        else:
            file_id = getattr(value, "file_id", None)  # location and contact have none
        return Media(kind=kind, file_id=file_id, caption=message.caption)
    return None


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _is_topic_root(message: Message) -> bool:
    """In a forum, a plain message in a topic "replies" to the topic's first message."""
    reply = message.reply_to_message
    return bool(
        message.is_topic_message
        and reply is not None
        and reply.message_id == message.message_thread_id
    )


def _message(update_id: int, message: Message) -> MessageReceived | None:
    media = _media(message)
    if message.text is None and media is None:
        return None  # service messages (topic created, member joined, pinned…)
    reply = message.reply_to_message
    return MessageReceived(
        update_id=update_id,
        chat_id=message.chat.id,
        private=message.chat.type == Chat.PRIVATE,
        sender=_person(message.from_user, message.chat),
        message_id=message.message_id,
        date=_utc(message.date),
        text=message.text,
        media=media,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        reply_to_message_id=(
            reply.message_id if reply is not None and not _is_topic_root(message) else None
        ),
        media_group_id=message.media_group_id,
        topic_name=(
            reply.forum_topic_created.name
            if reply is not None
            and reply.forum_topic_created is not None
            and _is_topic_root(message)
            else None
        ),
    )


def _edited(update_id: int, edited: Message) -> MessageEdited:
    return MessageEdited(
        update_id=update_id,
        chat_id=edited.chat.id,
        private=edited.chat.type == Chat.PRIVATE,
        sender=_person(edited.from_user, edited.chat),
        message_id=edited.message_id,
        date=_utc(edited.edit_date or edited.date),
        text=edited.text,
        caption=edited.caption,
        thread_id=edited.message_thread_id if edited.is_topic_message else None,
    )


def _button(update_id: int, query: CallbackQuery) -> ButtonPressed:
    message = query.message  # None for inline-mode messages; may be inaccessible (too old)
    thread_id = None
    if isinstance(message, Message) and message.is_topic_message:
        thread_id = message.message_thread_id
    return ButtonPressed(
        update_id=update_id,
        callback_id=query.id,
        chat_id=message.chat.id if message is not None else query.from_user.id,
        private=message.chat.type == Chat.PRIVATE if message is not None else True,
        sender=_user(query.from_user),
        message_id=message.message_id if message is not None else None,
        data=query.data or "",
        date=datetime.now(UTC),
        thread_id=thread_id,
    )


def _membership(update_id: int, change: ChatMemberUpdated) -> MembershipChanged | None:
    if change.chat.type != Chat.PRIVATE:
        return None
    return MembershipChanged(
        update_id=update_id,
        chat_id=change.chat.id,
        sender=_person(change.from_user, change.chat),
        blocked=change.new_chat_member.status in ("kicked", "left"),
        date=_utc(change.date),
    )


def to_event(update: Update) -> Event | None:
    """The plain event for an update, or None for kinds the bot does not act on."""
    uid = update.update_id
    if update.message is not None:
        return _message(uid, update.message)
    if update.edited_message is not None:
        return _edited(uid, update.edited_message)
    if update.callback_query is not None:
        return _button(uid, update.callback_query)
    if update.my_chat_member is not None:
        return _membership(uid, update.my_chat_member)
    return None
