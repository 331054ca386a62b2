"""Messages both ways with ``copyMessage``, edits mirrored, every copy linked in storage.

Customer → the ticket's topic (or under its card); operator → the customer. Each copy is stored as
a :class:`~handoff.model.RelayLink`, so a reply to a copy maps back to the original and an edit
finds its copy — after a restart as well. What an operator writes is stored before it is copied:
that unit of work also records the update (:class:`~bot.core.desk.once.Once`). Callers hold the
ticket's lock.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.actions import CopyMessages, Done, EditText, Failed, Failure, Result, SendText
from bot.core.deps import Deps
from bot.core.desk.cards import escape
from bot.core.desk.once import Once
from bot.core.desk.topics import Board
from bot.core.events import MessageEdited, MessageReceived
from bot.core.sender import record, record_links
from bot.core.views import TicketView
from handoff import Direction, NewMessage, RelayLink, TicketStatus, UnitOfWork, tickets

__all__ = ["NotThisTicket", "Relay", "body_of", "is_note"]


def body_of(event: MessageReceived) -> str | None:
    if event.text is not None:
        return event.text
    return event.media.caption if event.media else None


def is_note(event: MessageReceived) -> bool:
    """``!text`` (or a caption starting with ``!``) and ``/note text`` stay in the group."""
    body = (body_of(event) or "").lstrip()
    return body.startswith("!") or event.command == "note"


class _NotAsItIs(Exception):
    """The operator's message is not relayed as it is: roll back the unit of work that read."""


class NotThisTicket(Exception):
    """The topic a message was written in is not (or no longer) the expected ticket's: nothing
    was stored; look its ticket up the usual way."""


