"""The world the bot lives in: users, chats, forum topics, messages and files.

Everything here is plain state with the Bot API's JSON shapes built on demand; the rules for
what the bot may do live in the ``methods_*`` modules.
"""

from __future__ import annotations

import hashlib
import itertools
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from telegram_emulator.errors import ApiError

__all__ = ["ChatState", "StoredFile", "Topic", "UserState", "World"]

JsonDict = dict[str, Any]
MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_send_welcome_messages",
    "can_pin_messages",
    "can_manage_topics",
)


@dataclass
class UserState:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked_bot: bool = False
    started_bot: bool = False

    def to_json(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class Topic:
    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    created_message: JsonDict = field(default_factory=dict)

    def to_json(self) -> JsonDict:
        data: JsonDict = {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass
class ChatState:
    id: int
    type: Literal["private", "group", "supergroup"]
    title: str | None = None
    username: str | None = None
    user: UserState | None = None
    is_forum: bool = False
    members: dict[int, MemberStatus] = field(default_factory=dict)
    topics: dict[int, Topic] = field(default_factory=dict)
    deleted_topics: set[int] = field(default_factory=set)
    messages: dict[int, JsonDict] = field(default_factory=dict)
    next_message_id: int = 1

    def to_json(self) -> JsonDict:
        data: JsonDict = {"id": self.id, "type": self.type}
        if self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        if self.title is not None:
            data["title"] = self.title
        if self.username is not None and self.user is None:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    mime_type: str | None
    file_name: str | None


class World:
    """Users, chats and files, with the counters Telegram keeps."""

    def __init__(self, bot: UserState, clock: Callable[[], float] = time.time) -> None:
        self.bot = bot
        self.clock = clock
        self.users: dict[int, UserState] = {bot.id: bot}
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(1)
        self._file_seq = itertools.count(1)
        self._media_group_seq = itertools.count(13_000_000_000_000_001)

    def now(self) -> int:
        return int(self.clock())

    # --- users and chats -------------------------------------------------------------------
    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> UserState:
        user = UserState(
            id=next(self._user_ids),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[user.id] = user
        return user

    def private_chat(self, user: UserState) -> ChatState:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = ChatState(id=user.id, type="private", user=user)
            chat.members = {user.id: "member", self.bot.id: "member"}
            self.chats[user.id] = chat
        return chat

    def add_supergroup(self, title: str, *, forum: bool, username: str | None) -> ChatState:
        chat_id = -1_001_000_000_000 - next(self._group_ids)
        chat = ChatState(id=chat_id, type="supergroup", title=title, username=username)
        chat.is_forum = forum
        chat.next_message_id = 2  # 1 is the "group created" message; thread 1 is General
        self.chats[chat_id] = chat
        return chat

    def chat(self, ref: int | str) -> ChatState:
        if isinstance(ref, str):
            name = ref.removeprefix("@").lower()
            for candidate in self.chats.values():
                username = candidate.username
                if username and username.lower() == name and candidate.user is None:
                    return candidate
            raise ApiError(400, "chat not found")
        found = self.chats.get(ref)
        user = self.users.get(ref)
        if found is None and user is not None and not user.is_bot:
            found = self.private_chat(user)
        if found is None:
            raise ApiError(400, "chat not found")
        return found

    def user(self, user_id: int) -> UserState:
        user = self.users.get(user_id)
        if user is None:
            raise ApiError(400, "user not found")
        return user

    def member_json(self, chat: ChatState, user: UserState) -> JsonDict:
        status = chat.members.get(user.id, "left")
        data: JsonDict = {"status": status, "user": user.to_json()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(can_be_edited=False, is_anonymous=False)
            data.update(dict.fromkeys(_ADMIN_RIGHTS, True))
        elif status == "kicked":
            data["until_date"] = 0
        return data

    # --- messages --------------------------------------------------------------------------
    def message(self, chat: ChatState, message_id: int, *, purpose: str) -> JsonDict:
        stored = chat.messages.get(message_id)
        if stored is None:
            raise ApiError(400, f"message to {purpose} not found")
        return stored

    def new_message(
        self,
        chat: ChatState,
        sender: UserState,
        *,
        thread_id: int | None = None,
        reply_to: JsonDict | None = None,
        content: JsonDict,
    ) -> JsonDict:
        """Store a message (content: text/caption/media keys) and return its JSON."""
        data: JsonDict = {
            "message_id": chat.take_message_id(),
            "from": sender.to_json(),
            "date": self.now(),
            "chat": chat.to_json(),
        }
        topic = chat.topics.get(thread_id) if thread_id is not None else None
        if topic is not None:
            data["message_thread_id"] = topic.thread_id
            data["is_topic_message"] = True
            if reply_to is None:
                reply_to = topic.created_message
        if reply_to:
            data["reply_to_message"] = {
                k: v for k, v in reply_to.items() if k != "reply_to_message"
            }
        data.update(content)
        chat.messages[data["message_id"]] = data
        return data

    def next_media_group_id(self) -> str:
        return str(next(self._media_group_seq))

    # --- files -----------------------------------------------------------------------------
    def store_file(
        self, data: bytes, *, kind: str, mime_type: str | None = None, file_name: str | None = None
    ) -> StoredFile:
        seq = next(self._file_seq)
        digest = hashlib.sha256(data).hexdigest()
        unique = f"AQAD{digest[:12]}"
        extension = (file_name or "").rpartition(".")[2] if file_name and "." in file_name else ""
        path = f"{kind}s/file_{seq}" + (f".{extension}" if extension else "")
        stored = StoredFile(
            file_id=f"{kind.upper()}_{seq}_{digest[:16]}",
            file_unique_id=unique,
            file_path=path,
            data=data,
            mime_type=mime_type,
            file_name=file_name,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    def file(self, file_id: str) -> StoredFile:
        stored = self.files.get(file_id)
        if stored is None:
            raise ApiError(400, "wrong file identifier/HTTP URL specified")
        return stored


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG image; 512x512 when unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                break
            marker = data[index + 1]
            length = int.from_bytes(data[index + 2 : index + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + length
    return 512, 512
