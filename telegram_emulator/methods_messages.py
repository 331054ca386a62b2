"""Text messages and what happens to them: send, edit, delete, copy, forward, button answers."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram_emulator.engine import Engine
from telegram_emulator.errors import ApiError
from telegram_emulator.methods_media import media_json, resolve_file
from telegram_emulator.params import Params
from telegram_emulator.records import CallbackAnswer
from telegram_emulator.world import ChatState

__all__ = ["COPYABLE_KEYS", "EDITABLE_MEDIA", "METHODS"]

JsonDict = dict[str, Any]
Handler = Callable[[Engine, Params], Awaitable[Any]]

COPYABLE_KEYS = (
    "text",
    "entities",
    "photo",
    "document",
    "voice",
    "video",
    "video_note",
    "sticker",
    "audio",
    "animation",
    "caption",
    "caption_entities",
    "location",
    "contact",
    "media_group_id",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


async def send_message(engine: Engine, p: Params) -> JsonDict:
    chat = engine.target_chat(p)
    thread_id = engine.thread_for(chat, p)
    reply_to = engine.reply_target(chat, p)
    content = engine.text_content(p)
    engine.count_send(chat)
    return engine.bot_message(chat, p, content, thread_id=thread_id, reply_to=reply_to)


async def send_location(engine: Engine, p: Params) -> JsonDict:
    chat = engine.target_chat(p)
    thread_id = engine.thread_for(chat, p)
    content = {"location": {"latitude": p.number("latitude"), "longitude": p.number("longitude")}}
    engine.count_send(chat)
    return engine.bot_message(
        chat, p, content, thread_id=thread_id, reply_to=engine.reply_target(chat, p)
    )


async def send_contact(engine: Engine, p: Params) -> JsonDict:
    chat = engine.target_chat(p)
    thread_id = engine.thread_for(chat, p)
    contact = {"phone_number": p.req_str("phone_number"), "first_name": p.req_str("first_name")}
    if last_name := p.text("last_name"):
        contact["last_name"] = last_name
    engine.count_send(chat)
    return engine.bot_message(
        chat, p, {"contact": contact}, thread_id=thread_id, reply_to=engine.reply_target(chat, p)
    )


def _own_message(engine: Engine, p: Params) -> tuple[ChatState, JsonDict]:
    if "inline_message_id" in p:
        raise ApiError(400, "MESSAGE_ID_INVALID")
    chat = engine.world.chat(p.chat_ref("chat_id"))
    message = engine.world.message(chat, p.req_int("message_id"), purpose="edit")
    if (message.get("from") or {}).get("id") != engine.bot.id:
        raise ApiError(400, "message can't be edited")
    return chat, message


def _apply_edit(engine: Engine, message: JsonDict, changes: JsonDict) -> JsonDict:
    new = {**message}
    for key, value in changes.items():
        if value is None:
            new.pop(key, None)
        else:
            new[key] = value
    comparable = ("text", "entities", "caption", "caption_entities", "reply_markup")
    if all(new.get(k) == message.get(k) for k in comparable):
        raise ApiError(400, _NOT_MODIFIED)
    new["edit_date"] = engine.world.now()
    message.clear()
    message.update(new)
    engine.changed()
    return message


async def edit_message_text(engine: Engine, p: Params) -> JsonDict:
    _, message = _own_message(engine, p)
    if "text" not in message:
        raise ApiError(400, "there is no text in the message to edit")
    content = engine.text_content(p)
    return _apply_edit(
        engine,
        message,
        {
            "text": content["text"],
            "entities": content.get("entities"),
            "reply_markup": engine.markup(p),
        },
    )


async def edit_message_caption(engine: Engine, p: Params) -> JsonDict:
    _, message = _own_message(engine, p)
    if "text" in message:
        raise ApiError(400, "there is no caption in the message to edit")
    content = engine.caption_content(p.text("caption"), p.text("parse_mode"))
    return _apply_edit(
        engine,
        message,
        {
            "caption": content.get("caption"),
            "caption_entities": content.get("caption_entities"),
            "reply_markup": engine.markup(p),
        },
    )


# --- editMessageMedia -------------------------------------------------------------------------
EDITABLE_MEDIA = ("animation", "audio", "document", "photo", "video")


def _media_of(message: JsonDict) -> str | None:
    """The kind of file ``message`` shows (``None`` for text and anything else)."""
    return next((kind for kind in EDITABLE_MEDIA if kind in message), None)


def _album_allows(message: JsonDict, old: str | None, new: str) -> bool:
    """In an album an audio stays an audio, a document a document, else a photo or a video."""
    if "media_group_id" not in message or old is None:
        return True
    if old in ("audio", "document"):
        return new == old
    return new in ("photo", "video")


async def edit_message_media(engine: Engine, p: Params) -> JsonDict:
    """Replace the file of an animation, audio, document, photo or video message, or add one
    to a text message; the caption is the new media's (none given: the caption is removed)."""
    _, message = _own_message(engine, p)
    media = p.obj("media")
    if not isinstance(media, dict):
        raise ApiError(400, "can't parse InputMedia: media is not an object")
    kind = media.get("type")
    if kind not in EDITABLE_MEDIA:
        raise ApiError(400, f"can't parse InputMedia: unsupported media type {kind!r}")
    old = _media_of(message)
    if old is None and "text" not in message:
        raise ApiError(400, "there is no media in the message to edit")
    if not _album_allows(message, old, kind):
        raise ApiError(400, "can't change the type of a media in an album this way")
    item = Params({**media, "media": media.get("media")}, p.uploads)
    stored = resolve_file(engine, item, "media", kind)
    caption = engine.caption_content(item.text("caption"), item.text("parse_mode"))
    entities = media.get("caption_entities")
    if caption and isinstance(entities, list) and entities and not item.text("parse_mode"):
        caption["caption_entities"] = entities
    same_file = old == kind and _file_unique_id(message[kind]) == stored.file_unique_id
    markup = engine.markup(p)
    unchanged = (
        same_file
        and caption.get("caption") == message.get("caption")
        and caption.get("caption_entities") == message.get("caption_entities")
        and markup == message.get("reply_markup")
    )
    if unchanged:
        raise ApiError(400, _NOT_MODIFIED)
    for key in (*EDITABLE_MEDIA, "text", "entities", "caption", "caption_entities"):
        message.pop(key, None)
    message[kind] = media_json(kind, stored, item)
    message.update(caption)
    if markup is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup
    message["edit_date"] = engine.world.now()
    engine.changed()
    return message


