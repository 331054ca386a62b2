"""The emulator's shared state and the rules every method needs (who may post where)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram_emulator.errors import ApiError, EmulatorTimeout
from telegram_emulator.faults import Faults
from telegram_emulator.limits import Limits, RateLimiter
from telegram_emulator.markup import parse_text, utf16_len
from telegram_emulator.params import Params
from telegram_emulator.records import ApiCall, CallbackAnswer, ChatMessage
from telegram_emulator.updates import UpdateQueue
from telegram_emulator.world import ChatState, UserState, World

__all__ = ["CallbackQueryState", "Engine", "WebhookConfig"]

JsonDict = dict[str, Any]
ReplyExecutor = Callable[[str, Params], Awaitable[None]]


@dataclass
class CallbackQueryState:
    id: str
    user_id: int
    created: float
    answer: CallbackAnswer | None = None


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None
    max_connections: int
    allowed_updates: list[str] | None
    last_error_date: int | None = None
    last_error_message: str | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class Engine:
    """World, queue, call log, faults and limits: the state the methods work on."""

    def __init__(
        self,
        *,
        token: str,
        bot_name: str,
        bot_username: str,
        clock: Callable[[], float] = time.time,
        callback_timeout: float = 15.0,
    ) -> None:
        self._watchers: set[asyncio.Event] = set()
        head = token.partition(":")[0]
        bot_id = int(head) if head.isdigit() else 1
        self.token = token
        self.world = World(
            UserState(id=bot_id, first_name=bot_name, username=bot_username, is_bot=True),
            clock=clock,
        )
        self.updates = UpdateQueue(on_change=self.changed)
        self.faults = Faults()
        self.limits = Limits()
        self.rates = RateLimiter(self.limits)
        self.calls: list[ApiCall] = []
        self.callback_queries: dict[str, CallbackQueryState] = {}
        self.callback_timeout = callback_timeout
        self.commands: dict[str, list[JsonDict]] = {}
        self.webhook: WebhookConfig | None = None
        self.webhook_retry_delay = 0.2
        self.execute_reply: ReplyExecutor | None = None
        self.bot_messages: list[JsonDict] = []
        self._query_ids = itertools.count(4_242_000_000_000_000_001)

    @property
    def bot(self) -> UserState:
        return self.world.bot

    # --- change notification -----------------------------------------------------------------
    def changed(self) -> None:
        for event in self._watchers:
            event.set()

    async def wait_until(
        self, predicate: Callable[[], bool], seconds: float, what: Callable[[], str]
    ) -> None:
        event = asyncio.Event()
        self._watchers.add(event)
        try:
            async with asyncio.timeout(seconds):
                while not predicate():
                    await event.wait()
                    event.clear()
        except TimeoutError:
            raise EmulatorTimeout(f"timed out after {seconds} s waiting for {what()}") from None
        finally:
            self._watchers.discard(event)

    def record(self, call: ApiCall) -> None:
        self.calls.append(call)
        self.changed()

    def next_query_id(self) -> str:
        return str(next(self._query_ids))

    # --- rules for the bot's messages -------------------------------------------------------
    def target_chat(self, p: Params) -> ChatState:
        chat = self.world.chat(p.chat_ref("chat_id"))
        self.check_can_post(chat)
        return chat

    def check_can_post(self, chat: ChatState) -> None:
        if chat.type == "private":
            assert chat.user is not None
            if chat.user.blocked_bot:
                raise ApiError(403, "bot was blocked by the user")
            if not chat.user.started_bot:
                raise ApiError(403, "bot can't initiate conversation with a user")
            return
        if chat.members.get(self.bot.id) not in ("member", "administrator", "creator"):
            raise ApiError(403, f"bot is not a member of the {chat.type} chat")

    def thread_for(self, chat: ChatState, p: Params) -> int | None:
        thread_id = p.integer("message_thread_id")
        if thread_id is None or (thread_id == 1 and chat.is_forum):
            return None
        if thread_id not in chat.topics:
            raise ApiError(400, "message thread not found")
        return thread_id

    def reply_target(self, chat: ChatState, p: Params) -> JsonDict | None:
        reply = p.obj("reply_parameters")
        message_id = p.integer("reply_to_message_id")
        allow_missing = p.flag("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = int(reply.get("message_id", 0))
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        target = chat.messages.get(message_id)
        if target is None and not allow_missing:
            raise ApiError(400, "message to be replied not found")
        return target

    def markup(self, p: Params) -> JsonDict | None:
        """The inline keyboard the message will show (other keyboards are not shown in it)."""
        markup = p.obj("reply_markup")
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return None
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list):
            raise ApiError(400, 'can\'t parse inline keyboard button: field "inline_keyboard"')
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise ApiError(400, "can't parse inline keyboard button: Text is empty")
                data = button.get("callback_data")
                limit = self.limits.callback_data_bytes
                size = len(str(data).encode("utf-8")) if data is not None else 1
                if self.limits.sizes and not 1 <= size <= limit:
                    raise ApiError(400, "BUTTON_DATA_INVALID")
        return {"inline_keyboard": rows} if rows else None

    def text_content(self, p: Params, *, field_name: str = "text") -> JsonDict:
        raw = p.text(field_name) or ""
        text, entities = parse_text(raw, p.text("parse_mode"))
        if not text.strip():
            raise ApiError(400, "message text is empty")
        if self.limits.sizes and utf16_len(text) > self.limits.text_length:
            raise ApiError(400, "message is too long")
        content: JsonDict = {"text": text}
        if entities:
            content["entities"] = entities
        return content

    def caption_content(self, caption: str | None, parse_mode: str | None) -> JsonDict:
        if not caption:
            return {}
        text, entities = parse_text(caption, parse_mode)
        if self.limits.sizes and utf16_len(text) > self.limits.caption_length:
            raise ApiError(400, "message caption is too long")
        content: JsonDict = {"caption": text}
        if entities:
            content["caption_entities"] = entities
        return content

    def count_send(self, chat: ChatState, count: int = 1) -> None:
        self.rates.take(chat.id, private=chat.type == "private", count=count)

    def bot_message(
        self,
        chat: ChatState,
        p: Params,
        content: JsonDict,
        *,
        thread_id: int | None = None,
        reply_to: JsonDict | None = None,
    ) -> JsonDict:
        """Store a message from the bot (markup taken from ``p``) and note it was sent."""
        markup = self.markup(p)
        if markup is not None:
            content = {**content, "reply_markup": markup}
        message = self.world.new_message(
            chat, self.bot, thread_id=thread_id, reply_to=reply_to, content=content
        )
        self.bot_messages.append(message)
        self.changed()
        return message

    # --- reading -----------------------------------------------------------------------------
    def record_of(self, message: JsonDict) -> ChatMessage:
        return ChatMessage.from_raw(message, bot_id=self.bot.id)
