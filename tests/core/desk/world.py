"""A desk over the in-memory store, a fake outbox that can fail on demand, and a manual clock."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.actions import (
    Action,
    CopyMessages,
    Failed,
    Failure,
    RecordingOutbox,
    Result,
    SendText,
)
from bot.core.deps import CoreConfig, Deps
from bot.core.desk import OperatorDesk
from bot.core.events import ButtonPressed, Media, MessageEdited, MessageReceived, Person
from bot.core.survey_flow import SurveyFlow
from bot.core.texts import Texts
from handoff import tickets
from handoff.clock import ManualClock
from handoff.hours import WorkingHours
from handoff.memory import InMemoryStore
from handoff.model import Customer, Direction, NewMessage, NewTicket, Priority, Ticket

ROOT = Path(__file__).resolve().parents[3]
GROUP = -1001
LINE2_GROUP = -1002
NOON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ANNA = Person(telegram_id=7001, name="Anna Operator")
BORIS = Person(telegram_id=7002, name="Boris Second")


@dataclass
class DeskOutbox(RecordingOutbox):
    """Records; fails like Telegram for blocked chats, deleted topics and scripted one-offs."""

    blocked: set[int] = field(default_factory=set)
    deleted_topics: set[int] = field(default_factory=set)
    scripted: list[tuple[Callable[[Action], bool], Failed]] = field(default_factory=list)

    async def __call__(self, action: Action) -> Result:
        for index, (matches, failure) in enumerate(self.scripted):
            if matches(action):
                del self.scripted[index]
                self.actions.append(action)
                return failure
        if isinstance(action, SendText | CopyMessages):
            chat = action.to_chat_id if isinstance(action, CopyMessages) else action.chat_id
            if chat in self.blocked:
                self.actions.append(action)
                return Failed(Failure.BLOCKED, "Forbidden: bot was blocked by the user")
            if action.thread_id in self.deleted_topics:
                self.actions.append(action)
                return Failed(Failure.THREAD_NOT_FOUND, "Bad Request: message thread not found")
        return await super().__call__(action)

    def of(self, kind: type[Action]) -> list[Action]:
        return [a for a in self.actions if isinstance(a, kind)]

    def texts_to(self, chat_id: int, thread_id: int | None = None) -> list[str]:
        return [
            a.text
            for a in self.actions
            if isinstance(a, SendText)
            and a.chat_id == chat_id
            and (thread_id is None or a.thread_id == thread_id)
        ]

    def last_id(self, chat_id: int) -> int:
        """The id of the last message the bot made in ``chat_id``."""
        return self._next_id[chat_id] - 1

    def clear(self) -> None:
        self.actions.clear()


@dataclass
class FakeArticles:
    found: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # word → id, title, body

    @dataclass(frozen=True)
    class Hit:
        id: str
        title: str

    def search(self, query: str, lang: str) -> list[FakeArticles.Hit]:
        return [
            FakeArticles.Hit(article_id, title)
            for word, (article_id, title, _) in self.found.items()
            if word in query
        ]

    def render(self, article_id: str, lang: str) -> tuple[str, str] | None:
        for found_id, title, body in self.found.values():
            if found_id == article_id:
                return title, body
        return None


_ids = itertools.count(10_000)


@dataclass
class World:
    store: InMemoryStore
    outbox: DeskOutbox
    clock: ManualClock
    deps: Deps
    desk: OperatorDesk
    articles: FakeArticles
    survey: SurveyFlow

    def new_desk(self) -> OperatorDesk:
        """Another process on the same storage (a restart, or a second replica)."""
        return OperatorDesk(self.deps, self.survey.start, album_wait=0, articles=self.articles)

    async def customer(self, telegram_id: int = 501, name: str = "Alice Customer") -> Customer:
        async with self.store.unit_of_work() as uow:
            return await uow.customers.upsert(
                telegram_id=telegram_id,
                chat_id=telegram_id,
                name=name,
                username="alice",
                language="en",
                now=self.clock.now(),
            )

    async def ticket(
        self,
        customer: Customer | None = None,
        *,
        subject: str = "Where is my parcel?",
        line: int = 1,
        history: tuple[str, ...] = ("where is my parcel?",),
        open_desk: bool = True,
    ) -> Ticket:
        customer = customer or await self.customer()
        async with self.store.unit_of_work() as uow:
            conversation = await uow.conversations.current(
                customer.id, now=self.clock.now(), idle_after_s=6 * 3600
            )
            for text in history:
                await uow.messages.add(
                    NewMessage(
                        conversation_id=conversation.id,
                        direction=Direction.CUSTOMER,
                        chat_id=customer.chat_id,
                        telegram_message_id=next(_ids),
                        text=text,
                        created_at=self.clock.now(),
                    )
                )
            request = NewTicket(
                customer_id=customer.id,
                conversation_id=conversation.id,
                priority=Priority.NORMAL,
                line=line,
                language=customer.language,
                subject=subject,
                intent="order_status",
                confidence=0.42,
                created_at=self.clock.now(),
            )
            window = self.deps.config.reopen_window
            opened = await tickets.open_ticket(uow, request, reopen_window=window)
        if open_desk:
            await self.desk.ticket_opened(opened.ticket.id, opened.kind)
        return await self.get(opened.ticket.id)

    async def get(self, ticket_id: int) -> Ticket:
        async with self.store.unit_of_work() as uow:
            ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        return ticket

    async def messages(self, ticket_id: int) -> list[tuple[Direction, str | None]]:
        async with self.store.unit_of_work() as uow:
            ticket = await uow.tickets.get(ticket_id)
            assert ticket is not None
            stored = await uow.messages.for_conversation(ticket.conversation_id)
        return [(m.direction, m.text) for m in stored]


def make_world(
    *,
    use_topics: bool = True,
    line_groups: dict[int, int] | None = None,
    desk_language: str = "",
) -> World:
    store = InMemoryStore()
    outbox = DeskOutbox()
    clock = ManualClock(NOON)
    config = CoreConfig(
        operator_group_id=GROUP,
        use_topics=use_topics,
        line_groups=line_groups or {},
        sla=timedelta(minutes=15),
        desk_language=desk_language,
    )
    deps = Deps(
        config=config,
        uow=store.unit_of_work,
        outbox=outbox,
        texts=Texts.load(ROOT / "bot" / "texts", ["ru", "en"], "en"),
        clock=clock,
        hours=WorkingHours(
            zone=ZoneInfo("Europe/Moscow"),
            days=frozenset({1, 2, 3, 4, 5}),
            start=time(9),
            end=time(21),
        ),
        brain=None,  # type: ignore[arg-type]  # /kb uses FakeArticles instead
    )
    articles = FakeArticles()
    survey = SurveyFlow(deps)
    desk = OperatorDesk(deps, survey.start, album_wait=0, articles=articles)
    return World(store, outbox, clock, deps, desk, articles, survey)


# --- events -----------------------------------------------------------------------------------


def customer_says(
    ticket: Ticket,
    text: str | None = None,
    *,
    chat_id: int = 501,
    media: Media | None = None,
    album: str | None = None,
    reply_to: int | None = None,
) -> MessageReceived:
    n = next(_ids)
    return MessageReceived(
        update_id=n,
        chat_id=chat_id,
        private=True,
        sender=Person(chat_id, "Alice Customer"),
        message_id=n,
        date=NOON,
        text=text,
        media=media,
        media_group_id=album,
        reply_to_message_id=reply_to,
    )


def operator_says(
    text: str | None = None,
    *,
    thread_id: int | None = None,
    who: Person = ANNA,
    chat_id: int = GROUP,
    media: Media | None = None,
    reply_to: int | None = None,
    album: str | None = None,
) -> MessageReceived:
    n = next(_ids)
    return MessageReceived(
        update_id=n,
        chat_id=chat_id,
        private=False,
        sender=who,
        message_id=n,
        date=NOON,
        text=text,
        media=media,
        thread_id=thread_id,
        reply_to_message_id=reply_to,
        media_group_id=album,
    )


def edit(
    message: MessageReceived, text: str | None = None, *, caption: str | None = None
) -> MessageEdited:
    return MessageEdited(
        update_id=next(_ids),
        chat_id=message.chat_id,
        private=message.private,
        sender=message.sender,
        message_id=message.message_id,
        date=NOON,
        text=text,
        caption=caption,
        thread_id=message.thread_id,
    )


def press(
    data: str,
    *,
    who: Person = ANNA,
    chat_id: int = GROUP,
    message_id: int | None = 1,
    private: bool = False,
) -> ButtonPressed:
    n = next(_ids)
    return ButtonPressed(
        update_id=n,
        callback_id=f"cb{n}",
        chat_id=chat_id,
        private=private,
        sender=who,
        message_id=message_id,
        data=data,
        date=NOON,
    )
