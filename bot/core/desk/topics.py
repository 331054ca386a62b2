"""Where a ticket lives in the operator group: its topic (or its card, without topics).

:class:`Board` opens the place (topic, card, transcript), posts and copies into it, keeps the
card up to date, and recovers when an operator deleted the topic: a new topic, the card and the
transcript again, and the action that failed is retried there. Everything it needs is read from
storage each time, so a restarted process carries on where the last one stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.actions import (
    Action,
    CloseTopic,
    CopyMessages,
    CreateTopic,
    Done,
    EditText,
    Failed,
    Failure,
    Keyboard,
    ReopenTopic,
    Result,
    SendText,
)
from bot.core.deps import Deps
from bot.core.desk.cards import card_keyboard, card_text, topic_name, transcript_chunks
from bot.core.desk.context import customer_context
from bot.core.hours_text import with_hours
from bot.core.split import TEXT_LIMIT
from bot.core.views import TicketView
from handoff import Direction, NewMessage, StoredMessage, TicketChanges

__all__ = ["Board"]

COPY_LIMIT = 100  # message ids per copyMessages call


def _since_last_customer_turn(history: Sequence[StoredMessage]) -> Sequence[StoredMessage]:
    """From the customer's last message (the one that reopened the ticket) to the end."""
    for index in range(len(history) - 1, -1, -1):
        if history[index].direction is Direction.CUSTOMER:
            return history[index:]
    return ()


