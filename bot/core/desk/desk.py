"""The operator desk: the :class:`~bot.core.ports.Desk` the customer dialog and the runtime call.

Who is an operator: Telegram only tells membership through extra API calls, so anything that
happens *in* an operator group chat (the main group or a line group) counts as done by an operator
— the group's membership is the access list — and ``config.operator_ids`` are accepted anywhere.

Nothing needed to carry on lives in memory: the ticket of a topic, of a card and of a relayed
message is looked up in storage each time, so a restarted process continues the relay. In memory
are only per-ticket locks (keeping each ticket's messages in order), albums being collected
(their parts are kept as pending work meanwhile: :mod:`bot.core.desk.album_parts`), and which
ticket a topic had when last looked up: a hint only, so that an operator's message in a topic
takes the lock of its ticket before any unit of work; the unit of work that stores the message
reads the topic's ticket again and, if it is another one, the message is handled the usual way.

An operator's update is handled at least once, never twice: its id is recorded in the first unit
of work of its handling, with the first change it makes (:mod:`bot.core.desk.once`).
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress

from pydantic import TypeAdapter

from bot.core import callbacks as cb
from bot.core.actions import EditKeyboard
from bot.core.deps import Deps
from bot.core.desk.album_parts import ALBUM_PART, AlbumPart, AlbumParts, album_part
from bot.core.desk.albums import Albums
from bot.core.desk.callbacks import (
    ConfirmClose,
    KeepOpen,
    SendArticle,
    SendTemplate,
    decode_desk,
)
from bot.core.desk.cards import escape, topic_name
from bot.core.desk.commands import COMMANDS, ArticleFinder, Commands, StatsSource
from bot.core.desk.kb import BrainArticles
from bot.core.desk.lifecycle import Lifecycle, Reply, SurveyStarter, took_here
from bot.core.desk.once import DESK_EVENT, Once, Redelivered, stored_events
from bot.core.desk.outcome import changed_ticket, once_only
from bot.core.desk.relay import NotThisTicket, Relay, is_note
from bot.core.desk.reminders import remind_overdue
from bot.core.desk.tools import is_banned
from bot.core.desk.topics import Board
from bot.core.events import ButtonPressed, MessageEdited, MessageReceived, Person
from bot.core.locks import KeyedLocks
from bot.core.ports import Desk
from bot.core.sender import own_handling, resuming
from bot.core.views import TicketView
from handoff import OpenKind, RelayLink, TicketStatus, UnitOfWork

__all__ = ["OperatorDesk"]

# Telegram's service account (a linked channel's posts forwarded into the group), the account
# anonymous admins write as, and the one channels write as: none of them is a person.
NOT_PEOPLE = frozenset({777000, 1087968970, 136817688})

ORPHAN_NAME = re.compile(r"#(\d{1,18}) ")  # a topic named after a ticket (cards.topic_name)
TOPIC_HINTS = 10_000  # topics whose ticket is remembered (all forgotten past that)

log = logging.getLogger(__name__)

_CLAIMED = TypeAdapter(bool)


class OperatorDesk:
    def __init__(
        self,
        deps: Deps,
        start_survey: SurveyStarter,
        *,
        album_wait: float = 0.5,
        articles: ArticleFinder | None = None,
        stats: StatsSource | None = None,
    ) -> None:
        self._deps = deps
        self._board = Board(deps)
        shared = deps.shared
        self._locks = shared.ticket_order if shared else KeyedLocks()
        self._albums = shared.albums(album_wait) if shared else Albums(album_wait)
        self._parts = AlbumParts(deps)
        self._life = Lifecycle(deps, self._board, start_survey)
        self._relay = Relay(deps, self._board)
        self._topic_hints: dict[tuple[int, int], int] = {}  # (group, thread) → its ticket, a hint
        self._commands = Commands(
            deps, self._board, self._life, articles or BrainArticles(deps.brain), stats
        )

    @property
    def _enabled(self) -> bool:
        return bool(self._deps.config.operator_group_id)

    def is_operator(self, chat_id: int, person: Person) -> bool:
        """A person in an operator group (or a listed operator); never a bot, an anonymous
        admin, a channel, or Telegram's own account forwarding a linked channel's posts."""
        who = person.telegram_id
        if person.is_bot or who in NOT_PEOPLE or who <= 0:
            return False
        config = self._deps.config
        if config.only_operator_ids:
            return who in config.only_operator_ids
        return chat_id in self._board.desk_chats() or who in config.operator_ids

    async def drain(self) -> None:
        """Relay albums still being collected (call before shutdown; tests call it too)."""
        await self._albums.drain()

    # ------------------------------------------------------------------ from the customer side
    async def ticket_opened(self, ticket_id: int, kind: OpenKind) -> None:
        if not self._enabled:
            return
        async with self._locks.hold(ticket_id):
            view = await self._board.view(ticket_id)
            if view is None:
                return
            if kind is not OpenKind.REOPENED:
                # resumed: placing may have stopped after the card (the transcript not out);
                # the calls made already are read back, not made again (bot/core/sender.py)
                if not view.placed or resuming():
                    await self._board.open(view)
                return
            await self._board.reopen(view)

    async def ticket_cancelled(self, ticket_id: int) -> None:
        if not self._enabled:
            return
        async with self._locks.hold(ticket_id):
            view = await self._board.view(ticket_id)
            if view is None or not view.placed:
                return
            view = await self._board.refresh_card(view)
            notice = self._deps.texts(self._board.lang, "desk_cancelled_notice", ticket=ticket_id)
            view, _ = await self._board.post(view, notice)
            await self._board.close_topic(view)

    async def customer_message(
        self, ticket_id: int, event: MessageReceived, view: TicketView | None = None
    ) -> None:
        if not self._enabled:
            return
        if event.media_group_id is not None:
            if resuming():  # the album collected before a crash is gone: relay the part alone
                if not await self._parts.relayed(event):
                    await self._to_group(ticket_id, [event])
                return
            await self._parts.keep(ticket_id, event)  # a crash while collecting loses nothing
            await self._albums.add(ticket_id, event, self._customer_album)
            return
        await self._albums.flush_chat(event.chat_id, self._customer_album)
        await self._to_group(ticket_id, [event], view)

    async def _customer_album(self, ticket_id: int, parts: list[MessageReceived]) -> None:
        async with self._parts.relaying(parts):  # never the work of the update that flushed it
            await self._to_group(ticket_id, parts)

    async def _to_group(
        self, ticket_id: int, parts: list[MessageReceived], known: TicketView | None = None
    ) -> None:
        async with own_handling(self._deps.uow), self._locks.hold(ticket_id):
            if known is not None and self._relay.trusted(known, ticket_id):
                await self._relay.to_group(known, parts, hinted=True)  # not read again
                return
            view = await self._board.view(ticket_id)
            if view is not None and not is_banned(view.customer):  # stored, not relayed
                await self._relay.to_group(view, parts)

    async def customer_edited(self, ticket_id: int, event: MessageEdited) -> None:
        if not self._enabled:
            return
        async with self._locks.hold(ticket_id):
            view = await self._board.view(ticket_id)
            if view is not None and view.placed:
                await self._relay.customer_edited(view, event)

    async def customer_reachability(self, ticket_id: int, blocked: bool) -> None:
        if not self._enabled:
            return
        async with self._locks.hold(ticket_id):
            view = await self._board.view(ticket_id)
            if view is None:
                return
            if blocked:
                await self._board.customer_blocked(view, announce=True)
            else:
                async with self._deps.uow() as uow:
                    await uow.customers.set_blocked(view.customer.id, False)
                notice = self._deps.texts(self._board.lang, "desk_unblocked_notice")
                await self._board.post(view, notice)

    # ------------------------------------------------------------------ from the operator group
    def _once(self, *events: MessageReceived | MessageEdited | ButtonPressed) -> Once:
        return Once(self._deps, events)

    async def _ticket_of(
        self, chat_id: int, thread_id: int | None, reply_to: int | None
    ) -> int | None:
        """The ticket of a topic, of a card replied to, or of a relayed message replied to."""
        async with self._deps.uow() as uow:
            if thread_id is not None:
                ticket = await uow.tickets.by_topic(chat_id, thread_id)
                if ticket is not None:
                    self._hint(chat_id, thread_id, ticket.id)
                    return ticket.id
                adopted = await uow.relays.by_target(chat_id, thread_id)  # see _adopt
                if adopted is not None:
                    return adopted.ticket_id
            if reply_to is not None:
                ticket = await uow.tickets.by_card(chat_id, reply_to)
                if ticket is not None:
                    return ticket.id
                link = await uow.relays.by_target(chat_id, reply_to)
                if link is not None:
                    return link.ticket_id
                copies = await uow.relays.by_source(chat_id, reply_to)
                if copies:
                    return copies[0].ticket_id
        return None

    async def group_message(self, event: MessageReceived, ticket_id: int | None = None) -> None:
        """An operator's message; ``ticket_id``: its ticket is known already (resumed)."""
        if not self.is_operator(event.chat_id, event.sender):
            return
        topic = self._hinted(event) if ticket_id is None else None
        if topic is not None:  # a plain message in a topic looked up before: no lookup now
            ticket_id = self._topic_hints[topic]
        else:
            if ticket_id is None:
                ticket_id = await self._ticket_of(
                    event.chat_id, event.thread_id, event.reply_to_message_id
                )
            if ticket_id is None:
                ticket_id = await self._adopt(event)
            command = event.command
            if command in COMMANDS or (command not in (None, "note") and ticket_id is not None):
                await self._command(event, ticket_id)  # unknown ones in a ticket get the help
                return
            if ticket_id is None:
                return  # ordinary talk in the group
            if event.media_group_id is not None and not is_note(event):
                if resuming():  # a stored one-part album: no collecting, relay it now
                    await self._operator_album(ticket_id, [event])
                    return
                await self._parts.keep(ticket_id, event)  # a crash while collecting loses nothing
                await self._albums.add(ticket_id, event, self._operator_album_collected)
                return
        await self._albums.flush_chat(event.chat_id, self._operator_album_collected)
        once = self._once(event)
        stale = False  # the hint was not the topic's ticket (or that ticket resumes a take)
        with suppress(Redelivered):
            async with self._locks.hold(ticket_id):
                if event.command is None and not is_note(event) and not took_here(ticket_id):
                    # the hot path: the view read with the update's record and the message
                    try:
                        view, stored = await self._relay.read_and_store(
                            ticket_id, [event], once, topic=topic
                        )
                    except NotThisTicket:
                        stale = True  # nothing was stored
                    else:
                        if view is not None:
                            await self._to_customer(view, [event], once, stored=stored)
                elif topic is not None:
                    stale = True
                else:
                    view = await self._board.view(ticket_id)
                    if view is None:
                        return
                    if is_note(event):
                        await self._relay.note(view, event, once)
                    elif event.command is None:
                        await self._to_customer(view, [event], once)
        if stale and topic is not None:
            self._topic_hints.pop(topic, None)
            await self.group_message(event)  # the usual way: the topic's ticket looked up

    def _hint(self, chat_id: int, thread_id: int, ticket_id: int) -> None:
        if len(self._topic_hints) >= TOPIC_HINTS:
            self._topic_hints.clear()
        self._topic_hints[(chat_id, thread_id)] = ticket_id

    def _hinted(self, event: MessageReceived) -> tuple[int, int] | None:
        """The topic of an operator's plain message whose ticket was looked up before (a hint
        only: :meth:`Relay.read_and_store` reads the topic's ticket again under its lock)."""
        if event.thread_id is None or event.command is not None or event.media_group_id:
            return None
        topic = (event.chat_id, event.thread_id)
        if topic not in self._topic_hints or is_note(event):
            return None
        return topic

    async def _adopt(self, event: MessageReceived) -> int | None:
        """A topic the bot created but whose id a crash kept it from storing (an orphan): when
        it is named after one of the bot's tickets, link it to that ticket, so what is written
        there is relayed and the desk's commands work there too. The link is a relay link
        whose target is the topic's first message (its id is the topic's id)."""
        if event.thread_id is None or not event.topic_name:
            return None
        number = ORPHAN_NAME.match(event.topic_name)
        if number is None:
            return None
        view = await self._board.view(int(number.group(1)))
        if view is None or view.ticket.group_chat_id not in (None, event.chat_id):
            return None
        if topic_name(view.ticket, view.customer) != event.topic_name:
            return None
        chat, thread = event.chat_id, event.thread_id
        async with self._deps.uow() as uow:
            if await uow.relays.by_target(chat, thread) is None:
                await uow.relays.add(RelayLink(view.ticket.id, chat, thread, chat, thread))
        log.info("topic %s of chat %s adopted by ticket %s", thread, chat, view.ticket.id)
        return view.ticket.id

    async def _command(self, event: MessageReceived, ticket_id: int | None) -> None:
        once = self._once(event)
        with suppress(Redelivered):
            if ticket_id is None:
                await self._commands.run(event, None, once)
                return
            async with self._locks.hold(ticket_id):
                await self._commands.run(event, await self._board.view(ticket_id), once)

    async def _operator_album_collected(self, ticket_id: int, parts: list[MessageReceived]) -> None:
        async with self._parts.relaying(parts):  # the kept parts are finished with the album
            await self._operator_album(ticket_id, parts)

    async def _operator_part(self, part: AlbumPart) -> None:
        """A part of an operator's album kept before a crash (resumed): relayed on its own,
        unless its album's handling recorded it (that handling's own work relays the album).
        Recording its update here, with the outcome, also stops a redelivery of it."""
        event, ticket_id = part.event, part.ticket_id
        once = self._once(event)

        async def claim(uow: UnitOfWork) -> bool:
            return await uow.updates.first_time(event.update_id, now=self._deps.clock.now())

        with suppress(Redelivered):
            async with self._locks.hold(ticket_id):
                if not await once_only(once, f"album-part:{ticket_id}", _CLAIMED, claim):
                    return
                view = await self._board.view(ticket_id)
                if view is not None:
                    await self._to_customer(view, [event], once)

    async def _operator_album(self, ticket_id: int, parts: list[MessageReceived]) -> None:
        async with own_handling(self._deps.uow):  # collected apart from the update's handling
            once = self._once(*parts)
            with suppress(Redelivered):
                async with self._locks.hold(ticket_id):
                    view = await self._board.view(ticket_id)
                    if view is not None:
                        await self._to_customer(view, parts, once)

    async def _to_customer(
        self, view: TicketView, parts: list[MessageReceived], once: Once, *, stored: bool = False
    ) -> None:
        """Relay an operator's message; an open ticket nobody has is taken by its writer."""
        ticket = view.ticket
        first = parts[0]
        if not ticket.status.is_open:
            await once.record()
            notice = self._deps.texts(self._board.lang, "desk_closed_not_sent", ticket=ticket.id)
            await self._board.post(view, notice, reply_to=first.message_id)
            return
        # resumed: the take this message made before a crash owes its notices, sent first
        if ticket.status is TicketStatus.WAITING or took_here(ticket.id):
            await self._life.take(ticket.id, first.sender, Reply(), once)
            view = await self._board.view(ticket.id) or view
        await self._relay.to_customer(view, parts, once, stored=stored)

    async def group_edit(self, event: MessageEdited) -> None:
        if not self.is_operator(event.chat_id, event.sender):
            return
        ticket_id = await self._ticket_of(event.chat_id, event.thread_id, None)
        if ticket_id is None:
            async with self._deps.uow() as uow:
                links = await uow.relays.by_source(event.chat_id, event.message_id)
            ticket_id = links[0].ticket_id if links else None
        if ticket_id is None:
            return
        with suppress(Redelivered):
            async with self._locks.hold(ticket_id):
                view = await self._board.view(ticket_id)
                if view is not None:
                    await self._relay.group_edited(view, event, self._once(event))

    async def group_button(self, event: ButtonPressed) -> None:
        reply = Reply(callback_id=event.callback_id)
        if not self.is_operator(event.chat_id, event.sender):
            await self._life.answer(
                reply, self._deps.texts(self._board.lang, "desk_not_operator"), alert=True
            )
            return
        once = self._once(event)
        with suppress(Redelivered):
            await self._button(event, reply, once)

    async def _button(self, event: ButtonPressed, reply: Reply, once: Once) -> None:
        life = self._life
        payload = decode_desk(event.data) or cb.decode(event.data)
        match payload:
            case cb.TakeTicket(ticket_id):
                async with self._locks.hold(ticket_id):
                    await life.take(ticket_id, event.sender, reply, once)
            case cb.CloseTicket(ticket_id):
                async with self._locks.hold(ticket_id):
                    await life.close(ticket_id, event.sender, reply, once, ask=True)
            case ConfirmClose(ticket_id):
                await once.record()  # first: removing the buttons is a step of its work
                await self._strip(event)
                async with self._locks.hold(ticket_id):
                    await life.close(ticket_id, event.sender, reply, once)
            case SendTemplate(ticket_id, template_id):
                async with self._locks.hold(ticket_id):
                    await self._commands.templates.send(
                        ticket_id, template_id, event.sender, reply, once
                    )
            case KeepOpen(ticket_id):
                await once.record()
                await life.answer(reply, self._deps.texts(self._board.lang, "desk_kept_open"))
                await self._strip(event)
            case cb.Escalate(ticket_id):
                async with self._locks.hold(ticket_id):
                    await life.escalate(ticket_id, None, event.sender, reply, once)
            case SendArticle(ticket_id, article_id):
                async with self._locks.hold(ticket_id):
                    await self._send_article(ticket_id, article_id, reply, once)
            case _:
                await once.record()
                await life.answer(reply)

    async def _strip(self, event: ButtonPressed) -> None:
        """Remove the buttons of the message pressed (a question answered once)."""
        if event.message_id is not None:
            await self._deps.outbox(EditKeyboard(event.chat_id, event.message_id, ()))

    async def _send_article(
        self, ticket_id: int, article_id: str, reply: Reply, once: Once
    ) -> None:
        view = await self._board.view(ticket_id)
        lang = view.customer.language if view else self._board.lang
        rendered = self._commands.render_article(article_id, lang)
        await once.record()  # storing the article sent needs its message id: after the send
        if view is None or rendered is None:
            await self._life.answer(
                reply,
                self._deps.texts(self._board.lang, "desk_not_found", ticket=ticket_id),
                alert=True,
            )
            return
        if not view.ticket.status.is_open:
            await self._life.answer(
                reply,
                self._deps.texts(self._board.lang, "desk_is_closed", ticket=ticket_id),
                alert=True,
            )
            return
        title, body = rendered
        await self._life.answer(
            reply, self._deps.texts(self._board.lang, "desk_kb_sent", title=escape(title))
        )
        await self._board.tell_customer(view, body)

    # ------------------------------------------------------------------ resumed work
    async def resume(self, kind: str, payload: str) -> None:
        """Handle an operator's update again after a crash stopped its work: the calls made
        already are not made again (:mod:`bot.core.desk.once`)."""
        if not self._enabled:
            return
        if kind == ALBUM_PART:
            part = album_part(payload)
            if not part.event.private:
                await self._operator_part(part)
            elif not await self._parts.relayed(part.event):
                await self._to_group(part.ticket_id, [part.event])
            return
        if kind != DESK_EVENT:
            return
        stored = stored_events(payload)
        if stored.button is not None:
            await self.group_button(stored.button)
        elif stored.edit is not None:
            await self.group_edit(stored.edit)
        elif len(stored.messages) == 1:
            # a ticket the handling changed may have moved out of the message's topic
            await self.group_message(stored.messages[0], changed_ticket())
        elif stored.messages:
            first = stored.messages[0]
            ticket_id = await self._ticket_of(first.chat_id, first.thread_id, None)
            if ticket_id is not None:
                await self._operator_album(ticket_id, list(stored.messages))

    # ------------------------------------------------------------------ timers
    async def remind_overdue(self) -> int:
        """Post an SLA reminder for every ticket waiting longer than ``config.sla`` (once per
        period); returns how many. The runtime calls it periodically."""
        if not self._enabled:
            return 0
        return await remind_overdue(self._deps, self._board, self._locks)


def _conforms(desk: OperatorDesk) -> Desk:
    return desk  # mypy checks the desk against the port here
