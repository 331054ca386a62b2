"""The HTTP control API (``/_control/...``): the Python control API as JSON, for the demo.

Every endpoint takes and returns JSON; a request the world cannot carry out answers 400 with
``{"error": "..."}``, a wait that runs out of time answers 408.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from telegram_emulator.errors import ControlError, EmulatorTimeout
from telegram_emulator.records import ApiCall, ChatMessage

if TYPE_CHECKING:
    from telegram_emulator.emulator import TelegramEmulator

__all__ = ["control_routes"]

JsonDict = dict[str, Any]
Endpoint = Callable[[web.Request], Awaitable[web.StreamResponse]]
Action = Callable[[web.Request], Awaitable[Any]]


def _message(record: ChatMessage) -> JsonDict:
    return dataclasses.asdict(record)


def _call(call: ApiCall) -> JsonDict:
    return dataclasses.asdict(call)


def _guard(handler: Action) -> Endpoint:
    async def endpoint(request: web.Request) -> web.StreamResponse:
        try:
            return web.json_response(await handler(request), dumps=_dumps)
        except (ControlError, KeyError, TypeError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        except EmulatorTimeout as exc:
            return web.json_response({"error": str(exc)}, status=408)

    return endpoint


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


async def _body(request: web.Request) -> JsonDict:
    if not request.can_read_body:
        return {}
    data = await request.json()
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    return data


def control_routes(tg: TelegramEmulator) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    def on(method: str, path: str) -> Callable[[Action], Action]:
        def register(action: Action) -> Action:
            routes.route(method, path)(_guard(action))
            return action

        return register

    def user(data: JsonDict) -> Any:
        return tg.user(int(data["user_id"]))

    @on("GET", "/_control/state")
    async def state(request: web.Request) -> JsonDict:
        world = tg.engine.world
        return {
            "url": tg.url,
            "token": tg.token,
            "bot": world.bot.to_json(),
            "users": [u.to_json() for u in world.users.values() if not u.is_bot],
            "groups": [
                {
                    "id": c.id,
                    "title": c.title,
                    "is_forum": c.is_forum,
                    "members": {str(k): v for k, v in c.members.items()},
                    "topics": [t.to_json() | {"closed": t.closed} for t in c.topics.values()],
                }
                for c in world.chats.values()
                if c.type != "private"
            ],
            "webhook": tg.engine.webhook.url if tg.engine.webhook else None,
            "pending_updates": len(tg.engine.updates.pending),
        }

    @on("POST", "/_control/users")
    async def add_user(request: web.Request) -> JsonDict:
        data = await _body(request)
        added = tg.add_user(
            str(data["first_name"]),
            last_name=data.get("last_name"),
            username=data.get("username"),
            language_code=data.get("language_code"),
        )
        return added.state.to_json()

    @on("POST", "/_control/supergroups")
    async def add_group(request: web.Request) -> JsonDict:
        data = await _body(request)
        group = tg.add_supergroup(
            str(data["title"]),
            forum=bool(data.get("forum", True)),
            members=[tg.user(int(i)) for i in data.get("members", [])],
            admins=[tg.user(int(i)) for i in data.get("admins", [])],
        )
        return {"id": group.id, "title": group.title}

    @on("POST", "/_control/topics")
    async def create_topic(request: web.Request) -> JsonDict:
        data = await _body(request)
        thread_id = tg.create_topic(tg.group(int(data["chat_id"])), str(data["name"]))
        return {"message_thread_id": thread_id}

    @on("POST", "/_control/delete_topic")
    async def delete_topic(request: web.Request) -> JsonDict:
        data = await _body(request)
        tg.delete_topic(int(data["chat_id"]), int(data["message_thread_id"]))
        return {"ok": True}

    @on("POST", "/_control/send")
    async def send(request: web.Request) -> JsonDict:
        data = await _body(request)
        sender = user(data)
        text = str(data["text"])
        reply_to = data.get("reply_to")
        if data.get("chat_id") is not None and int(data["chat_id"]) != sender.chat_id:
            thread = data.get("thread_id")
            sent = await sender.send_in_group(
                tg.group(int(data["chat_id"])),
                text,
                thread_id=int(thread) if thread is not None else None,
                reply_to=int(reply_to) if reply_to is not None else None,
            )
        else:
            sent = await sender.send(text, reply_to=int(reply_to) if reply_to else None)
        return _message(sent)

    @on("POST", "/_control/send_file")
    async def send_file(request: web.Request) -> JsonDict:
        data = await _body(request)
        sender = user(data)
        content = base64.b64decode(str(data["data_base64"]))
        kind = data.get("kind", "photo")
        caption = data.get("caption")
        if kind == "photo":
            return _message(await sender.send_photo(content, caption=caption))
        if kind == "voice":
            return _message(await sender.send_voice(content, caption=caption))
        name = str(data.get("file_name", "document.bin"))
        mime = str(data.get("mime_type", "application/octet-stream"))
        sent = await sender.send_document(content, file_name=name, mime_type=mime, caption=caption)
        return _message(sent)

    @on("POST", "/_control/edit")
    async def edit(request: web.Request) -> JsonDict:
        data = await _body(request)
        message_id = data.get("message_id")
        edited = await user(data).edit(
            int(message_id) if message_id is not None else None, str(data["text"])
        )
        return _message(edited)

    @on("POST", "/_control/edit_caption")
    async def edit_caption(request: web.Request) -> JsonDict:
        data = await _body(request)
        message_id = data.get("message_id")
        caption = data.get("caption")
        edited = await user(data).edit_caption(
            int(message_id) if message_id is not None else None,
            str(caption) if caption is not None else None,
        )
        return _message(edited)

    @on("POST", "/_control/edit_media")
    async def edit_media(request: web.Request) -> JsonDict:
        data = await _body(request)
        message_id = data.get("message_id")
        caption = data.get("caption")
        edited = await user(data).edit_media(
            int(message_id) if message_id is not None else None,
            data=base64.b64decode(str(data["data_base64"])),
            kind=str(data.get("kind", "photo")),
            caption=str(caption) if caption is not None else None,
            file_name=data.get("file_name"),
            mime_type=data.get("mime_type"),
        )
        return _message(edited)

    @on("POST", "/_control/press")
    async def press(request: web.Request) -> JsonDict:
        data = await _body(request)
        chat_id = data.get("chat_id")
        thread = data.get("thread_id")
        presser = user(data)
        group = tg.group(int(chat_id)) if chat_id and int(chat_id) != presser.chat_id else None
        query_id = await presser.press(
            str(data["button"]), group=group, thread_id=int(thread) if thread else None
        )
        return {"callback_query_id": query_id}

    @on("POST", "/_control/raw_update")
    async def raw_update(request: web.Request) -> JsonDict:
        """``{"update": {...}}``: queued as given, only ``update_id`` added."""
        fields = (await _body(request))["update"]
        if not isinstance(fields, dict):
            raise ValueError('update must be a JSON object, e.g. {"message": {...}}')
        queued: JsonDict = tg.inject_update(fields)
        return queued

    @on("POST", "/_control/block")
    async def block(request: web.Request) -> JsonDict:
        await user(await _body(request)).block_bot()
        return {"ok": True}

    @on("POST", "/_control/restart")
    async def restart(request: web.Request) -> JsonDict:
        await user(await _body(request)).restart_bot()
        return {"ok": True}

    @on("GET", "/_control/messages")
    async def messages(request: web.Request) -> list[JsonDict]:
        thread = request.query.get("thread_id")
        records = tg.messages(
            int(request.query["chat_id"]), int(thread) if thread is not None else None
        )
        return [_message(r) for r in records]

    @on("POST", "/_control/wait")
    async def wait(request: web.Request) -> list[JsonDict]:
        data = await _body(request)
        thread = data.get("thread_id")
        records = await tg.wait_for_bot_messages(
            int(data["chat_id"]),
            int(data.get("count", 1)),
            thread_id=int(thread) if thread is not None else None,
            timeout=float(data.get("timeout", 5)),
        )
        return [_message(r) for r in records]

    @on("GET", "/_control/calls")
    async def calls(request: web.Request) -> list[JsonDict]:
        since = int(request.query.get("since", "0"))
        method = request.query.get("method")
        chosen = tg.calls_to(method) if method else tg.calls
        return [_call(c) for c in chosen if c.seq > since]

    @on("POST", "/_control/faults")
    async def add_fault(request: web.Request) -> JsonDict:
        data = await _body(request)
        fault = tg.faults.add(
            method=data.get("method"),
            chat_id=data.get("chat_id"),
            error=data.get("error"),
            description=data.get("description"),
            retry_after=data.get("retry_after"),
            delay=float(data.get("delay", 0.0)),
            times=data.get("times", 1),
            after_calls=int(data.get("after_calls", 0)),
        )
        return dataclasses.asdict(fault)

    @on("DELETE", "/_control/faults")
    async def clear_faults(request: web.Request) -> JsonDict:
        tg.faults.clear()
        return {"ok": True}

    @on("POST", "/_control/send_delay")
    async def send_delay(request: web.Request) -> JsonDict:
        seconds = float((await _body(request))["seconds"])
        if seconds < 0:
            raise ValueError("'seconds' must be 0 or more")
        tg.faults.send_delay = seconds
        return {"seconds": seconds}

    @on("POST", "/_control/limits")
    async def limits(request: web.Request) -> JsonDict:
        data = await _body(request)
        if "enforce" in data:
            tg.limits.enforce = bool(data["enforce"])
        if "sizes" in data:
            tg.limits.sizes = bool(data["sizes"])
        if "rates" in data:
            tg.limits.rates = bool(data["rates"])
        return dataclasses.asdict(tg.limits)

    return routes
