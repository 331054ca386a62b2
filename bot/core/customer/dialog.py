"""The customer dialog's entry points: one event, one unit of work, then the replies.

Each event runs in one unit of work; replies are sent after it commits (no transaction is held
open across a network call), then recorded with their Telegram ids in a second short one. The
operator desk hears about opened, cancelled and relayed tickets last.
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
from bot.core.survey_flow import SurveyFlow
from handoff import Direction, NewMessage, Ticket, UnitOfWork

__all__ = ["CustomerDialog"]

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
            if not await uow.updates.first_time(event.update_id, now=now):
                return  # a redelivered update: it was handled already
            turn = await self._start_turn(uow, event, now)
            await _store_incoming(uow, turn, event, now)
            # a customer has at most one open ticket, and it is their newest (handoff.tickets)
            last = await uow.tickets.last_for_customer(turn.customer.id)
            ticket = last if last is not None and last.status.is_open else None
            turn.ticket_id = ticket.id if ticket else None
            # the parts of an album are one message; a flood is stored and relayed, not answered
            if event.media_group_id is not None or await self._flood.admit(event.chat_id, now):
                relay = await self._decide(uow, event, turn, last)
            else:
                relay = ticket is not None
                if await self._flood.warn_once(event.chat_id):
                    turn.say(Reply(self._deps.texts(turn.lang, "slow_down")))
        if turn.reload_requested:
            turn.say(await reload_content(self._deps, turn.lang))
        if turn.gaps_days is not None:
            turn.say(await gaps_reply(self._deps, turn.gaps_days, turn.lang))
        await self._deliver(turn)
        if turn.survey_comment is not None:
            await self._survey.announce_comment(turn.survey_comment, event)
        if relay and turn.ticket_id is not None:
            await self._desk.customer_message(turn.ticket_id, event)
        await self._tell_desk(turn)

    async def edited(self, event: MessageEdited) -> None:
        async with self._deps.uow() as uow:
            if not await uow.updates.first_time(event.update_id, now=self._deps.clock.now()):
                return
            customer = await uow.customers.get_by_telegram_id(event.sender.telegram_id)
            ticket = await uow.tickets.open_for_customer(customer.id) if customer else None
        if ticket is not None:
            await self._desk.customer_edited(ticket.id, event)

    async def membership(self, event: MembershipChanged) -> None:
        async with self._deps.uow() as uow:
            if not await uow.updates.first_time(event.update_id, now=self._deps.clock.now()):
                return
            customer = await uow.customers.get_by_telegram_id(event.sender.telegram_id)
            if customer is None:
                return
            await uow.customers.set_blocked(customer.id, event.blocked)
            ticket = await uow.tickets.open_for_customer(customer.id)
        if ticket is not None:
            await self._desk.customer_reachability(ticket.id, event.blocked)

    async def button(self, event: ButtonPressed) -> None:
        now = self._deps.clock.now()
        payload = cb.decode(event.data)
        if isinstance(payload, _SURVEY_BUTTONS):
            await self._survey.button(event, payload)  # records the update with the answer
            return
        async with self._deps.uow() as uow:
            if not await uow.updates.first_time(event.update_id, now=now):
                return
            turn = await self._start_turn(uow, event, now)
            await _store_press(uow, self._deps, turn, payload, now)
            notice = await press(uow, self._deps, turn, event, payload)
        await self._deps.outbox(AnswerButton(event.callback_id, text=notice))
        if turn.add_example is not None:
            decision_id, intent_id = turn.add_example
            turn.say(await add_example_reply(self._deps, decision_id, intent_id, turn.lang))
        await self._deliver(turn)
        await self._tell_desk(turn)

    # ------------------------------------------------------------------ deciding
    async def _decide(
        self, uow: UnitOfWork, event: MessageReceived, turn: Turn, last: Ticket | None
    ) -> bool:
        """Decide the replies; True if the message is for the operator (relay it). ``last`` is
        the customer's newest ticket."""
        deps = self._deps
        if event.command is not None:
            await run_command(uow, deps, turn, event, event.command)
            return False
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
    ) -> Turn:
        config = self._deps.config
        code = (event.sender.language_code or "").split("-")[0].lower()
        customer = await uow.customers.upsert(
            telegram_id=event.sender.telegram_id,
            chat_id=event.chat_id,
            name=event.sender.name,
            username=event.sender.username,
            language=code if code in config.languages else config.default_language,
            now=now,
        )
        if customer.blocked:  # they wrote, so they can be reached again
            await uow.customers.set_blocked(customer.id, False)
        conversation = await uow.conversations.current(
            customer.id, now=now, idle_after_s=int(config.idle_after.total_seconds())
        )
        turn = Turn(customer=customer, conversation_id=conversation.id)
        follow_language(turn, config.languages)  # the language their messages switched to
        return turn

    # ------------------------------------------------------------------ after the commit
    async def _deliver(self, turn: Turn) -> None:
        outbox = self._deps.outbox
        for chat_id, message_id in turn.strip:
            await outbox(EditKeyboard(chat_id, message_id, ()))
        sent: list[tuple[Reply, int | None]] = []
        blocked = False
        deps = self._deps
        for reply in turn.replies:
            if not reply.text:
                continue
            if HOURS in reply.text:  # an answer that names the working hours gets the configured
                text = with_hours(reply.text, deps.hours, deps.texts, turn.lang, deps.clock.now())
                reply = replace(reply, text=text)
            result = await outbox(SendText(turn.customer.chat_id, reply.text, reply.keyboard))
            if isinstance(result, Failed) and result.reason is Failure.BLOCKED:
                blocked = True
                break
            sent.append((reply, _first_id(result)))
        if not sent and not blocked:
            return
        async with self._deps.uow() as uow:
            now = self._deps.clock.now()
            for reply, sent_id in sent:
                await uow.messages.add(
                    NewMessage(
                        conversation_id=turn.conversation_id,
                        direction=Direction.BOT,
                        chat_id=turn.customer.chat_id,
                        telegram_message_id=sent_id,
                        text=reply.recorded_text,
                        created_at=now,
                        ticket_id=turn.ticket_id,
                    )
                )
            if blocked:
                await uow.customers.set_blocked(turn.customer.id, True)

    async def _tell_desk(self, turn: Turn) -> None:
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
        )
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
        )
    )


def _first_id(result: Result) -> int | None:
    return result.message_ids[0] if isinstance(result, Done) and result.message_ids else None
