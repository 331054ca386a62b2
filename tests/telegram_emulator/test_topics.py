"""Forum topics and ``message_thread_id``, through both clients."""

from __future__ import annotations

import pytest
import telegram
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest

from telegram_emulator import ControlError, TelegramEmulator


async def test_topic_lifecycle_with_aiogram(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    op1, op2 = tg.add_user("Olga"), tg.add_user("Pavel")
    group = tg.add_supergroup("Support", forum=True, members=[op2], admins=[op1])
    topic = await aiogram_bot.create_forum_topic(group.id, "Ticket #1 Alice")
    thread = topic.message_thread_id
    card = await aiogram_bot.send_message(group.id, "New ticket", message_thread_id=thread)
    assert card.is_topic_message
    assert card.message_thread_id == thread
    assert card.reply_to_message is not None
    assert card.reply_to_message.forum_topic_created

    note = await op2.send_in_topic(group, thread, "I'll take it")
    assert note.thread_id == thread
    update = (await aiogram_bot.get_updates())[-1]
    assert update.message is not None
    assert update.message.message_thread_id == thread
    assert update.message.is_topic_message

    assert await aiogram_bot.edit_forum_topic(group.id, thread, name="Ticket #1 [taken]")
    assert await aiogram_bot.close_forum_topic(group.id, thread)
    with pytest.raises(ControlError, match="closed"):
        await op2.send_in_topic(group, thread, "still here?")
    assert await aiogram_bot.reopen_forum_topic(group.id, thread)
    kinds = [m.kind for m in tg.messages(group.id, thread_id=thread)]
    assert kinds == [
        "forum_topic_created",
        "text",
        "text",
        "forum_topic_edited",
        "forum_topic_closed",
        "forum_topic_reopened",
    ]

    tg.delete_topic(group, thread)
    with pytest.raises(TelegramBadRequest, match="Bad Request: message thread not found"):
        await aiogram_bot.send_message(group.id, "anyone?", message_thread_id=thread)
    assert tg.messages(group.id, thread_id=thread) == []


async def test_topics_with_ptb_and_operator_reply(
    tg: TelegramEmulator, ptb_bot: telegram.Bot
) -> None:
    op = tg.add_user("Olga")
    group = tg.add_supergroup("Support", admins=[op])
    topic = await ptb_bot.create_forum_topic(group.id, "Ticket #2")
    sent = await ptb_bot.send_message(
        group.id,
        "Customer asks",
        message_thread_id=topic.message_thread_id,
        reply_markup=telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Take", callback_data="take:2")]]
        ),
    )
    reply = await op.reply(tg.messages(group.id)[-1], "on it")
    assert reply.thread_id == topic.message_thread_id
    assert reply.reply_to_message_id == sent.message_id
    query_id = await op.press("Take", group=group, thread_id=topic.message_thread_id)
    updates = await ptb_bot.get_updates()
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.data == "take:2"
    assert updates[-1].callback_query.id == query_id
    assert updates[-2].message is not None
    assert updates[-2].message.reply_to_message is not None


async def test_topic_errors(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    plain = tg.add_supergroup("Plain", forum=False)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await aiogram_bot.create_forum_topic(plain.id, "x")
    forum = tg.add_supergroup("Forum", bot_is_admin=False)
    with pytest.raises(TelegramBadRequest, match="not enough rights"):
        await aiogram_bot.create_forum_topic(forum.id, "x")
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await aiogram_bot.send_message(forum.id, "x", message_thread_id=777)
