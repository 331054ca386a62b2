"""``TelegramEmulator``: the composition root of the emulator and its Python control API."""

from __future__ import annotations

import socket
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from telegram_emulator.actors import Group, User
from telegram_emulator.control import control_routes
from telegram_emulator.dispatch import Dispatcher
from telegram_emulator.engine import Engine
from telegram_emulator.errors import ApiError, ControlError
from telegram_emulator.faults import Faults
from telegram_emulator.limits import Limits
from telegram_emulator.methods_bot import stop_webhook
from telegram_emulator.methods_topics import create_topic, delete_topic
from telegram_emulator.records import ApiCall, CallbackAnswer, ChatMessage
from telegram_emulator.server import build_app

__all__ = ["TelegramEmulator"]


class TelegramEmulator:
    """A local Telegram: a Bot API server plus the people and chats around the bot.

    Use it as ``async with TelegramEmulator(token="123:ABC") as tg:``; ``tg.url`` is the base
    URL to point a bot at.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_name: str = "Support Bot",
        bot_username: str = "support_bot",
        callback_timeout: float = 15.0,
    ) -> None:
        self.engine = Engine(
            token=token,
            bot_name=bot_name,
            bot_username=bot_username,
            callback_timeout=callback_timeout,
        )
        self.dispatcher = Dispatcher(self.engine)
        self.engine.execute_reply = self.dispatcher.execute_reply
        self.host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self._read_marks: dict[tuple[int, int | None], int] = {}

    # --- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = build_app(self.engine, self.dispatcher, control_routes(self))
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=2.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        self._port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Wake held polls (they answer with what they have), stop the webhook, close."""
        self.engine.updates.close()
        await stop_webhook(self.engine)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def token(self) -> str:
        return self.engine.token

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """Base URL: ``{url}/bot{token}/{method}`` is the API, ``{url}/file/bot{token}/...``
        serves files, ``{url}/_control/...`` is the HTTP control API."""
        return f"http://{self.host}:{self._port}"

    @property
    def bot_id(self) -> int:
        return self.engine.bot.id

    @property
    def faults(self) -> Faults:
        return self.engine.faults

    @property
    def limits(self) -> Limits:
        return self.engine.limits

    # --- the world -----------------------------------------------------------------------------
    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> User:
        state = self.engine.world.add_user(
            first_name, last_name=last_name, username=username, language_code=language_code
        )
        return User(self.engine, state)

    def user(self, user_id: int) -> User:
        state = self.engine.world.users.get(user_id)
        if state is None or state.is_bot:
            raise ControlError(f"no user {user_id}")
        return User(self.engine, state)

    def add_supergroup(
        self,
        title: str,
        *,
        forum: bool = True,
        members: Iterable[User] = (),
        admins: Iterable[User] = (),
        owner: User | None = None,
        username: str | None = None,
        bot_is_admin: bool = True,
    ) -> Group:
        """A supergroup with the bot in it (an administrator with every right by default).

        ``owner`` defaults to the first admin; admins need not be repeated in ``members``."""
        chat = self.engine.world.add_supergroup(title, forum=forum, username=username)
        admin_list = list(admins)
        for member in members:
            chat.members[member.id] = "member"
        for admin in admin_list:
            chat.members[admin.id] = "administrator"
        owner = owner or (admin_list[0] if admin_list else None)
        if owner is not None:
            chat.members[owner.id] = "creator"
        chat.members[self.bot_id] = "administrator" if bot_is_admin else "member"
        return Group(self.engine, chat)

    def group(self, chat_id: int) -> Group:
        chat = self.engine.world.chats.get(chat_id)
        if chat is None or chat.type == "private":
            raise ControlError(f"no group {chat_id}")
        return Group(self.engine, chat)

    def create_topic(self, group: Group, name: str, icon_color: int = 7322096) -> int:
        """Open a topic (as an administrator would); returns its ``message_thread_id``."""
        try:
            return create_topic(self.engine, group.state, name, icon_color).thread_id
        except ApiError as exc:
            raise ControlError(exc.description) from None

    def delete_topic(self, group: Group | int, thread_id: int) -> None:
        """Delete a topic and its messages; the bot's later sends there get 400."""
        chat = group.state if isinstance(group, Group) else self.group(group).state
        try:
            delete_topic(self.engine, chat, thread_id)
        except ApiError as exc:
            raise ControlError(exc.description) from None

    # --- reading ----------------------------------------------------------------------------------
    def messages(self, chat_id: int, thread_id: int | None = None) -> list[ChatMessage]:
        """What the chat shows now (both sides, deleted messages gone), oldest first;
        with ``thread_id``, only that forum topic."""
        chat = self.engine.world.chats.get(chat_id)
        if chat is None:
            return []
        records = [self.engine.record_of(m) for m in chat.messages.values()]
        if thread_id is not None:
            records = [r for r in records if r.thread_id == thread_id]
        return sorted(records, key=lambda r: r.message_id)

    def bot_messages(self, chat_id: int, thread_id: int | None = None) -> list[ChatMessage]:
        """Every message the bot sent to the chat (service messages included), oldest first."""
        return [
            self.engine.record_of(m)
            for m in self.engine.bot_messages
            if m["chat"]["id"] == chat_id
            and (thread_id is None or m.get("message_thread_id") == thread_id)
        ]

    async def wait_for_bot_messages(
        self,
        chat_id: int,
        count: int = 1,
        *,
        thread_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a plain deadline reads best here
    ) -> list[ChatMessage]:
        """Wait until the bot has sent ``count`` messages to the chat that no earlier wait has
        returned; return them (as they look now) and mark them read."""
        key = (chat_id, thread_id)

        def unread() -> list[ChatMessage]:
            return self.bot_messages(chat_id, thread_id)[self._read_marks.get(key, 0) :]

        await self.engine.wait_until(
            lambda: len(unread()) >= count,
            timeout,
            lambda: (
                f"{count} new bot message(s) in chat {chat_id} "
                f"(got {[m.content for m in unread()]})"
            ),
        )
        fresh = unread()[:count]
        self._read_marks[key] = self._read_marks.get(key, 0) + count
        current = {m.message_id: m for m in self.messages(chat_id)}
        return [current.get(m.message_id, m) for m in fresh]

    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call made so far, in order."""
        return list(self.engine.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.engine.calls if c.method.lower() == method.lower()]

    async def wait_for_calls(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a plain deadline reads best here
    ) -> list[ApiCall]:
        """Wait until ``method`` has been called ``count`` times in all; return those calls."""
        await self.engine.wait_until(
            lambda: len(self.calls_to(method)) >= count,
            timeout,
            lambda: f"{count} call(s) to {method} (got {len(self.calls_to(method))})",
        )
        return self.calls_to(method)[:count]

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        query = self.engine.callback_queries.get(query_id)
        return query.answer if query else None

    async def wait_for_callback_answer(
        self,
        query_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a plain deadline reads best here
    ) -> CallbackAnswer:
        await self.engine.wait_until(
            lambda: self.callback_answer(query_id) is not None,
            timeout,
            lambda: f"the answer to callback query {query_id}",
        )
        answer = self.callback_answer(query_id)
        assert answer is not None
        return answer

    async def wait_for_poll(
        self,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a plain deadline reads best here
    ) -> None:
        """Wait until the bot holds a long poll open (it is idle and listening)."""
        await self.engine.wait_until(
            lambda: self.engine.updates.held_polls > 0, timeout, lambda: "a held getUpdates"
        )

    async def wait_until_delivered(
        self,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a plain deadline reads best here
    ) -> None:
        """Wait until the bot has confirmed (by offset or webhook 2xx) every pending update."""
        await self.engine.wait_until(
            lambda: not self.engine.updates.pending,
            timeout,
            lambda: f"{len(self.engine.updates.pending)} pending update(s) to be confirmed",
        )

    @property
    def updates(self) -> list[dict[str, object]]:
        """Every update queued for the bot so far (as sent), in order."""
        return list(self.engine.updates.history)

    def inject_update(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update for the bot, e.g. one its library cannot read:
        ``tg.inject_update({"message": {"message_id": "not a number"}})``. The ``update_id`` is
        added; nothing else is checked or filled in."""
        try:
            return self.engine.updates.push_raw(fields)
        except ValueError as exc:
            raise ControlError(str(exc)) from exc

    def redeliver(self, update_id: int) -> dict[str, object]:
        """Deliver an update again with the same ``update_id``, as Telegram may (at least once)."""
        try:
            return self.engine.updates.redeliver(update_id)
        except KeyError as exc:
            raise ControlError(str(exc.args[0])) from exc

    @property
    def internal_errors(self) -> list[BaseException]:
        """Bugs in the emulator itself (answered to the bot as 500); empty in a healthy run."""
        return list(self.dispatcher.internal_errors)
