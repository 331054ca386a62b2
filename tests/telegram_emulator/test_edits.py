"""Media and caption edits: ``editMessageMedia`` from both clients, a customer editing a file's
caption or replacing the file (Python and HTTP control API), and forum topic icons."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest
import telegram
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
)

from telegram_emulator import ControlError, TelegramEmulator
from tests.telegram_emulator.test_media import png

SPEAKING_HEAD = "5370870893004203704"


# --- editMessageMedia --------------------------------------------------------------------------
async def test_edit_message_media_replaces_the_file_and_the_caption(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    sent = await aiogram_bot.send_photo(
        alice.chat_id, BufferedInputFile(png(10, 10), "a.png"), caption="old"
    )
    assert sent.photo is not None

    uploaded = await aiogram_bot.edit_message_media(
        InputMediaPhoto(
            media=BufferedInputFile(png(30, 20), "b.png"), caption="<b>new</b>", parse_mode="HTML"
        ),
        chat_id=alice.chat_id,
        message_id=sent.message_id,
    )
    assert isinstance(uploaded, Message)
    assert uploaded.photo is not None
    assert (uploaded.photo[-1].width, uploaded.photo[-1].height) == (30, 20)
    assert uploaded.photo[-1].file_unique_id != sent.photo[-1].file_unique_id
    assert uploaded.caption == "new"
    assert uploaded.caption_entities is not None
    assert uploaded.caption_entities[0].type == "bold"
    assert uploaded.edit_date is not None
    assert tg.calls_to("editMessageMedia")[0].files  # the new file came as attach://

    renamed = await aiogram_bot.edit_message_media(
        InputMediaPhoto(media=uploaded.photo[-1].file_id, caption="newer"),
        chat_id=alice.chat_id,
        message_id=sent.message_id,
    )
    assert isinstance(renamed, Message)
    assert renamed.caption == "newer"
    assert renamed.caption_entities is None
    same_file = InputMediaPhoto(media=uploaded.photo[-1].file_id, caption="newer")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aiogram_bot.edit_message_media(
            same_file, chat_id=alice.chat_id, message_id=sent.message_id
        )

    as_document = await aiogram_bot.edit_message_media(
        InputMediaDocument(media=BufferedInputFile(b"%PDF-1.4", "invoice.pdf")),
        chat_id=alice.chat_id,
        message_id=sent.message_id,
    )
    assert isinstance(as_document, Message)
    assert as_document.photo is None
    assert as_document.document is not None
    assert as_document.document.file_name == "invoice.pdf"
    assert as_document.caption is None  # no caption given: the old one is gone
    [shown] = [m for m in tg.messages(alice.chat_id) if m.message_id == sent.message_id]
    assert shown.kind == "document"


async def test_edit_message_media_adds_a_file_to_a_text_message(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    text = await aiogram_bot.send_message(alice.chat_id, "see the picture")
    edited = await aiogram_bot.edit_message_media(
        InputMediaPhoto(media=BufferedInputFile(png(4, 4), "p.png"), caption="here"),
        chat_id=alice.chat_id,
        message_id=text.message_id,
    )
    assert isinstance(edited, Message)
    assert edited.text is None
    assert edited.photo is not None
    assert edited.caption == "here"


async def test_edit_message_media_refusals(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice = tg.add_user("Alice")
    own = await alice.send_photo(png(2, 2), caption="mine")
    photo = InputMediaPhoto(media=BufferedInputFile(png(3, 3), "p.png"))
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await aiogram_bot.edit_message_media(
            photo, chat_id=alice.chat_id, message_id=own.message_id
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await aiogram_bot.edit_message_media(photo, chat_id=alice.chat_id, message_id=999)
    bots = await aiogram_bot.send_photo(alice.chat_id, BufferedInputFile(png(2, 2), "b.png"))
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await aiogram_bot.edit_message_media(
            InputMediaPhoto(media="NO_SUCH_FILE"), chat_id=alice.chat_id, message_id=bots.message_id
        )

    album = await aiogram_bot.send_media_group(
        alice.chat_id,
        [
            InputMediaPhoto(media=BufferedInputFile(png(5, 5), "1.png")),
            InputMediaPhoto(media=BufferedInputFile(png(6, 6), "2.png")),
        ],
    )
    with pytest.raises(TelegramBadRequest, match="album"):
        await aiogram_bot.edit_message_media(
            InputMediaAudio(media=BufferedInputFile(b"ID3", "a.mp3")),
            chat_id=alice.chat_id,
            message_id=album[0].message_id,
        )
    to_video = await aiogram_bot.edit_message_media(
        InputMediaVideo(media=BufferedInputFile(b"\x00\x00\x00\x18ftypmp42", "v.mp4")),
        chat_id=alice.chat_id,
        message_id=album[1].message_id,
    )
    assert isinstance(to_video, Message)
    assert to_video.video is not None
    assert to_video.media_group_id == album[1].media_group_id


async def test_edit_message_media_with_ptb(tg: TelegramEmulator, ptb_bot: telegram.Bot) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    sent = await ptb_bot.send_document(alice.chat_id, b"v1", filename="v1.txt", caption="first")
    edited = await ptb_bot.edit_message_media(
        telegram.InputMediaDocument(b"v2", filename="v2.txt", caption="second"),
        chat_id=alice.chat_id,
        message_id=sent.message_id,
    )
    assert isinstance(edited, telegram.Message)
    assert edited.document is not None
    assert edited.document.file_name == "v2.txt"
    assert edited.caption == "second"


# --- a customer edits a caption or replaces a file ---------------------------------------------
async def test_a_customer_edits_a_caption_and_replaces_a_file(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    alice = tg.add_user("Alice")
    photo = await alice.send_photo(png(8, 8), caption="the box")
    await alice.send("and a text")
    edited = await alice.edit_caption(photo, "the broken box")
    assert edited.edited
    assert edited.caption == "the broken box"
    replaced = await alice.edit_media(photo, data=b"%PDF", kind="document", caption="receipt")
    assert replaced.kind == "document"
    assert replaced.caption == "receipt"
    removed = await alice.edit_caption(photo, None)
    assert removed.caption is None

    updates = [u for u in await aiogram_bot.get_updates() if u.edited_message is not None]
    captions = [u.edited_message.caption for u in updates if u.edited_message is not None]
    assert captions == ["the broken box", "receipt", None]
    first = updates[0].edited_message
    assert first is not None
    assert first.photo is not None
    assert first.message_id == photo.message_id
    assert first.edit_date is not None
    last = updates[1].edited_message
    assert last is not None
    assert last.document is not None
    assert last.photo is None

    with pytest.raises(ControlError, match="caption"):
        await alice.edit_caption(caption="a text has no caption")  # her last message is text
    with pytest.raises(ControlError, match="replaced by one of"):
        await alice.edit_media(photo, data=b"x", kind="sticker")


async def test_caption_and_media_edits_through_http(tg: TelegramEmulator) -> None:
    alice = tg.add_user("Alice")
    photo = await alice.send_photo(png(8, 8), caption="v1")
    async with aiohttp.ClientSession(base_url=tg.url) as http:

        async def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
            async with http.post(f"/_control/{path}", json=body) as response:
                return response.status, await response.json()

        status, edited = await post(
            "edit_caption",
            {"user_id": alice.id, "message_id": photo.message_id, "caption": "v2"},
        )
        assert status == 200
        assert edited["caption"] == "v2"
        status, replaced = await post(
            "edit_media",
            {
                "user_id": alice.id,
                "data_base64": base64.b64encode(png(9, 9)).decode(),
                "kind": "photo",
                "caption": "v3",
            },
        )
        assert status == 200
        assert (replaced["kind"], replaced["caption"]) == ("photo", "v3")
        status, refused = await post("edit_caption", {"user_id": alice.id, "message_id": 99})
        assert status == 400
        assert "no message 99" in refused["error"]
    assert [u["edited_message"]["caption"] for u in tg.updates[1:]] == ["v2", "v3"]


# --- forum topic icons -------------------------------------------------------------------------
async def test_topic_icon_stickers_and_custom_emoji_icons(
    tg: TelegramEmulator, aiogram_bot: Bot
) -> None:
    group = tg.add_supergroup("Support", forum=True)
    stickers = await aiogram_bot.get_forum_topic_icon_stickers()
    ids = [s.custom_emoji_id for s in stickers]
    assert SPEAKING_HEAD in ids
    assert all(s.type == "custom_emoji" for s in stickers)

    topic = await aiogram_bot.create_forum_topic(
        group.id, "#id1", icon_color=9367192, icon_custom_emoji_id=SPEAKING_HEAD
    )
    assert topic.icon_custom_emoji_id == SPEAKING_HEAD
    assert topic.icon_color == 9367192
    created = tg.messages(group.id, thread_id=topic.message_thread_id)[0].raw
    assert created["forum_topic_created"]["icon_custom_emoji_id"] == SPEAKING_HEAD

    with pytest.raises(TelegramBadRequest, match="getForumTopicIconStickers"):
        await aiogram_bot.create_forum_topic(group.id, "#id2", icon_custom_emoji_id="12345")
    assert len(group.topic_ids()) == 1  # the refused topic was not created
    with pytest.raises(TelegramBadRequest, match="getForumTopicIconStickers"):
        await aiogram_bot.edit_forum_topic(
            group.id, topic.message_thread_id, icon_custom_emoji_id="12345"
        )
    other = next(i for i in ids if i != SPEAKING_HEAD)
    assert await aiogram_bot.edit_forum_topic(
        group.id, topic.message_thread_id, icon_custom_emoji_id=other
    )
    state = group.state.topics[topic.message_thread_id]
    assert state.icon_custom_emoji_id == other