def _file_unique_id(media: Any) -> Any:
    """A photo is a list of sizes; every other file is one object."""
    described = media[-1] if isinstance(media, list) and media else media
    return described.get("file_unique_id") if isinstance(described, dict) else None


async def edit_message_reply_markup(engine: Engine, p: Params) -> JsonDict:
    _, message = _own_message(engine, p)
    return _apply_edit(engine, message, {"reply_markup": engine.markup(p)})


async def delete_message(engine: Engine, p: Params) -> bool:
    chat = engine.world.chat(p.chat_ref("chat_id"))
    message_id = p.req_int("message_id")
    if chat.messages.pop(message_id, None) is None:
        raise ApiError(400, "message to delete not found")
    engine.changed()
    return True


async def delete_messages(engine: Engine, p: Params) -> bool:
    chat = engine.world.chat(p.chat_ref("chat_id"))
    for message_id in p.obj("message_ids") or []:
        chat.messages.pop(int(message_id), None)
    engine.changed()
    return True


def _copy_content(source: JsonDict) -> JsonDict:
    if any(key.startswith("forum_topic_") for key in source):
        raise ApiError(400, "message can't be copied")
    return {key: source[key] for key in COPYABLE_KEYS if key in source and key != "media_group_id"}


def _copy_one(engine: Engine, p: Params, target: ChatState, source: JsonDict) -> JsonDict:
    content = _copy_content(source)
    if "caption" in p.values and "text" not in content:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(engine.caption_content(p.text("caption"), p.text("parse_mode")))
    engine.count_send(target)
    return engine.bot_message(
        target,
        p,
        content,
        thread_id=engine.thread_for(target, p),
        reply_to=engine.reply_target(target, p),
    )


