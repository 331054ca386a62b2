"""People in the emulated world: a customer or operator (:class:`User`) and a :class:`Group`.

Their actions become updates for the bot, exactly as Telegram would deliver them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram_emulator.engine import CallbackQueryState, Engine
from telegram_emulator.errors import ControlError
from telegram_emulator.markup import command_entities
from telegram_emulator.methods_media import media_json
from telegram_emulator.records import ChatMessage
from telegram_emulator.world import ChatState, UserState

__all__ = ["Group", "User"]

JsonDict = dict[str, Any]
MessageRef = ChatMessage | int


@dataclass(frozen=True)
class Group:
    """A supergroup (a forum when created with ``forum=True``)."""

    engine: Engine
    state: ChatState

    @property
    def id(self) -> int:
        return self.state.id

    @property
    def title(self) -> str:
        return self.state.title or ""

    def topic_ids(self) -> list[int]:
        return sorted(self.state.topics)

    def topic_name(self, thread_id: int) -> str:
        topic = self.state.topics.get(thread_id)
        if topic is None:
            raise ControlError(f"no topic {thread_id} in {self.title!r}")
        return topic.name


@dataclass(frozen=True)
class User:
    """A person: writes to the bot in private, or in a group where they are a member."""

    engine: Engine
    state: UserState

    @property
    def id(self) -> int:
        return self.state.id

    @property
    def name(self) -> str:
        return self.state.first_name

    @property
    def chat_id(self) -> int:
        """The id of this user's private chat with the bot."""
        return self.state.id

    # --- messages -----------------------------------------------------------------------------
    async def send(self, text: str, *, reply_to: MessageRef | None = None) -> ChatMessage:
        """Write to the bot in the private chat."""
        return self._post(self._private(), _text(text), reply_to=reply_to)

    async def send_photo(
        self, data: bytes, *, caption: str | None = None, reply_to: MessageRef | None = None
    ) -> ChatMessage:
        content = self._media("photo", data, "image/jpeg", "photo.jpg", caption)
        return self._post(self._private(), content, reply_to=reply_to)

    async def send_document(
        self,
        data: bytes,
        *,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> ChatMessage:
        content = self._media("document", data, mime_type, file_name, caption)
        return self._post(self._private(), content)

    async def send_voice(self, data: bytes, *, caption: str | None = None) -> ChatMessage:
        content = self._media("voice", data, "audio/ogg", None, caption)
        return self._post(self._private(), content)

    async def send_album(
        self, photos: Sequence[bytes], *, caption: str | None = None
    ) -> list[ChatMessage]:
        """Send 2-10 photos as one album (one update per photo, sharing ``media_group_id``)."""
        if not 2 <= len(photos) <= 10:
            raise ControlError("an album holds 2 to 10 items")
        group_id = self.engine.world.next_media_group_id()
        chat = self._private()
        sent = []
        for index, data in enumerate(photos):
            first_caption = caption if index == 0 else None
            content = self._media("photo", data, "image/jpeg", "photo.jpg", first_caption)
            sent.append(self._post(chat, {**content, "media_group_id": group_id}))
        return sent

    async def edit(self, message: MessageRef | None = None, text: str = "") -> ChatMessage:
        """Edit one of this user's text messages (default: their last one in the private chat)."""
        _, stored = self._own_message(message)
        if "text" not in stored:
            raise ControlError("only text messages can be edited here")
        stored.pop("entities", None)
        stored.update(_text(text))
        stored["edit_date"] = self.engine.world.now()
        self.engine.updates.push("edited_message", dict(stored))
        self.engine.changed()
        return self.engine.record_of(stored)

    # --- caption and media edits ----------------------------------------------------------------
    async def edit_caption(
        self, message: MessageRef | None = None, caption: str | None = None
    ) -> ChatMessage:
        """Edit the caption of one of this user's files (default: their last message in the
        private chat); ``None`` or ``""`` removes it. The bot gets an ``edited_message``."""
        _, stored = self._own_message(message)
        if _file_kind(stored) is None:
            raise ControlError(
                "only a photo, video, animation, audio, document or voice has a caption"
            )
        stored.pop("caption", None)
        stored.pop("caption_entities", None)
        if caption:
            stored["caption"] = caption
        return self._edited(stored)

    async def edit_media(
        self,
        message: MessageRef | None = None,
        *,
        data: bytes,
        kind: str = "photo",
        caption: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> ChatMessage:
        """Replace the file of one of this user's media messages (default: their last message in
        the private chat) with ``data`` as ``kind``; the caption becomes ``caption``."""
        _, stored = self._own_message(message)
        old = _file_kind(stored)
        if old is None:
            raise ControlError("only a message with a file can have its file replaced")
        if kind not in _EDITABLE_FILES:
            raise ControlError(f"a file can be replaced by one of {', '.join(_EDITABLE_FILES)}")
        default_mime, default_name = _EDITABLE_FILES[kind]
        content = self._media(
            kind, data, mime_type or default_mime, file_name or default_name, caption
        )
        for key in (*_CAPTIONED_FILES, "caption", "caption_entities"):
            stored.pop(key, None)
        stored.update(content)
        return self._edited(stored)

    def _edited(self, stored: JsonDict) -> ChatMessage:
        stored["edit_date"] = self.engine.world.now()
        self.engine.updates.push("edited_message", dict(stored))
        self.engine.changed()
        return self.engine.record_of(stored)

    async def send_in_group(
        self,
        group: Group,
        text: str,
        *,
        thread_id: int | None = None,
        reply_to: MessageRef | None = None,
    ) -> ChatMessage:
        chat = self._group_chat(group, thread_id)
        return self._post(chat, _text(text), thread_id=thread_id, reply_to=reply_to)

    async def send_in_topic(self, group: Group, thread_id: int, text: str) -> ChatMessage:
        """Write in a forum topic of ``group``."""
        return await self.send_in_group(group, text, thread_id=thread_id)

    async def reply(self, to: ChatMessage, text: str) -> ChatMessage:
        """Reply to a message, in its chat and topic."""
        if to.chat_id == self.chat_id:
            return await self.send(text, reply_to=to)
        chat = self.engine.world.chats.get(to.chat_id)
        if chat is None:
            raise ControlError(f"no chat {to.chat_id}")
        self._group_chat(Group(self.engine, chat), to.thread_id)
        return self._post(chat, _text(text), thread_id=to.thread_id, reply_to=to)

    # --- buttons and membership -----------------------------------------------------------------
    async def press(
        self, button: str, *, group: Group | None = None, thread_id: int | None = None
    ) -> str:
        """Press an inline button (matched by text or callback data) on the newest bot message
        that shows it, in the private chat or in ``group``. Returns the callback query id."""
        chat = self._private() if group is None else self._group_chat(group, thread_id)
        for message in reversed(list(chat.messages.values())):
            if (message.get("from") or {}).get("id") != self.engine.bot.id:
                continue
            if thread_id is not None and message.get("message_thread_id") != thread_id:
                continue
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for candidate in row:
                    if button in (candidate.get("text"), candidate.get("callback_data")):
                        return self._callback(chat, message, candidate)
        raise ControlError(f"no bot message in chat {chat.id} shows a button {button!r}")

    async def block_bot(self) -> None:
        """Block the bot: it gets ``my_chat_member`` (member -> kicked); sends now fail with 403."""
        if self.state.blocked_bot:
            return
        self.state.blocked_bot = True
        self._member_update("member", "kicked")

    async def restart_bot(self, *, send_start: bool = True) -> None:
        """Unblock ("Restart"): ``my_chat_member`` (kicked -> member), then ``/start``."""
        if self.state.blocked_bot:
            self.state.blocked_bot = False
            self._member_update("kicked", "member")
        if send_start:
            await self.send("/start")

    # --- internals -------------------------------------------------------------------------------
    def _private(self) -> ChatState:
        if self.state.blocked_bot:
            raise ControlError(f"{self.name} has blocked the bot; call restart_bot() first")
        self.state.started_bot = True
        return self.engine.world.private_chat(self.state)

    def _group_chat(self, group: Group, thread_id: int | None) -> ChatState:
        chat = group.state
        status = chat.members.get(self.id)
        if status not in ("member", "administrator", "creator"):
            raise ControlError(f"{self.name} is not a member of {group.title!r}")
        if thread_id is not None:
            topic = chat.topics.get(thread_id)
            if topic is None:
                raise ControlError(f"topic {thread_id} does not exist in {group.title!r}")
            if topic.closed and status == "member":
                raise ControlError(f"topic {topic.name!r} is closed")
        return chat

    def _media(
        self, kind: str, data: bytes, mime: str, file_name: str | None, caption: str | None
    ) -> JsonDict:
        stored = self.engine.world.store_file(data, kind=kind, mime_type=mime, file_name=file_name)
        content: JsonDict = {kind: media_json(kind, stored)}
        if caption:
            content["caption"] = caption
        return content

    def _post(
        self,
        chat: ChatState,
        content: JsonDict,
        *,
        thread_id: int | None = None,
        reply_to: MessageRef | None = None,
    ) -> ChatMessage:
        target = None
        if reply_to is not None:
            reply_id = reply_to if isinstance(reply_to, int) else reply_to.message_id
            target = chat.messages.get(reply_id)
            if target is None:
                raise ControlError(f"no message {reply_id} in chat {chat.id} to reply to")
        message = self.engine.world.new_message(
            chat, self.state, thread_id=thread_id, reply_to=target, content=content
        )
        self.engine.updates.push("message", message)
        self.engine.changed()
        return self.engine.record_of(message)

    def _own_message(self, ref: MessageRef | None) -> tuple[ChatState, JsonDict]:
        if ref is None:
            chat = self._private()
            own = [m for m in chat.messages.values() if (m.get("from") or {}).get("id") == self.id]
            if not own:
                raise ControlError(f"{self.name} has no message to edit")
            return chat, own[-1]
        chat_id = ref.chat_id if isinstance(ref, ChatMessage) else self.chat_id
        message_id = ref.message_id if isinstance(ref, ChatMessage) else ref
        found = self.engine.world.chats.get(chat_id)
        stored = found.messages.get(message_id) if found else None
        if found is None or stored is None or (stored.get("from") or {}).get("id") != self.id:
            raise ControlError(f"{self.name} has no message {message_id} in chat {chat_id}")
        return found, stored

    def _callback(self, chat: ChatState, message: JsonDict, button: JsonDict) -> str:
        data = button.get("callback_data")
        if data is None:
            raise ControlError(f"button {button.get('text')!r} is not a callback button")
        query_id = self.engine.next_query_id()
        self.engine.callback_queries[query_id] = CallbackQueryState(
            id=query_id, user_id=self.id, created=time.monotonic()
        )
        self.engine.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": self.state.to_json(),
                "message": message,
                "chat_instance": str(abs(chat.id) * 7919 % 10**18),
                "data": data,
            },
        )
        self.engine.changed()
        return query_id

    def _member_update(self, old: str, new: str) -> None:
        chat = self.engine.world.private_chat(self.state)
        bot = self.engine.bot.to_json()
        old_member: JsonDict = {"status": old, "user": bot}
        new_member: JsonDict = {"status": new, "user": bot}
        for member in (old_member, new_member):
            if member["status"] == "kicked":
                member["until_date"] = 0
        self.engine.updates.push(
            "my_chat_member",
            {
                "chat": chat.to_json(),
                "from": self.state.to_json(),
                "date": self.engine.world.now(),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            },
        )
        self.engine.changed()


_EDITABLE_FILES = {  # kind -> default MIME type and file name of a replacing file
    "photo": ("image/jpeg", "photo.jpg"),
    "video": ("video/mp4", "video.mp4"),
    "animation": ("video/mp4", "animation.mp4"),
    "audio": ("audio/mpeg", "audio.mp3"),
    "document": ("application/pdf", "document.pdf"),
}
_CAPTIONED_FILES = (*_EDITABLE_FILES, "voice")


def _file_kind(message: JsonDict) -> str | None:
    return next((kind for kind in _CAPTIONED_FILES if kind in message), None)


def _text(text: str) -> JsonDict:
    if not text:
        raise ControlError("a message needs some text")
    content: JsonDict = {"text": text}
    if entities := command_entities(text):
        content["entities"] = entities
    return content
