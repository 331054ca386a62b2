"""Forum topics in a supergroup: create, edit, close, reopen, delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram_emulator.engine import Engine
from telegram_emulator.errors import ApiError
from telegram_emulator.params import Params
from telegram_emulator.world import ChatState, Topic

__all__ = ["METHODS", "create_topic", "delete_topic"]

JsonDict = dict[str, Any]
Handler = Callable[[Engine, Params], Awaitable[Any]]

ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


def _forum(engine: Engine, p: Params) -> ChatState:
    chat = engine.world.chat(p.chat_ref("chat_id"))
    if chat.type != "supergroup" or not chat.is_forum:
        raise ApiError(400, "the chat is not a forum")
    if chat.members.get(engine.bot.id) not in ("administrator", "creator"):
        raise ApiError(400, "not enough rights to manage topics")
    return chat


def _topic(chat: ChatState, p: Params) -> Topic:
    topic = chat.topics.get(p.req_int("message_thread_id"))
    if topic is None:
        raise ApiError(400, "message thread not found")
    return topic


def create_topic(
    engine: Engine,
    chat: ChatState,
    name: str,
    icon_color: int,
    icon_custom_emoji_id: str | None = None,
) -> Topic:
    """Open a topic as the bot does (also used by the control API on the bot's behalf)."""
    if not 1 <= len(name) <= 128:
        raise ApiError(400, "TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_INVALID")
    thread_id = chat.take_message_id()
    created: JsonDict = {"name": name, "icon_color": icon_color}
    if icon_custom_emoji_id:
        created["icon_custom_emoji_id"] = icon_custom_emoji_id
    service = {
        "message_id": thread_id,
        "from": engine.bot.to_json(),
        "date": engine.world.now(),
        "chat": chat.to_json(),
        "message_thread_id": thread_id,
        "is_topic_message": True,
        "forum_topic_created": created,
    }
    chat.messages[thread_id] = service
    topic = Topic(thread_id, name, icon_color, icon_custom_emoji_id, created_message=service)
    chat.topics[thread_id] = topic
    engine.changed()
    return topic


def _service(engine: Engine, chat: ChatState, topic: Topic, content: JsonDict) -> None:
    engine.world.new_message(chat, engine.bot, thread_id=topic.thread_id, content=content)
    engine.changed()


async def create_forum_topic(engine: Engine, p: Params) -> JsonDict:
    chat = _forum(engine, p)
    color = p.integer("icon_color", ICON_COLORS[0])
    assert color is not None
    if color not in ICON_COLORS:
        raise ApiError(400, "ICON_COLOR_INVALID")
    topic = create_topic(engine, chat, p.text("name") or "", color, p.text("icon_custom_emoji_id"))
    return topic.to_json()


async def edit_forum_topic(engine: Engine, p: Params) -> bool:
    chat = _forum(engine, p)
    topic = _topic(chat, p)
    changes: JsonDict = {}
    name = p.text("name")
    if name is not None and name != topic.name:
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "TOPIC_TITLE_INVALID")
        changes["name"] = topic.name = name
    emoji = p.text("icon_custom_emoji_id")
    if emoji is not None and emoji != (topic.icon_custom_emoji_id or ""):
        topic.icon_custom_emoji_id = emoji or None
        changes["icon_custom_emoji_id"] = emoji
    if not changes:
        raise ApiError(400, "TOPIC_NOT_MODIFIED")
    _service(engine, chat, topic, {"forum_topic_edited": changes})
    return True


async def close_forum_topic(engine: Engine, p: Params) -> bool:
    chat = _forum(engine, p)
    topic = _topic(chat, p)
    if topic.closed:
        raise ApiError(400, "TOPIC_NOT_MODIFIED")
    topic.closed = True
    _service(engine, chat, topic, {"forum_topic_closed": {}})
    return True


async def reopen_forum_topic(engine: Engine, p: Params) -> bool:
    chat = _forum(engine, p)
    topic = _topic(chat, p)
    if not topic.closed:
        raise ApiError(400, "TOPIC_NOT_MODIFIED")
    topic.closed = False
    _service(engine, chat, topic, {"forum_topic_reopened": {}})
    return True


def delete_topic(engine: Engine, chat: ChatState, thread_id: int) -> None:
    """Remove a topic and every message in it."""
    if chat.topics.pop(thread_id, None) is None:
        raise ApiError(400, "message thread not found")
    chat.deleted_topics.add(thread_id)
    for message_id, message in list(chat.messages.items()):
        if message.get("is_topic_message") and message.get("message_thread_id") == thread_id:
            del chat.messages[message_id]
    engine.changed()


async def delete_forum_topic(engine: Engine, p: Params) -> bool:
    chat = _forum(engine, p)
    delete_topic(engine, chat, p.req_int("message_thread_id"))
    return True


METHODS: dict[str, Handler] = {
    "createForumTopic": create_forum_topic,
    "editForumTopic": edit_forum_topic,
    "closeForumTopic": close_forum_topic,
    "reopenForumTopic": reopen_forum_topic,
    "deleteForumTopic": delete_forum_topic,
}
