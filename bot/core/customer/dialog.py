"""The customer dialog's entry points: one event, one unit of work, then the replies.

Each event runs in one unit of work, which also stores what is left to do after it (the replies,
the relay, the desk's news) as pending work (:mod:`bot.core.sender`); the replies are sent after
it commits (no transaction is held open across a network call), then recorded with their
Telegram ids in a second short one. The operator desk hears about opened, cancelled and relayed
tickets last. Work a crash interrupted is carried on by :meth:`CustomerDialog.resume`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core import callbacks as cb
from bot.core.actions import (
    AnswerButton,
    Done,
    EditKeyboard,
    Failed,
    Failure,
    Result,
    SendText,
)
from bot.core.customer.after import (
    AFTER_TURN,
    EDITED,
    REACHABILITY,
    AfterTurn,
    Edited,
    Reachability,
)
from bot.core.customer.buttons import press
from bot.core.customer.commands import run_command
from bot.core.customer.flood import FloodGate
from bot.core.customer.gaps import add_example_reply, gaps_reply
from bot.core.customer.questions import answer_question, reopen_if_recent
from bot.core.customer.turn import Turn
from bot.core.customer.understanding import follow_language
from bot.core.deps import Deps
from bot.core.events import ButtonPressed, MembershipChanged, MessageEdited, MessageReceived
from bot.core.hours_text import HOURS, with_hours
from bot.core.ports import Desk
from bot.core.reload import reload_content
from bot.core.replies import PRESSED, Reply, person_row, pressed_title
from bot.core.sender import Work, carry, record, record_messages, resuming, stage
from bot.core.survey_flow import SurveyFlow
from bot.core.views import TicketView
from handoff import Arriving, Direction, NewMessage, Ticket, UnitOfWork

__all__ = ["EDITED_KIND", "KINDS", "REACHABILITY_KIND", "TURN", "CustomerDialog"]

# the kinds of pending work this side stores (bot/core/sender.py)
TURN = "customer.turn"
EDITED_KIND = "customer.edited"
REACHABILITY_KIND = "customer.reachability"
KINDS = (TURN, EDITED_KIND, REACHABILITY_KIND)

_SURVEY_BUTTONS = (cb.Csat, cb.Solved, cb.SkipComment)


class CustomerDialog:
    def __init__(self, deps: Deps, desk: Desk, survey: SurveyFlow) -> None:
        self._deps = deps
        self._desk = desk
        self._survey = survey
        per_minute = deps.config.messages_per_minute
        self._flood = deps.shared.flood(per_minute) if deps.shared else FloodGate(per_minute)

    async def message(self, event: MessageReceived) -> None:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            started = await self._start_turn(uow, event, now)
            if started is None:
                return  # a redelivered update: it was handled already
            turn, last = started
            await _store_incoming(uow, turn, event, now)
            # a customer has at most one open ticket, and it is their newest (handoff.tickets)
            ticket = last if last is not None and last.status.is_open else None
            turn.ticket_id = ticket.id if ticket else None
            # the parts of an album are one message; a flood is stored and relayed, not answered
            if event.media_group_id is not None or await self._flood.admit(event.chat_id, now):
                relay = await self._decide(uow, event, turn, last)
            else:
                relay = ticket is not None
                if await self._flood.warn_once(event.chat_id):
                    turn.say(Reply(self._deps.texts(turn.lang, "slow_down")))
            await turn.save_state(uow)  # once, whatever the turn changed in it
            after = AfterTurn.of(turn, message=event, relay=relay)
            work = await _stage(uow, TURN, AFTER_TURN.dump_json(after), event.chat_id, now)
        carry(work)
        # the ticket and customer as read here: the desk need not read them again to relay
        await self.after_turn(after, TicketView(ticket, turn.customer) if ticket else None)

    async def after_turn(self, after: AfterTurn, view: TicketView | None = None) -> None:
        """Everything a message or a tap leaves to do after its commit (also when resumed);
        ``view``: the customer's open ticket as this handling's transaction read it."""
        replies = list(after.replies)
        if after.callback_id is not None:
            await self._deps.outbox(AnswerButton(after.callback_id, text=after.notice))
        if after.reload_requested:
            replies.append(await reload_content(self._deps, after.lang))
        if after.gaps_days is not None:
            replies.append(await gaps_reply(self._deps, after.gaps_days, after.lang))
        if after.add_example is not None:
            decision_id, intent_id = after.add_example
            replies.append(await add_example_reply(self._deps, decision_id, intent_id, after.lang))
        await self._deliver(after, replies)
        event = after.message
        if after.survey_comment is not None and event is not None:
            await self._survey.announce_comment(after.survey_comment, event)
        if after.relay and after.ticket_id is not None and event is not None:
            await self._desk.customer_message(after.ticket_id, event, view)
        await self._tell_desk(after)

    async def resume(self, kind: str, payload: str) -> None:
        """Carry on pending work of the customer side (:mod:`bot.core.sender`)."""
        if kind == TURN:
            await self.after_turn(AFTER_TURN.validate_json(payload))
        elif kind == EDITED_KIND:
            edited = EDITED.validate_json(payload)
            await self._desk.customer_edited(edited.ticket_id, edited.event)
        elif kind == REACHABILITY_KIND:
            change = REACHABILITY.validate_json(payload)
            await self._desk.customer_reachability(change.ticket_id, change.blocked)

    async def edited(self, event: MessageEdited) -> None:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            if not await uow.updates.first_time(event.update_id, now=now):
                return
            customer = await uow.customers.get_by_telegram_id(event.sender.telegram_id)
            ticket = await uow.tickets.open_for_customer(customer.id) if customer else None
            if ticket is None:
                return
            edited = Edited(ticket.id, event)
            work = await _stage(uow, EDITED_KIND, EDITED.dump_json(edited), event.chat_id, now)
        carry(work)
        await self._desk.customer_edited(ticket.id, event)

    async def membership(self, event: MembershipChanged) -> None:
        now = self._deps.clock.now()
        async with self._deps.uow() as uow:
            if not await uow.updates.first_time(event.update_id, now=now):
                return
            customer = await uow.customers.get_by_telegram_id(event.sender.telegram_id)
            if customer is None:
                return
            await uow.customers.set_blocked(customer.id, event.blocked)
            ticket = await uow.tickets.open_for_customer(customer.id)
            if ticket is None:
                return
            change = Reachability(ticket.id, event.blocked)
            work = await _stage(
                uow, REACHABILITY_KIND, REACHABILITY.dump_json(change), event.chat_id, now
            )
        carry(work)
        await self._desk.customer_reachability(ticket.id, event.blocked)

    async def button(self, event: ButtonPressed) -> None:
        now = self._deps.clock.now()
        payload = cb.decode(event.data)
        if isinstance(payload, _SURVEY_BUTTONS):
            await self._survey.button(event, payload)  # records the update with the answer
            return
        async with self._deps.uow() as uow:
            started = await self._start_turn(uow, event, now)
            if started is None:
                return  # a redelivered update
            turn, _ = started
            await _store_press(uow, self._deps, turn, payload, now)
            notice = await press(uow, self._deps, turn, event, payload)
            await turn.save_state(uow)  # once, whatever the turn changed in it
            after = AfterTurn.of(turn, callback_id=event.callback_id, notice=notice)
            work = await _stage(uow, TURN, AFTER_TURN.dump_json(after), event.chat_id, now)
        carry(work)
        await self.after_turn(after)

    # ------------------------------------------------------------------ deciding
    async def _decide(
        self, uow: UnitOfWork, event: MessageReceived, turn: Turn, last: Ticket | None
    ) -> bool:
        """Decide the replies; True if the message is for the operator (relay it). ``last`` is
        the customer's newest ticket."""
        deps = self._deps
        if event.command is not None:
            return await run_command(uow, deps, turn, event, event.command)
        if last is not None and last.status.is_open:
            return True  # an operator has it
        turn.survey_comment = await self._survey.store_comment(uow, event, turn.customer.state)
        if turn.survey_comment is not None:
            return False  # the answer to the survey's last question
        if last is not None and await reopen_if_recent(uow, deps, turn, event, last):
            return False  # the reopened ticket's new topic carries the whole conversation
        if event.text is None:
            kind = event.media.kind if event.media else "message"
            texts, lang = deps.texts, turn.lang
            turn.say(Reply(texts(lang, "media_ack", kind=kind), (person_row(texts, lang),)))
            return False
        await answer_question(uow, deps, turn, event.text)
        return False

    async def _start_turn(
        self, uow: UnitOfWork, event: MessageReceived | ButtonPressed, now: datetime
    ) -> tuple[Turn, Ticket | None] | None:
        """The update recorded, the customer and their conversation: the turn, with the
        customer's newest ticket; None for a redelivered update."""
        config = self._deps.config
        code = (event.sender.language_code or "").split("-")[0].lower()
        arrival = await uow.arrive(
            Arriving(
                update_id=event.update_id,
                telegram_id=event.sender.telegram_id,
                chat_id=event.chat_id,
                name=event.sender.name,
                username=event.sender.username,
                language=code if code in config.languages else config.default_language,
                now=now,
                idle_after_s=int(config.idle_after.total_seconds()),
            )
        )
        if arrival is None:
            return None
        customer = arrival.customer
        if customer.blocked:  # they wrote, so they can be reached again
            await uow.customers.set_blocked(customer.id, False)
        turn = Turn(customer=customer, conversation_id=arrival.conversation.id)
        follow_language(turn, config.languages)  # the language their messages switched to
        return turn, arrival.last_ticket

    # ------------------------------------------------------------------ after the commit
    async def _deliver(self, turn: AfterTurn, replies: list[Reply]) -> None:
        outbox = self._deps.outbox
        for chat_id, message_id in turn.strip:
            await outbox(EditKeyboard(chat_id, message_id, ()))
        sent: list[tuple[Reply, int | None]] = []
        blocked = False
        deps = self._deps
        for reply in replies:
            if not reply.text:
                continue
            if HOURS in reply.text:  # an answer that names the working hours gets the configured
                text = with_hours(reply.text, deps.hours, deps.texts, turn.lang, deps.clock.now())
                reply = replace(reply, text=text)
            result = await outbox(SendText(turn.chat_id, reply.text, reply.keyboard))
            if isinstance(result, Failed) and result.reason is Failure.BLOCKED:
                blocked = True
                break
            sent.append((reply, _first_id(result)))
        if not sent and not blocked:
            return
        now = self._deps.clock.now()
        messages = [
            NewMessage(
                conversation_id=turn.conversation_id,
                direction=Direction.BOT,
                chat_id=turn.chat_id,
                telegram_message_id=sent_id,
                text=reply.recorded_text,
                created_at=now,
                ticket_id=turn.ticket_id,
            )
            for reply, sent_id in sent
        ]
        resumed = resuming()
        if not resumed and not blocked:
            # with the work's finish, which the updates finishing together share
            await record_messages(self._deps.uow, messages)
            return

        async def store(uow: UnitOfWork) -> None:  # resumed, or the customer blocked the bot
            for message in messages:
                sent_id = message.telegram_message_id
                if (
                    resumed
                    and sent_id is not None
                    and await uow.messages.find(turn.chat_id, sent_id)
                ):
                    continue  # recorded before a crash stopped the work
                await uow.messages.add(message)
            if blocked:
                await uow.customers.set_blocked(turn.customer_id, True)

        await record(self._deps.uow, store)  # with the work's finish: one transaction

    async def _tell_desk(self, turn: AfterTurn) -> None:
        for ticket_id, kind in turn.opened:
            await self._desk.ticket_opened(ticket_id, kind)
        for ticket_id in turn.cancelled:
            await self._desk.ticket_cancelled(ticket_id)