class Board:
    def __init__(self, deps: Deps) -> None:
        self._deps = deps
        self.lang = deps.config.desk_lang

    # ------------------------------------------------------------------ lookups
    def group_for_line(self, line: int) -> int:
        config = self._deps.config
        return config.line_groups.get(line) or config.operator_group_id

    def desk_chats(self) -> frozenset[int]:
        config = self._deps.config
        groups = {config.operator_group_id, *config.line_groups.values()}
        return frozenset(group for group in groups if group)

    async def view(self, ticket_id: int) -> TicketView | None:
        async with self._deps.uow() as uow:
            ticket = await uow.tickets.get(ticket_id)
            customer = await uow.customers.get(ticket.customer_id) if ticket else None
        if ticket is None or customer is None:
            return None
        return TicketView(ticket, customer)

    async def _save(self, view: TicketView, changes: TicketChanges) -> TicketView:
        async with self._deps.uow() as uow:
            ticket = await uow.tickets.update(view.ticket.id, changes)
        return TicketView(ticket, view.customer)

    # ------------------------------------------------------------------ the place
    async def open(self, view: TicketView, *, group: int | None = None) -> TicketView:
        """Topic (when used), card and transcript for a ticket that has none in ``group``."""
        deps = self._deps
        group = group or view.ticket.group_chat_id or self.group_for_line(view.ticket.line)
        topic: int | None = None
        if deps.config.use_topics:
            made = await deps.outbox(CreateTopic(group, topic_name(view.ticket, view.customer)))
            topic = made.thread_id if isinstance(made, Done) else None
        place = TicketChanges(group_chat_id=group, topic_id=topic, card_message_id=None)
        view = await self._save(view, place)
        card = await deps.outbox(
            SendText(group, await self._card(view), self._keyboard(view), thread_id=topic)
        )
        if isinstance(card, Done) and card.message_ids:
            view = await self._save(view, TicketChanges(card_message_id=card.message_ids[0]))
        async with deps.uow() as uow:
            history = await uow.messages.for_conversation(view.ticket.conversation_id)
        heading = deps.texts(self.lang, "desk_transcript", ticket=view.ticket.id)
        await self._post_history(view, history, heading)
        return view

    async def reopen(self, view: TicketView) -> TicketView:
        """A reopened ticket continues in its own topic (reopened) or under its card, with only
        what the customer wrote since; a topic that is gone gets a new place and the whole
        transcript."""
        deps = self._deps
        ticket = view.ticket
        notice = deps.texts(self.lang, "desk_reopened_notice", ticket=ticket.id)
        reusable = view.placed and (ticket.topic_id is None or deps.config.use_topics)
        if reusable and ticket.topic_id is not None:
            assert ticket.group_chat_id is not None
            result = await deps.outbox(ReopenTopic(ticket.group_chat_id, ticket.topic_id))
            reusable = isinstance(result, Done)
        if not reusable:
            view = await self.open(view)
            await self.post(view, notice)
            return view
        view = await self.refresh_card(view)
        async with deps.uow() as uow:
            history = await uow.messages.for_conversation(ticket.conversation_id)
        await self._post_history(view, _since_last_customer_turn(history), notice)
        return view

    async def _post_history(
        self, view: TicketView, history: Sequence[StoredMessage], heading: str
    ) -> None:
        """The messages as transcript chunks under ``heading``, then copies of the customer's
        photos and files among them (the transcript only names them)."""
        deps = self._deps
        chunks = transcript_chunks(history, view.customer, deps.texts, self.lang, deps.hours.zone)
        if not chunks:
            chunks = [heading]
        elif len(heading) + 1 + len(chunks[0]) <= TEXT_LIMIT:
            # the heading rides with the first chunk: the group allows ~20 messages/min
            chunks[0] = f"{heading}\n{chunks[0]}"
        else:
            chunks.insert(0, heading)
        for chunk in chunks:
            await self.place_text(view, chunk)
        media = tuple(
            m.telegram_message_id
            for m in history
            if m.direction is Direction.CUSTOMER
            and m.media_file_id is not None
            and m.telegram_message_id is not None
        )
        group = view.ticket.group_chat_id
        for start in range(0, len(media), COPY_LIMIT):
            if group is None:
                break
            await deps.outbox(
                CopyMessages(
                    view.customer.chat_id,
                    media[start : start + COPY_LIMIT],
                    group,
                    view.ticket.topic_id,
                    None if view.ticket.topic_id else view.ticket.card_message_id,
                )
            )

    async def recover(self, view: TicketView) -> TicketView:
        """The topic was deleted: open the ticket again in a new topic of the same group."""
        view = await self.open(view)
        await self.place_text(
            view, self._deps.texts(self.lang, "desk_topic_recreated", ticket=view.ticket.id)
        )
        return view

    async def place_text(self, view: TicketView, text: str) -> Result | None:
        """Post into the place as it is now, without opening or recovering it (None: no place)."""
        ticket = view.ticket
        if ticket.group_chat_id is None:
            return None
        return await self._deps.outbox(
            SendText(
                ticket.group_chat_id,
                text,
                thread_id=ticket.topic_id,
                reply_to=None if ticket.topic_id else ticket.card_message_id,
            )
        )

    async def _in_place(
        self, view: TicketView, make: Callable[[TicketView], Action]
    ) -> tuple[TicketView, Result]:
        if not view.placed:
            view = await self.open(view)
        result = await self._deps.outbox(make(view))
        if isinstance(result, Failed) and result.reason is Failure.THREAD_NOT_FOUND:
            view = await self.recover(view)
            result = await self._deps.outbox(make(view))
        return view, result

    async def post(
        self,
        view: TicketView,
        text: str,
        keyboard: Keyboard = (),
        *,
        reply_to: int | None = None,
    ) -> tuple[TicketView, Result]:
        """Post into the ticket's topic (or under its card); recovers a deleted topic."""

        def make(v: TicketView) -> SendText:
            assert v.ticket.group_chat_id is not None
            anchor = reply_to or (None if v.ticket.topic_id else v.ticket.card_message_id)
            return SendText(v.ticket.group_chat_id, text, keyboard, v.ticket.topic_id, anchor)

        view, result = await self._in_place(view, make)
        if isinstance(result, Failed) and result.reason is Failure.NOT_FOUND:
            # the message replied to is gone: post without the reply
            view, result = await self._in_place(
                view,
                lambda v: SendText(v.ticket.group_chat_id or 0, text, keyboard, v.ticket.topic_id),
            )
        return view, result

    async def copy_in(
        self, view: TicketView, message_ids: tuple[int, ...], *, reply_to: int | None = None
    ) -> tuple[TicketView, Result]:
        """Copy the customer's messages into the ticket's place."""

        def make(v: TicketView) -> CopyMessages:
            assert v.ticket.group_chat_id is not None
            anchor = reply_to or (None if v.ticket.topic_id else v.ticket.card_message_id)
            return CopyMessages(
                view.customer.chat_id,
                message_ids,
                v.ticket.group_chat_id,
                v.ticket.topic_id,
                anchor,
            )

        return await self._in_place(view, make)

    async def refresh_card(self, view: TicketView, *, buttons: bool = True) -> TicketView:
        """Edit the card to the ticket's state; a deleted card is posted again."""
        ticket = view.ticket
        if not view.placed:
            return view
        assert ticket.group_chat_id is not None
        assert ticket.card_message_id is not None
        keyboard = self._keyboard(view) if buttons else ()
        text = await self._card(view)
        result = await self._deps.outbox(
            EditText(ticket.group_chat_id, ticket.card_message_id, text, keyboard)
        )
        if isinstance(result, Failed) and result.reason is Failure.NOT_FOUND:
            view, posted = await self.post(view, text, keyboard)
            if isinstance(posted, Done) and posted.message_ids:
                view = await self._save(view, TicketChanges(card_message_id=posted.message_ids[0]))
        return view

    async def close_topic(self, view: TicketView) -> None:
        ticket = view.ticket
        if ticket.group_chat_id is not None and ticket.topic_id is not None:
            await self._deps.outbox(CloseTopic(ticket.group_chat_id, ticket.topic_id))

    async def _card(self, view: TicketView) -> str:
        """The ticket's rows, then what the desk knows of the customer."""
        deps = self._deps
        text = card_text(view.ticket, view.customer, deps.texts, self.lang, deps.hours.zone)
        context = await customer_context(deps, view.ticket, view.customer, self.lang)
        return "\n".join([text, *context])

    def _keyboard(self, view: TicketView) -> Keyboard:
        return card_keyboard(view.ticket, self._deps.texts, self.lang)

    # ------------------------------------------------------------------ the customer side
    async def tell_customer(
        self, view: TicketView, text: str, keyboard: Keyboard = (), *, notice: bool = True
    ) -> Result:
        """Send a bot message to the customer and store it; a block is recorded (and, with
        ``notice``, posted in the ticket's place)."""
        deps = self._deps
        lang = view.customer.language
        text = with_hours(text, deps.hours, deps.texts, lang, deps.clock.now())
        result = await deps.outbox(SendText(view.customer.chat_id, text, keyboard))
        sent_id = result.message_ids[0] if isinstance(result, Done) and result.message_ids else None
        async with deps.uow() as uow:
            if isinstance(result, Done) and (
                sent_id is None or not await uow.messages.find(view.customer.chat_id, sent_id)
            ):  # a resumed handling reads the send back: stored already, maybe
                await uow.messages.add(
                    NewMessage(
                        conversation_id=view.ticket.conversation_id,
                        direction=Direction.BOT,
                        chat_id=view.customer.chat_id,
                        telegram_message_id=sent_id,
                        text=text,
                        created_at=deps.clock.now(),
                        ticket_id=view.ticket.id,
                    )
                )
        if isinstance(result, Failed) and result.reason is Failure.BLOCKED:
            if notice and view.placed:
                await self.customer_blocked(view)
            else:
                async with deps.uow() as uow:
                    await uow.customers.set_blocked(view.customer.id, True)
        return result

    async def customer_blocked(self, view: TicketView, *, announce: bool = False) -> bool:
        """Mark the customer unreachable and tell the topic, once: False (and no notice) if the
        customer was already marked, unless ``announce`` (Telegram just said they blocked us)."""
        async with self._deps.uow() as uow:
            stored = await uow.customers.get(view.customer.id)
            if stored is not None and stored.blocked and not announce:
                return False
            await uow.customers.set_blocked(view.customer.id, True)
        await self.post(view, self._deps.texts(self.lang, "blocked_notice"))
        return True
