"""Files: multipart uploads from both clients, file_id reuse, getFile and downloads, albums."""

from __future__ import annotations

import io
import struct
import zlib

import telegram
from aiogram import Bot
from aiogram.types import BufferedInputFile, InputMediaDocument, InputMediaPhoto

from telegram_emulator import TelegramEmulator


def png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


async def test_aiogram_upload_get_file_and_download(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    image = png(640, 480)
    sent = await aiogram_bot.send_photo(
        alice.chat_id,
        BufferedInputFile(image, "chart.png"),
        caption="<i>chart</i>",
        parse_mode="HTML",
    )
    assert sent.photo is not None
    assert (sent.photo[-1].width, sent.photo[-1].height) == (640, 480)
    assert sent.caption == "chart"
    assert tg.calls_to("sendPhoto")[0].files  # a multipart upload with attach://
    file = await aiogram_bot.get_file(sent.photo[-1].file_id)
    assert file.file_path is not None
    downloaded = await aiogram_bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == image
    document = await aiogram_bot.send_document(
        alice.chat_id, BufferedInputFile(b"%PDF-1.4", "invoice.pdf")
    )
    assert document.document is not None
    assert document.document.file_name == "invoice.pdf"


async def test_ptb_upload_and_download(tg: TelegramEmulator, ptb_bot: telegram.Bot) -> None:
    alice = tg.add_user("Alice")
    await alice.send("hi")
    voice = await ptb_bot.send_voice(alice.chat_id, b"OggS-voice", duration=3)
    assert voice.voice is not None
    assert tg.messages(alice.chat_id)[-1].raw["voice"]["duration"] == 3
    photo = await ptb_bot.send_photo(alice.chat_id, png(10, 20), caption="small")
    assert photo.photo[-1].height == 20
    file = await ptb_bot.get_file(photo.photo[-1].file_id)
    assert await file.download_as_bytearray() == bytearray(png(10, 20))
    again = await ptb_bot.send_photo(alice.chat_id, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id


async def test_copy_customer_photo_into_topic(tg: TelegramEmulator, aiogram_bot: Bot) -> None:
    alice, op = tg.add_user("Alice"), tg.add_user("Olga")
    group = tg.add_supergroup("Support", admins=[op])
    thread = tg.create_topic(group, "Ticket #1")
    photo = await alice.send_photo(png(30, 40), caption="broken item")
    copied = await aiogram_bot.copy_message(
        group.id, alice.chat_id, photo.message_id, message_thread_id=thread
    )
    [shown] = [m for m in tg.messages(group.id, thread_id=thread) if m.kind == "photo"]
    assert shown.message_id == copied.message_id
    assert shown.caption == "broken item"
    assert shown.file_id == photo.file_id
    assert shown.from_bot
    file = await aiogram_bot.get_file(shown.file_id or "")
    assert file.file_size == len(png(30, 40))


async def test_albums_both_ways(
    tg: TelegramEmulator, aiogram_bot: Bot, ptb_bot: telegram.Bot
) -> None:
    alice = tg.add_user("Alice")
    album = await alice.send_album([png(1, 1), png(2, 2), png(3, 3)], caption="all three")
    assert len({m.media_group_id for m in album}) == 1
    assert album[0].caption == "all three"
    updates = await aiogram_bot.get_updates()
    assert [u.message.media_group_id for u in updates if u.message] == [album[0].media_group_id] * 3

    sent = await aiogram_bot.send_media_group(
        alice.chat_id,
        [
            InputMediaPhoto(media=BufferedInputFile(png(5, 5), "a.png"), caption="first"),
            InputMediaDocument(media=BufferedInputFile(b"doc", "b.txt")),
        ],
    )
    assert len(sent) == 2
    assert sent[0].media_group_id == sent[1].media_group_id
    ptb_sent = await ptb_bot.send_media_group(
        alice.chat_id,
        [
            telegram.InputMediaPhoto(io.BytesIO(png(6, 6))),
            telegram.InputMediaPhoto(album[1].file_id or ""),
        ],
    )
    assert [m.photo[-1].width for m in ptb_sent] == [6, 2]
    copies = await aiogram_bot.copy_messages(
        alice.chat_id, alice.chat_id, [m.message_id for m in album]
    )
    copied = [
        m for m in tg.messages(alice.chat_id) if m.message_id in {c.message_id for c in copies}
    ]
    assert len({m.media_group_id for m in copied}) == 1