async def _store_incoming(
    uow: UnitOfWork, turn: Turn, event: MessageReceived, now: datetime
) -> None:
    media = event.media
    await uow.messages.add(
        NewMessage(
            conversation_id=turn.conversation_id,
            direction=Direction.CUSTOMER,
            chat_id=event.chat_id,
            telegram_message_id=event.message_id,
            text=event.text if event.text is not None else (media.caption if media else None),
            created_at=now,
            media_kind=media.kind if media else None,
            media_file_id=media.file_id if media else None,
        ),
        touch=False,  # the turn's conversations.current moved last_message_at to now
    )


async def _store_press(
    uow: UnitOfWork, deps: Deps, turn: Turn, payload: cb.Callback | None, now: datetime
) -> None:
    """A pressed button goes into the transcript as the customer's ``[button]`` line."""
    title = pressed_title(payload, deps.brain.content, deps.texts, turn.lang)
    await uow.messages.add(
        NewMessage(
            conversation_id=turn.conversation_id,
            direction=Direction.CUSTOMER,
            chat_id=turn.customer.chat_id,
            telegram_message_id=None,
            text=title,
            created_at=now,
            media_kind=PRESSED,
        ),
        touch=False,  # the turn's conversations.current moved last_message_at to now
    )


async def _stage(uow: UnitOfWork, kind: str, payload: bytes, chat_id: int, now: datetime) -> Work:
    return await stage(uow, kind, payload.decode(), chat_id=chat_id, thread_id=None, now=now)


def _first_id(result: Result) -> int | None:
    return result.message_ids[0] if isinstance(result, Done) and result.message_ids else None
