"""Forum topics in a supergroup: create, edit, close, reopen, delete."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram_emulator.engine import Engine
from telegram_emulator.errors import ApiError
from telegram_emulator.params import Params
from telegram_emulator.world import ChatState, Topic

__all__ = ["METHODS", "TOPIC_ICONS", "create_topic", "delete_topic"]

JsonDict = dict[str, Any]
Handler = Callable[[Engine, Params], Awaitable[Any]]

ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)

# --- topic icons -------------------------------------------------------------------------------
# A bot is not a Premium user: its topics may only show the custom emoji of Telegram's default
# topic-icon pack, the stickers ``getForumTopicIconStickers`` lists. The emulator's pack is a
# small stand-in (custom emoji id -> emoji) that holds "5370870893004203704", an id bots use.
TOPIC_ICONS: dict[str, str] = {
    "5370870893004203704": "\U0001f5e3",  # speaking head
    "5312536423851630001": "\U0001f4a1",  # light bulb
    "5377544228505134960": "\U0001f389",  # party popper
    "5417915203100613993": "\U0001f4ac",  # speech balloon
    "5420216386448270341": "\u2753",  # question mark
    "5350305691942788490": "\U0001f4c8",  # chart increasing
    "5357121491508928442": "\U0001f440",  # eyes
    "5312315739842026755": "\U0001f3c6",  # trophy
}
ICON_PACK_NAME = "Topics"


def icon_sticker_json(custom_emoji_id: str, emoji: str) -> JsonDict:
    """A custom emoji sticker of the topic-icon pack, as ``getForumTopicIconStickers`` shows it."""
    return {
        "file_id": f"CUSTOM_EMOJI_{custom_emoji_id}",
        "file_unique_id": f"AgAD{custom_emoji_id[-8:]}",
        "type": "custom_emoji",
        "width": 100,
        "height": 100,
        "is_animated": True,
        "is_video": False,
        "emoji": emoji,
        "set_name": ICON_PACK_NAME,
        "custom_emoji_id": custom_emoji_id,
    }


def checked_icon(icon_custom_emoji_id: str | None) -> str | None:
    """The icon a topic gets: ``None`` for none (absent or empty), else an id of the pack."""
    if not icon_custom_emoji_id:
        return None
    if icon_custom_emoji_id not in TOPIC_ICONS:
        raise ApiError(
            400,
            "invalid custom emoji identifier specified for the topic icon: a bot may only use "
            "the custom emoji listed by getForumTopicIconStickers",
        )
    return icon_custom_emoji_id


async def get_forum_topic_icon_stickers(engine: Engine, p: Params) -> list[JsonDict]:
    return [icon_sticker_json(emoji_id, emoji) for emoji_id, emoji in TOPIC_ICONS.items()]


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
    icon = checked_icon(p.text("icon_custom_emoji_id"))
    topic = create_topic(engine, chat, p.text("name") or "", color, icon)
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
        topic.icon_custom_emoji_id = checked_icon(emoji)
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
    "getForumTopicIconStickers": get_forum_topic_icon_stickers,
}
