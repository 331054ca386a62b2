"""Answer templates in a ticket's topic: ``/t`` lists them as buttons with a preview, filled
for this ticket in the customer's language; one tap sends the filled text to the customer.

The templates are files (:mod:`kb.templates`) read at each ``/t`` and each tap, so an edited
file is live at once. A tap on a ticket nobody has yet takes it, like writing to the customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.core.actions import Button, Done, Failed, Failure, Keyboard, SendText
from bot.core.deps import Deps
from bot.core.desk.callbacks import SendTemplate, encode_desk
from bot.core.desk.cards import escape
from bot.core.desk.context import order_number
from bot.core.desk.lifecycle import Lifecycle, Reply, first_name, took_here
from bot.core.desk.once import Once
from bot.core.desk.topics import Board
from bot.core.events import Person
from bot.core.views import TicketView
from handoff import Direction, NewMessage, TicketStatus, tickets
from kb import LANGS, Lang, Template, collect_templates, fill, missing_values

__all__ = ["Templates"]

PREVIEW = 90  # characters of each template shown above the buttons


def _lang(code: str) -> Lang:
    return next((known for known in LANGS if known == code), LANGS[0])


class Templates:
    def __init__(self, deps: Deps, board: Board, lifecycle: Lifecycle) -> None:
        self._deps = deps
        self._board = board
        self._life = lifecycle

    def _t(self, key: str, **params: object) -> str:
        return self._deps.texts(self._board.lang, key, **params)

    def _for(self, lang: Lang) -> list[Template]:
        folder: Path | None = self._deps.config.templates_dir
        found, _ = collect_templates(folder) if folder else ({}, [])
        return sorted((t for t in found.values() if t.lang == lang), key=lambda t: t.title)

    async def _values(self, view: TicketView, operator: Person) -> Mapping[str, str | None]:
        async with self._deps.uow() as uow:
            history = await uow.messages.for_conversation(view.ticket.conversation_id)
        return {
            "name": first_name(Person(view.customer.telegram_id, view.customer.name)),
            "ticket": str(view.ticket.id),
            "order": order_number(history),
            "operator": first_name(operator),
        }

    async def list(self, view: TicketView, operator: Person, reply: Reply) -> None:
        """``/t``: the templates in the customer's language, previewed, one button each."""
        lang = _lang(view.customer.language)
        found = self._for(lang)
        if not found:
            await self._life.answer(reply, self._t("desk_templates_none", language=lang))
            return
        values = await self._values(view, operator)
        lines = [self._t("desk_templates_title", ticket=view.ticket.id, language=lang)]
        rows: list[tuple[Button, ...]] = []
        for number, template in enumerate(found, 1):
            missing = missing_values(template, values)
            if missing:
                text = self._t("desk_template_needs", fields=", ".join(missing))
            else:
                text = fill(template, values)
            preview = " ".join(text.split())
            preview = preview if len(preview) <= PREVIEW else preview[: PREVIEW - 1] + "…"
            lines.append(f"{number}. <b>{escape(template.title)}</b> — {escape(preview)}")
            data = encode_desk(SendTemplate(view.ticket.id, template.id))
            if data is not None:
                rows.append((Button(f"{number}. {template.title}", data=data),))
        keyboard: Keyboard = tuple(rows)
        assert reply.chat_id is not None
        await self._deps.outbox(
            SendText(reply.chat_id, "\n".join(lines), keyboard, reply.thread_id, reply.message_id)
        )

    async def send(
        self, ticket_id: int, template_id: str, operator: Person, reply: Reply, once: Once
    ) -> None:
        """A template's button: fill it for the ticket and send it to the customer."""
        view = await self._board.view(ticket_id)
        if view is None or not view.ticket.status.is_open:
            key = "desk_not_found" if view is None else "desk_is_closed"
            await once.record()
            await self._life.answer(reply, self._t(key, ticket=ticket_id), alert=True)
            return
        lang = _lang(view.customer.language)
        template = next((t for t in self._for(lang) if t.id == template_id), None)
        values = await self._values(view, operator)
        missing = missing_values(template, values) if template else []
        if template is None or missing:
            await once.record()
            text = (
                self._t("desk_template_gone", template=template_id)
                if template is None
                else self._t("desk_template_missing", fields=", ".join(missing))
            )
            await self._life.answer(reply, text, alert=True)
            return
        # resumed: the take this tap made before a crash owes its notice, before the template
        if view.ticket.status is TicketStatus.WAITING or took_here(ticket_id):
            if await self._life.take(ticket_id, operator, Reply(), once) is None:
                return  # someone else has it: they were told
            view = await self._board.view(ticket_id) or view
        await once.record()
        text = escape(fill(template, values))
        sent = await self._deps.outbox(SendText(view.customer.chat_id, text))
        if not isinstance(sent, Done):
            reason = sent.reason.value if isinstance(sent, Failed) else "?"
            await self._life.answer(reply, self._t("desk_copy_failed", reason=reason), alert=True)
            if isinstance(sent, Failed) and sent.reason is Failure.BLOCKED:
                await self._board.customer_blocked(view)
            return
        sent_id = sent.message_ids[0] if sent.message_ids else None
        async with self._deps.uow() as uow:
            if sent_id is None or not await uow.messages.find(view.customer.chat_id, sent_id):
                await uow.messages.add(  # not stored yet (a resumed handling may have)
                    NewMessage(
                        conversation_id=view.ticket.conversation_id,
                        direction=Direction.OPERATOR,
                        chat_id=view.customer.chat_id,
                        telegram_message_id=sent_id,
                        text=fill(template, values),
                        created_at=self._deps.clock.now(),
                        ticket_id=ticket_id,
                        author_id=operator.telegram_id,
                        author_name=operator.name,
                    )
                )
            await tickets.record_operator_reply(uow, ticket_id, now=self._deps.clock.now())
        await self._life.answer(reply, self._t("desk_template_sent", title=escape(template.title)))
        notice = self._t(
            "desk_template_posted",
            operator=escape(operator.name),
            title=escape(template.title),
            text=text,
        )
        await self._board.post(view, notice)
