"""Messages, edits, buttons and blocking, driven by the real aiogram and PTB clients."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from telegram_emulator import ControlError, TelegramEmulator


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs]
    )


async def test_conversation_with_buttons_through_aiogram_polling(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    dp = Dispatcher()

    @dp.message(F.text == "/start")
    async def start(message: Message) -> None:
        await message.answer("Hi! Pick one", reply_markup=keyboard(("Orders", "menu:orders")))

    @dp.callback_query(F.data == "menu:orders")
    async def orders(query: CallbackQuery) -> None:
        await query.answer("Loading")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Your orders: none")

    alice = tg.add_user("Alice", language_code="en")
    polling = asyncio.create_task(dp.start_polling(aiogram_bot, handle_signals=False))
    try:
        await alice.send("/start")
        [greeting] = await tg.wait_for_bot_messages(alice.chat_id)
        assert greeting.text == "Hi! Pick one"
        assert greeting.button_texts == ["Orders"]
        query_id = await alice.press("Orders")
        answer = await tg.wait_for_callback_answer(query_id)
        assert answer.text == "Loading"
        await tg.wait_for_calls("editMessageText")
    finally:
        await dp.stop_polling()
        await polling
    [shown_user, shown_bot] = tg.messages(alice.chat_id)
    assert shown_user.text == "/start"
    assert not shown_user.from_bot
    assert shown_bot.text == "Your orders: none"
    assert shown_bot.edited
    assert shown_bot.buttons == ()
    start_update = tg.updates[0]["message"]
    assert start_update["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


async def test_callback_query_is_answered_once(tg: TelegramEmulator, ptb_bot: telegram.Bot) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    await ptb_bot.send_message(
        alice.chat_id,
        "choose",
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Yes", callback_data="yes")]]
        ),
    )
    query_id = await alice.press("yes")
    assert await ptb_bot.answer_callback_query(query_id, text="ok")
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)query is too old"):
        await ptb_bot.answer_callback_query(query_id)
    with pytest.raises(ControlError, match="no bot message"):
        await alice.press("No")


async def test_private_chat_rules(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice = tg.add_user("Alice")
    with pytest.raises(TelegramForbiddenError, match="can't initiate conversation"):
        await aiogram_bot.send_message(alice.chat_id, "hello?")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await aiogram_bot.send_message(42, "hello?")
    await alice.send("hi")
    sent = await aiogram_bot.send_message(alice.chat_id, "hello", reply_to_message_id=1)
    assert sent.message_id == 2
    assert sent.reply_to_message is not None
    assert sent.chat.type == "private"
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await aiogram_bot.send_message(alice.chat_id, "x", reply_to_message_id=99)


async def test_blocking_and_restarting(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    dp = Dispatcher()
    changes: list[str] = []

    @dp.my_chat_member()
    async def member(update: ChatMemberUpdated) -> None:
        changes.append(update.new_chat_member.status)

    alice = tg.add_user("Alice")
    await alice.send("hi")
    await alice.block_bot()
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await aiogram_bot.send_message(alice.chat_id, "are you there?")
    with pytest.raises(ControlError, match="blocked the bot"):
        await alice.send("x")
    await alice.restart_bot()
    await aiogram_bot.send_message(alice.chat_id, "welcome back")
    for update in await aiogram_bot.get_updates():
        await dp.feed_update(aiogram_bot, update)
    assert changes == ["kicked", "member"]
    assert [m.text for m in tg.messages(alice.chat_id)] == ["hi", "/start", "welcome back"]


async def test_edits_and_not_modified(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    sent = await aiogram_bot.send_message(
        alice.chat_id, "<b>Order</b> #1", parse_mode="HTML", reply_markup=keyboard(("A", "a"))
    )
    assert sent.text == "Order #1"
    assert sent.entities is not None
    assert sent.entities[0].type == "bold"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aiogram_bot.edit_message_reply_markup(
            chat_id=alice.chat_id, message_id=sent.message_id, reply_markup=keyboard(("A", "a"))
        )
    edited = await aiogram_bot.edit_message_reply_markup(
        chat_id=alice.chat_id, message_id=sent.message_id, reply_markup=keyboard(("B", "b"))
    )
    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await aiogram_bot.edit_message_text("x", chat_id=alice.chat_id, message_id=1)
    assert await aiogram_bot.delete_message(alice.chat_id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await aiogram_bot.delete_message(alice.chat_id, sent.message_id)
    user_edit = await alice.edit(text="hi again")
    assert user_edit.edited
    assert tg.updates[-1]["edited_message"]["text"] == "hi again"


async def test_size_limits(tg: TelegramEmulator, ptb_bot: telegram.Bot) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    await ptb_bot.send_message(alice.chat_id, "я" * 4096)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message is too long"):
        await ptb_bot.send_message(alice.chat_id, "я" * 4097)
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)button_data_invalid"):
        await ptb_bot.send_message(
            alice.chat_id,
            "x",
            reply_markup=telegram.InlineKeyboardMarkup(
                [[telegram.InlineKeyboardButton("big", callback_data="d" * 65)]]
            ),
        )
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)message text is empty"):
        await ptb_bot.send_message(alice.chat_id, "   ")
    with pytest.raises(telegram.error.BadRequest, match=r"(?i)can.t parse entities"):
        await ptb_bot.send_message(alice.chat_id, "<b>open", parse_mode="HTML")


async def test_copy_and_forward_between_chats(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice = tg.add_user("Alice")
    op = tg.add_user("Olga")
    group = tg.add_supergroup("Support", forum=False, admins=[op])
    sent = await alice.send("my parcel is late")
    copied = await aiogram_bot.copy_message(group.id, alice.chat_id, sent.message_id)
    forwarded = await aiogram_bot.forward_message(group.id, alice.chat_id, sent.message_id)
    assert forwarded.forward_origin is not None
    ids = await aiogram_bot.copy_messages(group.id, alice.chat_id, [sent.message_id])
    shown = tg.messages(group.id)
    assert [m.message_id for m in shown] == [
        copied.message_id,
        forwarded.message_id,
        ids[0].message_id,
    ]
    assert all(m.text == "my parcel is late" and m.from_bot for m in shown)
    assert "forward_origin" not in shown[0].raw
    assert await aiogram_bot.send_chat_action(group.id, "typing")


async def test_members_commands_and_chat_info(
    tg: TelegramEmulator, aiogram_bot: Bot, ptb_bot: telegram.Bot
) -> None:
    op1, op2, alice = tg.add_user("Olga"), tg.add_user("Pavel"), tg.add_user("Alice")
    group = tg.add_supergroup("Support", members=[op2], admins=[op1])
    admins = await aiogram_bot.get_chat_administrators(group.id)
    assert {a.user.id: a.status for a in admins} == {op1.id: "creator", tg.bot_id: "administrator"}
    member = await ptb_bot.get_chat_member(group.id, op2.id)
    assert member.status == "member"
    outsider = await ptb_bot.get_chat_member(group.id, alice.id)
    assert outsider.status == "left"
    bot_member = await ptb_bot.get_chat_member(group.id, tg.bot_id)
    assert isinstance(bot_member, telegram.ChatMemberAdministrator)
    assert bot_member.can_manage_topics
    chat = await aiogram_bot.get_chat(group.id)
    assert chat.is_forum
    assert chat.title == "Support"
    await aiogram_bot.set_my_commands(
        [aiogram_types_command("start", "Begin"), aiogram_types_command("help", "Help")]
    )
    commands = await ptb_bot.get_my_commands()
    assert [c.command for c in commands] == ["start", "help"]
    assert await ptb_bot.delete_my_commands()
    assert await aiogram_bot.get_my_commands() == []


def aiogram_types_command(command: str, description: str) -> object:
    from aiogram.types import BotCommand

    return BotCommand(command=command, description=description)