class Relay:
    def __init__(self, deps: Deps, board: Board) -> None:
        self._deps = deps
        self._board = board

    def _t(self, key: str, **params: object) -> str:
        return self._deps.texts(self._board.lang, key, **params)

    # ------------------------------------------------------------------ customer → group
    def trusted(self, view: TicketView, ticket_id: int) -> bool:
        """Whether ``view``, read by the customer's own transaction before the ticket's lock
        was taken, can place the relay: the ticket is placed in its line's group and the
        customer is not banned. (What may have changed since is safe: a deleted topic fails
        the copy, which is then made from the ticket as storage has it; a ticket escalated
        to another group meanwhile shows the message in its new topic's transcript.)"""
        ticket = view.ticket
        return (
            ticket.id == ticket_id
            and view.placed
            and ticket.group_chat_id == self._board.group_for_line(ticket.line)
            and not view.customer.state.banned
        )

    async def to_group(
        self, view: TicketView, parts: Sequence[MessageReceived], *, hinted: bool = False
    ) -> TicketView:
        """Copy the customer's messages into the ticket's place. ``hinted``: ``view`` was not
        read under the ticket's lock (:meth:`trusted`); if the copy fails there, the ticket is
        read again and the copy made the usual way."""
        board = self._board
        customer_chat = view.customer.chat_id
        ids = tuple(part.message_id for part in parts)
        anchor = await self._mapped_reply(parts[0], customer_chat)
        if hinted:
            ticket = view.ticket
            assert ticket.group_chat_id is not None  # trusted: placed
            place = None if ticket.topic_id else ticket.card_message_id
            copy = CopyMessages(
                customer_chat, ids, ticket.group_chat_id, ticket.topic_id, anchor or place
            )
            result = await self._deps.outbox(copy)
            if isinstance(result, Done):
                await self._link(view, customer_chat, ids, ticket.group_chat_id, result)
                return view
            fresh = await board.view(ticket.id)
            if fresh is None or fresh.customer.state.banned:
                return view
            view = fresh
        view, result = await board.copy_in(view, ids, reply_to=anchor)
        if isinstance(result, Done):
            await self._link(view, customer_chat, ids, view.ticket.group_chat_id, result)
            return view
        assert isinstance(result, Failed)
        text = "\n".join(escape(body) for part in parts if (body := body_of(part)))
        if result.reason is Failure.TOO_LONG and text:
            view, _ = await board.post(view, text)
        else:
            view, _ = await board.post(
                view, self._t("desk_copy_failed", reason=result.reason.value)
            )
        return view

    async def customer_edited(self, view: TicketView, event: MessageEdited) -> None:
        async with self._deps.uow() as uow:
            links = await uow.relays.by_source(view.customer.chat_id, event.message_id)
        for link in links:
            if event.text is not None:
                await self._deps.outbox(
                    EditText(link.target_chat_id, link.target_message_id, escape(event.text))
                )
            elif event.caption is not None:
                edited = self._t("desk_edited", text=escape(event.caption))
                await self._board.post(view, edited, reply_to=link.target_message_id)

    # ------------------------------------------------------------------ group → customer
    async def note(self, view: TicketView, event: MessageReceived, once: Once) -> None:
        body = (body_of(event) or "").lstrip()
        text = event.command_args if event.command == "note" else body.removeprefix("!").strip()
        await self._store(view, [event], Direction.NOTE, once, text_override=text)

    async def to_customer(
        self,
        view: TicketView,
        parts: Sequence[MessageReceived],
        once: Once,
        *,
        stored: bool = False,
    ) -> TicketView:
        """Copy what an operator wrote to the customer; notices in the topic when it fails.
        ``stored``: :meth:`read_and_store` stored the message already."""
        deps = self._deps
        first = parts[0]
        group = first.chat_id
        customer_chat = view.customer.chat_id
        ids = tuple(part.message_id for part in parts)
        if not stored:
            await self._store(view, parts, Direction.OPERATOR, once)  # before any network call
        anchor = await self._mapped_reply(first, group)
        result = await deps.outbox(CopyMessages(group, ids, customer_chat, reply_to=anchor))
        if isinstance(result, Failed) and result.reason is Failure.NOT_FOUND and anchor:
            result = await deps.outbox(CopyMessages(group, ids, customer_chat))
        if isinstance(result, Done):
            await self._link(view, group, ids, customer_chat, result)
            if view.ticket.first_reply_at is None:  # the view was read under the ticket's lock
                now, ticket_id = deps.clock.now(), view.ticket.id

                async def replied(uow: UnitOfWork) -> None:
                    await tickets.record_operator_reply(uow, ticket_id, now=now)

                await record(deps.uow, replied)  # with the link and the work's finish
            return view
        assert isinstance(result, Failed)
        if result.reason is Failure.BLOCKED and await self._board.customer_blocked(view):
            return view
        if result.reason is Failure.TOO_LONG:
            return await self._too_long(view, parts)
        view, _ = await self._board.post(
            view, self._t("desk_copy_failed", reason=result.reason.value), reply_to=first.message_id
        )
        return view

    async def _too_long(self, view: TicketView, parts: Sequence[MessageReceived]) -> TicketView:
        """Send the words as plain text; a file with an over-long caption gets a notice."""
        deps = self._deps
        for part in parts:
            body = body_of(part)
            if body:
                sent = await deps.outbox(SendText(view.customer.chat_id, escape(body)))
                if isinstance(sent, Done):
                    await self._link(
                        view, part.chat_id, (part.message_id,), view.customer.chat_id, sent
                    )
            if part.media is not None:
                notice = self._t("desk_caption_too_long", kind=part.media.kind)
                view, _ = await self._board.post(view, notice, reply_to=part.message_id)
        return view

    async def group_edited(self, view: TicketView, event: MessageEdited, once: Once) -> None:
        async with once.uow(replay=True) as uow:  # only reads
            links = await uow.relays.by_source(event.chat_id, event.message_id)
        lang = view.customer.language
        for link in links:
            if event.text is not None:
                action: EditText | SendText = EditText(
                    link.target_chat_id, link.target_message_id, escape(event.text)
                )
            elif event.caption is not None:
                edited = self._deps.texts(lang, "desk_edited", text=escape(event.caption))
                action = SendText(link.target_chat_id, edited, reply_to=link.target_message_id)
            else:
                continue
            result = await self._deps.outbox(action)
            if isinstance(result, Failed) and result.reason is Failure.BLOCKED:
                await self._board.customer_blocked(view)
                return

    # ------------------------------------------------------------------ storage
    async def _mapped_reply(self, event: MessageReceived, chat_id: int) -> int | None:
        """The counterpart, on the other side, of the message ``event`` replies to."""
        if event.reply_to_message_id is None:
            return None
        async with self._deps.uow() as uow:
            link = await uow.relays.by_target(chat_id, event.reply_to_message_id)
            if link is not None:
                return link.source_message_id
            copies = await uow.relays.by_source(chat_id, event.reply_to_message_id)
        return copies[0].target_message_id if copies else None

    async def _link(
        self,
        view: TicketView,
        source_chat: int,
        source_ids: tuple[int, ...],
        target_chat: int | None,
        result: Result,
    ) -> None:
        if target_chat is None or not isinstance(result, Done):
            return
        links = [
            RelayLink(view.ticket.id, source_chat, source_id, target_chat, target_id)
            for source_id, target_id in zip(source_ids, result.message_ids, strict=False)
        ]
        # deferred: written with the handling's next unit of work or its end (bot/core/sender.py);
        # a link stored before a crash is kept as it was
        await record_links(self._deps.uow, links)

    async def _store(
        self,
        view: TicketView,
        parts: Sequence[MessageReceived],
        direction: Direction,
        once: Once,
        *,
        text_override: str | None = None,
    ) -> None:
        async with once.uow(replay=True) as uow:
            await self._store_in(uow, view, parts, direction, once, text_override=text_override)

    async def _store_in(
        self,
        uow: UnitOfWork,
        view: TicketView,
        parts: Sequence[MessageReceived],
        direction: Direction,
        once: Once,
        *,
        text_override: str | None = None,
    ) -> None:
        for part in parts:
            if once.resumed and await uow.messages.find(part.chat_id, part.message_id):
                continue  # stored before a crash stopped the handling
            await uow.messages.add(
                NewMessage(
                    conversation_id=view.ticket.conversation_id,
                    direction=direction,
                    chat_id=part.chat_id,
                    telegram_message_id=part.message_id,
                    text=text_override if text_override is not None else body_of(part),
                    created_at=self._deps.clock.now(),
                    ticket_id=view.ticket.id,
                    media_kind=part.media.kind if part.media else None,
                    media_file_id=part.media.file_id if part.media else None,
                    author_id=part.sender.telegram_id,
                    author_name=part.sender.name,
                )
            )

    async def read_and_store(
        self,
        ticket_id: int,
        parts: Sequence[MessageReceived],
        once: Once,
        *,
        topic: tuple[int, int] | None = None,
    ) -> tuple[TicketView | None, bool]:
        """An operator's message to relay: the ticket's view read (under the ticket's lock,
        which the caller holds) and, when the message is to be relayed as it is (the ticket is
        open and taken), the message stored, in one unit of work, the one that records the
        update. Returns the view and whether the message was stored.

        Otherwise that unit of work is rolled back, so the update is recorded with the first
        change its handling makes (the take of a waiting ticket), as bot/core/desk/once.py
        requires.

        ``topic`` (group, thread): ``ticket_id`` is only what that topic's ticket was; the ticket
        is read as the topic's newest and :class:`NotThisTicket` raised (nothing stored) when it
        is another one, so the topic's lookup costs no unit of work of its own."""
        view: TicketView | None = None
        try:
            async with once.uow(replay=True) as uow:
                if topic is None:
                    ticket = await uow.tickets.get(ticket_id)
                else:
                    ticket = await uow.tickets.by_topic(*topic)
                    if ticket is None or ticket.id != ticket_id:
                        raise NotThisTicket(topic)
                customer = await uow.customers.get(ticket.customer_id) if ticket else None
                if ticket is None or customer is None:
                    raise _NotAsItIs
                view = TicketView(ticket, customer)
                if not ticket.status.is_open or ticket.status is TicketStatus.WAITING:
                    raise _NotAsItIs  # a notice, or the take first: the usual way
                await self._store_in(uow, view, parts, Direction.OPERATOR, once)
        except _NotAsItIs:
            return view, False
        return view, True
