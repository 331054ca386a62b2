"""Files: sending photos, documents, voice notes and albums; ``getFile``.

A file arrives as an upload in its own field (python-telegram-bot), as ``attach://name``
pointing at another multipart field (aiogram, and albums from both), or as a ``file_id``
the emulator has stored before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram_emulator.engine import Engine
from telegram_emulator.errors import ApiError
from telegram_emulator.params import Params
from telegram_emulator.world import StoredFile, image_size

__all__ = ["METHODS", "media_json"]

JsonDict = dict[str, Any]
Handler = Callable[[Engine, Params], Awaitable[Any]]

_DEFAULT_MIME = {
    "voice": "audio/ogg",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "animation": "video/mp4",
    "document": "application/octet-stream",
}


def resolve_file(engine: Engine, p: Params, field: str, kind: str) -> StoredFile:
    upload = p.uploads.get(field)
    value = p.raw(field)
    if upload is None and isinstance(value, str) and value.startswith("attach://"):
        upload = p.uploads.get(value.removeprefix("attach://"))
        if upload is None:
            raise ApiError(400, f"wrong file identifier/HTTP URL specified: {value}")
    if upload is not None:
        if not upload.data:
            raise ApiError(400, "file must be non-empty")
        mime = upload.content_type
        if mime == "application/octet-stream":
            mime = _DEFAULT_MIME.get(kind, mime)
        return engine.world.store_file(
            upload.data, kind=kind, mime_type=mime, file_name=upload.filename
        )
    if not isinstance(value, str) or not value:
        raise ApiError(400, f"there is no {kind} in the request")
    if value.startswith(("http://", "https://")):
        name = value.rstrip("/").rpartition("/")[2] or None
        return engine.world.store_file(value.encode(), kind=kind, file_name=name)
    return engine.world.file(value)


def media_json(kind: str, stored: StoredFile, p: Params | None = None) -> Any:
    """The Bot API object describing a stored file as ``kind`` (a list for photos)."""
    base: JsonDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
    }

    def number(name: str, default: int) -> int:
        value = p.integer(name) if p is not None else None
        return value if value is not None else default

    if kind == "photo":
        width, height = image_size(stored.data)
        return [{**base, "width": width, "height": height}]
    if kind == "sticker":
        width, height = image_size(stored.data)
        return {
            **base,
            "type": "regular",
            "width": width,
            "height": height,
            "is_animated": False,
            "is_video": False,
        }
    if kind == "video_note":
        return {**base, "length": number("length", 240), "duration": number("duration", 1)}
    data = {**base}
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    if kind in ("document", "audio", "video", "animation") and stored.file_name:
        data["file_name"] = stored.file_name
    if kind in ("voice", "audio", "video", "animation"):
        data["duration"] = number("duration", 1)
    if kind in ("video", "animation"):
        data["width"] = number("width", 640)
        data["height"] = number("height", 360)
    return data


def _sender(kind: str) -> Handler:
    async def send(engine: Engine, p: Params) -> JsonDict:
        chat = engine.target_chat(p)
        thread_id = engine.thread_for(chat, p)
        reply_to = engine.reply_target(chat, p)
        stored = resolve_file(engine, p, kind, kind)
        content: JsonDict = {kind: media_json(kind, stored, p)}
        if kind not in ("sticker", "video_note"):
            content.update(engine.caption_content(p.text("caption"), p.text("parse_mode")))
        engine.count_send(chat)
        return engine.bot_message(chat, p, content, thread_id=thread_id, reply_to=reply_to)

    send.__name__ = f"send_{kind}"
    return send


async def send_media_group(engine: Engine, p: Params) -> list[JsonDict]:
    chat = engine.target_chat(p)
    thread_id = engine.thread_for(chat, p)
    reply_to = engine.reply_target(chat, p)
    media = p.obj("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise ApiError(400, "wrong number of media specified: must be between 2 and 10")
    prepared: list[JsonDict] = []
    for item in media:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ("photo", "video", "document", "audio"):
            raise ApiError(400, "MEDIA_INVALID")
        assert isinstance(item, dict)
        item_params = Params({**item, "media": item.get("media")}, p.uploads)
        stored = resolve_file(engine, item_params, "media", kind)
        content: JsonDict = {kind: media_json(kind, stored, item_params)}
        content.update(engine.caption_content(item.get("caption"), item.get("parse_mode")))
        prepared.append(content)
    engine.count_send(chat, len(prepared))
    group_id = engine.world.next_media_group_id()
    no_markup = Params({}, {})
    return [
        engine.bot_message(
            chat,
            no_markup,
            {**content, "media_group_id": group_id},
            thread_id=thread_id,
            reply_to=reply_to,
        )
        for content in prepared
    ]


async def get_file(engine: Engine, p: Params) -> JsonDict:
    stored = engine.world.file(p.req_str("file_id"))
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.data),
        "file_path": stored.file_path,
    }


METHODS: dict[str, Handler] = {
    "sendPhoto": _sender("photo"),
    "sendDocument": _sender("document"),
    "sendVoice": _sender("voice"),
    "sendVideo": _sender("video"),
    "sendVideoNote": _sender("video_note"),
    "sendSticker": _sender("sticker"),
    "sendAudio": _sender("audio"),
    "sendAnimation": _sender("animation"),
    "sendMediaGroup": send_media_group,
    "getFile": get_file,
}
