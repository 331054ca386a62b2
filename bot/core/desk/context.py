"""What the operator should know about the customer, shown on the ticket's card under the
ticket's own rows: their category, their earlier tickets with outcome and CSAT, and the order
number they gave in the conversation. Read from storage each time the card is drawn."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.deps import Deps
from bot.core.desk.cards import escape
from handoff import Customer, Direction, StoredMessage, Ticket, categorize, earlier_tickets

__all__ = ["ORDER_NUMBER", "customer_context", "order_number"]

# "VM-220931", "48213": what the shop's order numbers look like in customers' words
ORDER_NUMBER = re.compile(r"\b[A-Za-z]{1,4}-\d{4,}\b|\b\d{5,}\b")
EARLIER_SHOWN = 3


def order_number(history: Sequence[StoredMessage]) -> str | None:
    """The last order number the customer wrote in the conversation."""
    for message in reversed(history):
        if message.direction is Direction.CUSTOMER and message.text:
            found = ORDER_NUMBER.findall(message.text)
            if found:
                return str(found[-1]).upper()
    return None


async def customer_context(deps: Deps, ticket: Ticket, customer: Customer, lang: str) -> list[str]:
    """The card's context lines (Telegram HTML), in the desk's language."""
    texts = deps.texts
    async with deps.uow() as uow:
        history = await uow.messages.for_conversation(ticket.conversation_id)
        earlier = await earlier_tickets(uow, customer.id, before=ticket.id)
        surveys = {t.id: await uow.surveys.get(t.id) for t in earlier[:EARLIER_SHOWN]}
    said = [m.text for m in history if m.direction is Direction.CUSTOMER and m.text]
    category = categorize(deps.config.categories, customer.telegram_id, len(earlier), said)
    known = texts.by_lang.get(texts.default, {})
    shown = texts(lang, f"category_{category}") if f"category_{category}" in known else category
    lines = [f"<b>{escape(texts(lang, 'card_category'))}:</b> {escape(shown)}"]
    if earlier:
        items = []
        for previous in earlier[:EARLIER_SHOWN]:
            item = f"#{previous.id} {texts(lang, f'card_status_{previous.status.value}')}"
            survey = surveys.get(previous.id)
            if survey is not None and survey.csat is not None:
                item += " · " + texts(lang, "card_csat", score=survey.csat)
            items.append(escape(item))
        more = f" (+{len(earlier) - EARLIER_SHOWN})" if len(earlier) > EARLIER_SHOWN else ""
        lines.append(f"<b>{escape(texts(lang, 'card_earlier'))}:</b> {'; '.join(items)}{more}")
    order = order_number(history)
    if order is not None:
        lines.append(f"<b>{escape(texts(lang, 'card_order'))}:</b> {escape(order)}")
    return lines
