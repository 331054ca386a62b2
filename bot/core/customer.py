"""The customer's side of the conversation: events in, replies out, every message stored.

Each event runs in one unit of work; replies are sent after it commits (no transaction is held
open across a network call), then recorded with their Telegram ids in a second short one.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core import callbacks as cb
from bot.core.actions import (
    AnswerButton,
    Button,
    Done,
    EditKeyboard,
    Failed,
    Failure,
    Result,
    SendText,
)
from bot.core.deps import Deps
from bot.core.events import ButtonPressed, MembershipChanged, MessageEdited, MessageReceived
from bot.core.handoff_flow import HandoffRequest, hand_off
from bot.core.ports import Desk
from bot.core.replies import (
    Choice,
    Reply,
    answer_article,
    answer_intent,
    clarify,
    person_row,
    topics_menu,
)
from bot.core.survey_flow import SurveyFlow
from handoff.model import Customer, Direction, NewMessage, Priority, TicketStatus
from handoff.ports import UnitOfWork
from handoff.survey import SurveyState, SurveyStep
from intents import Lang

__all__ = ["CustomerDialog"]

HUMAN_REQUEST = "human_request"
_SMALL_TALK = frozenset({"greeting", "thanks", "goodbye"})


@dataclass
class _Outgoing:
    """Replies decided inside the transaction, sent after it."""

    customer: Customer
    conversation_id: int
    replies: list[Reply] = field(default_factory=list)
    after: list[tuple[str, int, str]] = field(default_factory=list)  # (desk call, ticket, kind)
    strip: list[tuple[int, int]] = field(default_factory=list)  # keyboards to remove
    survey_comment: bool = False  # the message answers the survey's comment question
    ticket_id: int | None = None


class CustomerDialog:
    def __init__(self, deps: Deps, desk: Desk, survey: SurveyFlow) -> None:
        self._deps = deps
        self._desk = desk
        self._survey = survey
        self._recent: dict[int, deque[datetime]] = defaultdict(deque)
        self._warned: set[int] = set()

    # ------------------------------------------------------------------ entry points
    async def message(self, event: MessageReceived) -> None:
        now = self._deps.clock.now()
        if self._flooding(event.chat_id, now):
            await self._slow_down(event)
            return
        async with self._deps.uow() as uow:
            if not await uow.updates.first_time(event.update_id, now=now):
                return
            customer, conversation_id = await self._customer(uow, event, now)
            stored_text = (
                event.text
                if event.text is not None
                else (event.media.caption if event.media else None)
            )
            await uow.messages.add(
                NewMessage(
                    conversation_id=conversation_id,
                    direction=Direction.CUSTOMER,
                    chat_id=event.chat_id,
                    telegram_message_id=event.message_id,
                    text=stored_text,
                    created_at=now,
                    media_kind=event.media.kind if event.media else None,
                    media_file_id=event.media.file_id if event.media else None,
                )
            )
            out = _Outgoing(customer, conversation_id)
            ticket = await uow.tickets.open_for_customer(customer.id)
            if ticket is not None:
                out.ticket_id = ticket.id
            await self._decide(uow, event, out, relay_to=ticket.id if ticket else None)
        await self._deliver(out)
        if out.survey_comment:
            await self._survey.comment(event, dict(out.customer.state))
        if out.ticket_id is not None and not out.after and not _is_command(event):
            await self._desk.customer_message(out.ticket_id, event)
        for call, ticket_id, kind in out.after:
            if call == "opened":
                await self._desk.ticket_opened(ticket_id, kind)
            elif call == "cancelled":
                await self._desk.ticket_cancelled(ticket_id)

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
        if isinstance(payload, cb.Csat | cb.Solved | cb.SkipComment):
            async with self._deps.uow() as uow:
                if not await uow.updates.first_time(event.update_id, now=now):
                    return
            await self._survey.button(event, payload)
            return
        async with self._deps.uow() as uow:
            if not await uow.updates.first_time(event.update_id, now=now):
                return
            customer, conversation_id = await self._customer(uow, event, now)
            out = _Outgoing(customer, conversation_id)
            notice = await self._on_button(uow, event, payload, out, now)
        await self._deps.outbox(AnswerButton(event.callback_id, text=notice))
        await self._deliver(out)
        for call, ticket_id, kind in out.after:
            if call == "opened":
                await self._desk.ticket_opened(ticket_id, kind)

    # ------------------------------------------------------------------ decisions
    async def _decide(
        self, uow: UnitOfWork, event: MessageReceived, out: _Outgoing, *, relay_to: int | None
    ) -> None:
        customer = out.customer
        lang = customer.language
        texts = self._deps.texts
        command = event.command
        if command is not None:
            await self._command(uow, event, command, out)
            return
        if relay_to is not None:
            return  # an operator has the dialog: the message is relayed after the commit
        if event.text is not None and _awaiting_comment(customer):
            out.survey_comment = True  # stored after this transaction, by the survey flow
            return
        if await self._reopen_if_recent(uow, event, out):
            return
        if event.text is None:
            kind = event.media.kind if event.media else "message"
            out.replies.append(
                Reply(texts(lang, "media_ack", kind=kind), (person_row(texts, lang),))
            )
            return
        await self._answer_text(uow, event.text, out)

    async def _reopen_if_recent(
        self, uow: UnitOfWork, event: MessageReceived, out: _Outgoing
    ) -> bool:
        """Writing again soon after a close reopens the ticket (a "thanks" or "bye" does not)."""
        last = await uow.tickets.last_for_customer(out.customer.id)
        if last is None or last.status is not TicketStatus.RESOLVED or last.resolved_at is None:
            return False
        if self._deps.clock.now() - last.resolved_at > self._deps.config.reopen_window:
            return False
        if event.text is not None:
            decision = self._deps.brain.decide(event.text)
            if decision.action == "answer" and decision.intent_id in _SMALL_TALK:
                return False
        await self._hand_off(
            uow, out, subject=last.subject, intent_id=last.intent, score=last.confidence
        )
        return True

    async def _answer_text(self, uow: UnitOfWork, text: str, out: _Outgoing) -> None:
        deps = self._deps
        customer = out.customer
        brain = deps.brain
        decision = brain.decide(
            text, _lang(customer.language) if customer.language_chosen else None
        )
        lang = self._reply_language(customer, decision.lang)
        if lang != customer.language and not customer.language_chosen:
            await uow.customers.set_language(customer.id, lang)
            customer = out.customer = _with_language(customer, lang)
        intent_id = decision.intent_id
        record = await uow.decisions.add(
            conversation_id=out.conversation_id,
            text=text,
            language=lang,
            action=decision.action,
            intent=intent_id,
            article=decision.article,
            score=float(decision.score),
            now=deps.clock.now(),
        )
        content = brain.content
        state = dict(customer.state)
        if intent_id == HUMAN_REQUEST:
            await self._hand_off(uow, out, subject=text, intent_id=None, score=decision.score)
            return
        intent = content.intents.get(intent_id) if intent_id is not None else None
        answered = decision.action == "answer" or (
            decision.action == "handoff" and intent is not None
        )
        if answered:
            state["misses"] = 0
            await uow.customers.save_state(customer.id, state)
            if intent is not None:
                out.replies.append(
                    answer_intent(content, intent, lang, deps.texts, decision_id=record.id)
                )
                if intent.always_handoff or decision.action == "handoff":
                    await self._hand_off(
                        uow, out, subject=text, intent_id=intent.id, score=decision.score
                    )
                return
            if decision.article is not None:
                article = answer_article(
                    content, decision.article, lang, deps.texts, decision_id=record.id
                )
                if article is not None:
                    out.replies.append(article)
                    return
        if decision.action == "clarify":
            choices = [Choice(c.kind, c.id) for c in (decision.options or decision.candidates)]
            out.replies.append(clarify(content, choices[:3], lang, deps.texts))
            return
        misses = int(str(state.get("misses", 0))) + 1
        state["misses"] = misses
        await uow.customers.save_state(customer.id, state)
        threshold = deps.config.misses_before_handoff
        if misses > threshold:
            state["misses"] = 0
            await uow.customers.save_state(customer.id, state)
            await self._hand_off(uow, out, subject=text, intent_id=None, score=decision.score)
        elif misses == threshold:
            out.replies.append(
                Reply(
                    deps.texts(lang, "miss_offer"), (person_row(deps.texts, lang, rephrase=True),)
                )
            )
        else:
            menu = topics_menu(content, lang, deps.config.popular_intents)
            out.replies.append(
                Reply(
                    deps.texts(lang, "miss_first"), (*menu.keyboard, person_row(deps.texts, lang))
                )
            )

    async def _command(
        self, uow: UnitOfWork, event: MessageReceived, command: str, out: _Outgoing
    ) -> None:
        deps = self._deps
        texts = deps.texts
        customer = out.customer
        lang = customer.language
        match command:
            case "start":
                menu = topics_menu(deps.brain.content, lang, deps.config.popular_intents)
                first = event.sender.name.split()[0] if event.sender.name else ""
                out.replies.append(Reply(texts(lang, "start", name=_escape(first)), menu.keyboard))
            case "help":
                out.replies.append(Reply(texts(lang, "help")))
            case "operator" | "human" | "person":
                await self._hand_off(uow, out, subject="/operator", intent_id=None, score=None)
            case "language" | "lang":
                row = tuple(
                    Button(_LANG_NAMES.get(code, code), data=cb.encode(cb.Language(code)))
                    for code in deps.config.languages
                )
                out.replies.append(Reply(texts(lang, "language_prompt"), (row,)))
            case "cancel":
                ticket = await uow.tickets.open_for_customer(customer.id)
                if ticket is None:
                    out.replies.append(Reply(texts(lang, "nothing_to_cancel")))
                    return
                await uow.tickets.set_status(
                    ticket.id, TicketStatus.CANCELLED, now=deps.clock.now()
                )
                out.replies.append(Reply(texts(lang, "cancelled", ticket=ticket.id)))
                out.after.append(("cancelled", ticket.id, "cancelled"))
            case "reload":
                if event.sender.telegram_id not in deps.config.admin_ids:
                    out.replies.append(Reply(texts(lang, "not_admin")))
                    return
                out.replies.append(await self._reload(lang))
            case _:
                if out.ticket_id is None:
                    out.replies.append(Reply(texts(lang, "unknown_command")))

    async def _reload(self, lang: str) -> Reply:
        texts = self._deps.texts
        report = await self._deps.brain.reload()
        if report.ok:
            return Reply(texts(lang, "reload_ok", summary=_escape(report.summary())))
        problems = "\n".join(_escape(str(p)) for p in report.problems[:20])
        return Reply(texts(lang, "reload_failed", problems=problems))

    async def _on_button(
        self,
        uow: UnitOfWork,
        event: ButtonPressed,
        payload: cb.Callback | None,
        out: _Outgoing,
        now: datetime,
    ) -> str | None:
        deps = self._deps
        texts = deps.texts
        customer = out.customer
        lang = customer.language
        content = deps.brain.content
        match payload:
            case cb.ShowIntent(intent_id) if intent_id in content.intents:
                if intent_id == HUMAN_REQUEST:
                    await self._hand_off(uow, out, subject=intent_id, intent_id=None, score=None)
                    return None
                intent = content.intents[intent_id]
                record = await uow.decisions.add(
                    conversation_id=out.conversation_id,
                    text=f"[{intent_id}]",
                    language=lang,
                    action="answer",
                    intent=intent_id,
                    article=None,
                    score=1.0,
                    now=now,
                )
                out.replies.append(
                    answer_intent(content, intent, lang, texts, decision_id=record.id)
                )
                if intent.always_handoff:
                    await self._hand_off(
                        uow, out, subject=intent_id, intent_id=intent_id, score=1.0
                    )
            case cb.Article(article_id):
                record = await uow.decisions.add(
                    conversation_id=out.conversation_id,
                    text=f"[{article_id}]",
                    language=lang,
                    action="answer",
                    intent=None,
                    article=article_id,
                    score=1.0,
                    now=now,
                )
                reply = answer_article(content, article_id, lang, texts, decision_id=record.id)
                if reply is not None:
                    out.replies.append(reply)
            case cb.Feedback(decision_id, helped):
                decision = await uow.decisions.set_feedback(decision_id, helped)
                if event.message_id is not None:
                    out.strip.append((event.chat_id, event.message_id))
                if helped:
                    await uow.conversations.mark_resolved_by_bot(out.conversation_id)
                    out.replies.append(Reply(texts(lang, "feedback_thanks")))
                    return None
                answered = (
                    content.intents.get(decision.intent)
                    if decision is not None and decision.intent
                    else None
                )
                if answered is not None and answered.line > 1:
                    await self._hand_off(
                        uow,
                        out,
                        subject=decision.text if decision else answered.id,
                        intent_id=answered.id,
                        score=decision.score if decision else None,
                    )
                    return None
                out.replies.append(
                    Reply(texts(lang, "not_helped"), (person_row(texts, lang, rephrase=True),))
                )
            case cb.Person():
                await self._hand_off(uow, out, subject="", intent_id=None, score=None)
            case cb.Rephrase():
                return texts(lang, "miss_first")
            case cb.Language(code) if code in deps.config.languages:
                await uow.customers.set_language(customer.id, code)
                out.customer = _with_language(customer, code)
                out.replies.append(Reply(texts(code, "language_set")))
            case _:
                return None
        return None

    # ------------------------------------------------------------------ hand-off
    async def _hand_off(
        self,
        uow: UnitOfWork,
        out: _Outgoing,
        *,
        subject: str,
        intent_id: str | None,
        score: float | None,
    ) -> None:
        content = self._deps.brain.content
        intent = content.intents.get(intent_id) if intent_id else None
        if not subject.strip() or subject.startswith("/"):
            subject = await _last_question(uow, out.conversation_id) or subject
        priority = Priority.parse(intent.priority) if intent else Priority.NORMAL
        request = HandoffRequest(
            customer=out.customer,
            conversation_id=out.conversation_id,
            priority=priority,
            line=intent.line if intent else 1,
            subject=_subject(intent, out.customer.language, subject),
            intent=intent_id,
            confidence=score,
        )
        result = await hand_off(uow, self._deps, request)
        out.replies.append(result.reply)
        out.ticket_id = result.ticket.id
        if result.kind in ("new", "reopened"):
            out.after.append(("opened", result.ticket.id, result.kind))

    # ------------------------------------------------------------------ plumbing
    async def _customer(
        self, uow: UnitOfWork, event: MessageReceived | ButtonPressed, now: datetime
    ) -> tuple[Customer, int]:
        config = self._deps.config
        code = (event.sender.language_code or "").split("-")[0].lower()
        language = code if code in config.languages else config.default_language
        customer = await uow.customers.upsert(
            telegram_id=event.sender.telegram_id,
            chat_id=event.chat_id,
            name=event.sender.name,
            username=event.sender.username,
            language=language,
            now=now,
        )
        if customer.blocked:
            await uow.customers.set_blocked(customer.id, False)
        conversation = await uow.conversations.current(
            customer.id, now=now, idle_after_s=int(config.idle_after.total_seconds())
        )
        return customer, conversation.id

    def _reply_language(self, customer: Customer, detected: str) -> str:
        if customer.language_chosen or detected not in self._deps.config.languages:
            return customer.language
        return detected

    async def _deliver(self, out: _Outgoing) -> None:
        sent: list[tuple[Reply, int | None]] = []
        blocked = False
        for chat_id, keyboard_message in out.strip:
            await self._deps.outbox(EditKeyboard(chat_id, keyboard_message, ()))
        for reply in out.replies:
            if not reply.text:
                continue
            result = await self._deps.outbox(
                SendText(out.customer.chat_id, reply.text, reply.keyboard)
            )
            if isinstance(result, Failed) and result.reason is Failure.BLOCKED:
                blocked = True
                break
            sent.append((reply, _first_id(result)))
        if not sent and not blocked:
            return
        async with self._deps.uow() as uow:
            now = self._deps.clock.now()
            for reply, message_id in sent:
                await uow.messages.add(
                    NewMessage(
                        conversation_id=out.conversation_id,
                        direction=Direction.BOT,
                        chat_id=out.customer.chat_id,
                        telegram_message_id=message_id,
                        text=reply.text,
                        created_at=now,
                        ticket_id=out.ticket_id,
                    )
                )
            if blocked:
                await uow.customers.set_blocked(out.customer.id, True)

    def _flooding(self, chat_id: int, now: datetime) -> bool:
        window = self._recent[chat_id]
        window.append(now)
        while window and now - window[0] > timedelta(minutes=1):
            window.popleft()
        if len(window) <= self._deps.config.messages_per_minute:
            self._warned.discard(chat_id)
            return False
        return True

    async def _slow_down(self, event: MessageReceived) -> None:
        if event.chat_id in self._warned:
            return
        self._warned.add(event.chat_id)
        lang = event.sender.language_code or self._deps.config.default_language
        lang = lang if lang in self._deps.config.languages else self._deps.config.default_language
        await self._deps.outbox(SendText(event.chat_id, self._deps.texts(lang, "slow_down")))


_LANG_NAMES = {"ru": "Русский", "en": "English"}


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def _first_id(result: Result) -> int | None:
    return result.message_ids[0] if isinstance(result, Done) and result.message_ids else None


def _lang(code: str) -> Lang:
    return "ru" if code == "ru" else "en"


def _with_language(customer: Customer, lang: str) -> Customer:
    from dataclasses import replace

    return replace(customer, language=lang)


def _subject(intent: object | None, lang: str, fallback: str) -> str:
    if intent is not None:
        titles = getattr(intent, "title", {})
        return str(titles.get(lang) or getattr(intent, "id", fallback))
    return fallback.strip()[:60] or "—"


def _is_command(event: MessageReceived) -> bool:
    return event.command is not None


async def _last_question(uow: UnitOfWork, conversation_id: int) -> str | None:
    """The customer's last words that were not a command: the best subject for a ticket."""
    for message in reversed(await uow.messages.for_conversation(conversation_id)):
        if (
            message.direction is Direction.CUSTOMER
            and message.text
            and not message.text.startswith("/")
        ):
            return message.text
    return None


def _awaiting_comment(customer: Customer) -> bool:
    survey = SurveyState.from_state(customer.state)
    return survey is not None and survey.step is SurveyStep.COMMENT
