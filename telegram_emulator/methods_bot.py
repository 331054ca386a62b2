"""The bot itself and its chats: getMe, updates and webhooks, commands, chat and member info."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from telegram_emulator.engine import Engine, WebhookConfig
from telegram_emulator.errors import ApiError
from telegram_emulator.params import Params
from telegram_emulator.webhook import run_webhook

__all__ = ["METHODS", "stop_webhook"]

JsonDict = dict[str, Any]
Handler = Callable[[Engine, Params], Awaitable[Any]]

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


async def get_me(engine: Engine, p: Params) -> JsonDict:
    return {
        **engine.bot.to_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": True,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(engine: Engine, p: Params) -> list[JsonDict]:
    if engine.webhook is not None:
        raise ApiError(
            409,
            "can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    allowed = p.obj("allowed_updates")
    engine.updates.remember_allowed(allowed if isinstance(allowed, list) else None)
    offset = p.integer("offset")
    if offset is not None:
        engine.updates.confirm(offset)
        engine.changed()
    timeout = p.integer("timeout", 0) or 0
    return await engine.updates.get(
        offset=None, limit=p.integer("limit", 100) or 100, hold=float(timeout)
    )


async def stop_webhook(engine: Engine) -> None:
    """Forget the webhook and stop its delivery task."""
    config, engine.webhook = engine.webhook, None
    if config is not None and config.task is not None:
        config.task.cancel()
        await asyncio.gather(config.task, return_exceptions=True)


async def set_webhook(engine: Engine, p: Params) -> bool:
    url = p.text("url") or ""
    secret = p.text("secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise ApiError(400, "secret token contains unallowed characters")
    if url and not url.startswith(("http://", "https://")):
        raise ApiError(400, "bad webhook: An HTTPS URL must be provided for webhook")
    await stop_webhook(engine)
    if p.flag("drop_pending_updates"):
        engine.updates.drop_all()
    allowed = p.obj("allowed_updates")
    engine.updates.remember_allowed(allowed if isinstance(allowed, list) else None)
    if not url:
        return True
    config = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=p.integer("max_connections", 40) or 40,
        allowed_updates=allowed if isinstance(allowed, list) else None,
    )
    engine.webhook = config
    config.task = asyncio.create_task(run_webhook(engine, config), name="emulator-webhook")
    return True


async def delete_webhook(engine: Engine, p: Params) -> bool:
    await stop_webhook(engine)
    if p.flag("drop_pending_updates"):
        engine.updates.drop_all()
    return True


async def get_webhook_info(engine: Engine, p: Params) -> JsonDict:
    config = engine.webhook
    info: JsonDict = {
        "url": config.url if config else "",
        "has_custom_certificate": False,
        "pending_update_count": len(engine.updates.pending),
    }
    if config is not None:
        info["max_connections"] = config.max_connections
        info["ip_address"] = "127.0.0.1"
        if config.allowed_updates is not None:
            info["allowed_updates"] = config.allowed_updates
        if config.last_error_date is not None:
            info["last_error_date"] = config.last_error_date
            info["last_error_message"] = config.last_error_message
    return info


def _commands_key(p: Params) -> str:
    scope = p.obj("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + (p.text("language_code") or "")


async def set_my_commands(engine: Engine, p: Params) -> bool:
    commands = p.obj("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise ApiError(400, "BOT_COMMANDS_TOO_MUCH" if commands else "commands must be a list")
    for command in commands:
        name = str(command.get("command", "")).removeprefix("/")
        description = str(command.get("description", ""))
        if not _COMMAND.fullmatch(name) or not 1 <= len(description) <= 256:
            raise ApiError(400, "BOT_COMMAND_INVALID")
    engine.commands[_commands_key(p)] = [
        {"command": str(c["command"]).removeprefix("/"), "description": c["description"]}
        for c in commands
    ]
    engine.changed()
    return True


async def get_my_commands(engine: Engine, p: Params) -> list[JsonDict]:
    return engine.commands.get(_commands_key(p), [])


async def delete_my_commands(engine: Engine, p: Params) -> bool:
    engine.commands.pop(_commands_key(p), None)
    return True


async def get_chat(engine: Engine, p: Params) -> JsonDict:
    chat = engine.world.chat(p.chat_ref("chat_id"))
    return {
        **chat.to_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


async def get_chat_member(engine: Engine, p: Params) -> JsonDict:
    chat = engine.world.chat(p.chat_ref("chat_id"))
    user = engine.world.user(p.req_int("user_id"))
    return engine.world.member_json(chat, user)


async def get_chat_administrators(engine: Engine, p: Params) -> list[JsonDict]:
    chat = engine.world.chat(p.chat_ref("chat_id"))
    if chat.type == "private":
        raise ApiError(400, "there are no administrators in the private chat")
    return [
        engine.world.member_json(chat, engine.world.users[user_id])
        for user_id, status in chat.members.items()
        if status in ("creator", "administrator")
    ]


async def get_chat_member_count(engine: Engine, p: Params) -> int:
    chat = engine.world.chat(p.chat_ref("chat_id"))
    return sum(s in ("creator", "administrator", "member") for s in chat.members.values())


async def log_out(engine: Engine, p: Params) -> bool:
    return True


METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
    "logOut": log_out,
    "close": log_out,
}