async def copy_message(engine: Engine, p: Params) -> JsonDict:
    source_chat = engine.world.chat(p.chat_ref("from_chat_id"))
    source = engine.world.message(source_chat, p.req_int("message_id"), purpose="copy")
    target = engine.target_chat(p)
    return {"message_id": _copy_one(engine, p, target, source)["message_id"]}


async def copy_messages(engine: Engine, p: Params) -> list[JsonDict]:
    source_chat = engine.world.chat(p.chat_ref("from_chat_id"))
    target = engine.target_chat(p)
    ids = sorted(int(i) for i in p.obj("message_ids") or [])
    if not 1 <= len(ids) <= 100:
        raise ApiError(400, "message_ids must be non-empty")
    results = []
    groups: dict[str, str] = {}
    for message_id in ids:
        source = source_chat.messages.get(message_id)
        if source is None or any(key.startswith("forum_topic_") for key in source):
            continue
        copied = _copy_one(engine, Params({**p.values, "caption": None}, {}), target, source)
        if group := source.get("media_group_id"):
            copied["media_group_id"] = groups.setdefault(group, engine.world.next_media_group_id())
        results.append({"message_id": copied["message_id"]})
    if not results:
        raise ApiError(400, "there are no messages to forward")
    return results


async def forward_message(engine: Engine, p: Params) -> JsonDict:
    source_chat = engine.world.chat(p.chat_ref("from_chat_id"))
    source = engine.world.message(source_chat, p.req_int("message_id"), purpose="forward")
    target = engine.target_chat(p)
    content = _copy_content(source)
    sender = source.get("from")
    if sender is not None:
        content["forward_origin"] = {"type": "user", "date": source["date"], "sender_user": sender}
    else:
        content["forward_origin"] = {
            "type": "chat",
            "date": source["date"],
            "sender_chat": source["chat"],
        }
    engine.count_send(target)
    return engine.bot_message(target, p, content, thread_id=engine.thread_for(target, p))


async def send_chat_action(engine: Engine, p: Params) -> bool:
    chat = engine.target_chat(p)
    engine.thread_for(chat, p)
    if p.text("action") not in _CHAT_ACTIONS:
        raise ApiError(400, "wrong parameter action in request")
    return True


async def answer_callback_query(engine: Engine, p: Params) -> bool:
    query_id = p.req_str("callback_query_id")
    query = engine.callback_queries.get(query_id)
    too_old = query is not None and time.monotonic() - query.created > engine.callback_timeout
    if query is None or query.answer is not None or too_old:
        raise ApiError(400, "query is too old and response timeout expired or query ID is invalid")
    text = p.text("text")
    if text is not None and len(text) > 200:
        raise ApiError(400, "MESSAGE_TOO_LONG")
    query.answer = CallbackAnswer(
        query_id=query_id, text=text, show_alert=p.flag("show_alert"), url=p.text("url")
    )
    engine.changed()
    return True


async def set_message_reaction(engine: Engine, p: Params) -> bool:
    chat = engine.world.chat(p.chat_ref("chat_id"))
    engine.world.message(chat, p.req_int("message_id"), purpose="react")
    return True


METHODS: dict[str, Handler] = {
    "sendMessage": send_message,
    "sendLocation": send_location,
    "sendContact": send_contact,
    "editMessageText": edit_message_text,
    "editMessageCaption": edit_message_caption,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "editMessageMedia": edit_message_media,
    "deleteMessage": delete_message,
    "deleteMessages": delete_messages,
    "copyMessage": copy_message,
    "copyMessages": copy_messages,
    "forwardMessage": forward_message,
    "sendChatAction": send_chat_action,
    "answerCallbackQuery": answer_callback_query,
    "setMessageReaction": set_message_reaction,
}
