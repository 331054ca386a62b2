"""Thin aiogram routers: every update becomes a plain event for the core; nothing else happens here.

Built by a factory that receives what it needs (STYLE: routers from a factory, filters at router
level): customers are private chats; operators are the configured operator groups.
"""

from __future__ import annotations

from collections.abc import Iterable

from aiogram import F, Router
from aiogram.types import CallbackQuery, ChatMemberUpdated, Message, Update

from bot.core import SupportCore
from bot.runtime.aiogram.convert import to_event

__all__ = ["build_routers"]


def build_routers(core: SupportCore, operator_chats: Iterable[int]) -> list[Router]:
    async def forward(event_update: Update) -> None:
        event = to_event(event_update)
        if event is not None:
            await core.handle(event)

    async def on_message(message: Message, event_update: Update) -> None:
        await forward(event_update)

    async def on_callback(query: CallbackQuery, event_update: Update) -> None:
        await forward(event_update)

    async def on_member(change: ChatMemberUpdated, event_update: Update) -> None:
        await forward(event_update)

    customers = Router(name="customers")
    private = F.chat.type == "private"
    customers.message.filter(private)
    customers.edited_message.filter(private)
    customers.my_chat_member.filter(private)
    customers.message.register(on_message)
    customers.edited_message.register(on_message)
    customers.callback_query.register(on_callback, F.message.chat.type == "private")
    customers.my_chat_member.register(on_member)

    operators = Router(name="operators")
    chats = {chat for chat in operator_chats if chat}
    in_group = F.chat.id.in_(chats)
    operators.message.filter(in_group)
    operators.edited_message.filter(in_group)
    operators.message.register(on_message)
    operators.edited_message.register(on_message)
    operators.callback_query.register(on_callback, F.message.chat.id.in_(chats))
    return [customers, operators]
