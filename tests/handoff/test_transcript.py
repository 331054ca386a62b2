from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from handoff.model import Customer, Direction, Priority, StoredMessage, TicketStatus
from handoff.transcript import MIN_LIMIT, Labels, render_card, render_transcript
from tests.handoff.factories import T0, make_ticket

MOSCOW = ZoneInfo("Europe/Moscow")


def message(
    n: int,
    text: str | None,
    *,
    direction: Direction = Direction.CUSTOMER,
    at: datetime = T0,
    media_kind: str | None = None,
    author_name: str | None = None,
) -> StoredMessage:
    return StoredMessage(
        id=n,
        conversation_id=1,
        direction=direction,
        chat_id=1,
        telegram_message_id=n,
        text=text,
        created_at=at,
        ticket_id=7,
        media_kind=media_kind,
        media_file_id="file" if media_kind else None,
        author_id=42 if author_name else None,
        author_name=author_name,
    )


class _Checker(HTMLParser):
    """Fails on unbalanced tags; collects visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in {"b", "i", "a"}, tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(chunk: str) -> str:
    """The text a reader sees; asserts the chunk is well-formed HTML made of our tags only."""
    assert not re.search(r"&(?![a-z]+;|#\d+;|#x[0-9a-f]+;)", chunk), "a broken entity"
    checker = _Checker()
    checker.feed(chunk)
    checker.close()
    assert checker.open == [], f"unclosed {checker.open}"
    return "".join(checker.text)


def test_one_line_per_message_with_local_times_and_authors() -> None:
    later = [T0 + timedelta(minutes=n) for n in range(7)]
    messages = [
        message(1, "My order is late", at=later[0]),
        message(2, "Let me pass you to a person", direction=Direction.BOT, at=later[1]),
        message(3, "card", direction=Direction.SYSTEM),
        message(4, "Checking", direction=Direction.OPERATOR, author_name="Oleg", at=later[3]),
        message(5, "VIP customer", direction=Direction.NOTE, author_name="Oleg", at=later[4]),
        message(6, "the receipt", media_kind="photo", at=later[5]),
        message(7, None, media_kind="voice", at=later[6]),
    ]
    [chunk] = render_transcript(messages, customer_name="Ann", zone=MOSCOW)
    assert chunk.splitlines() == [
        "<i>2025-03-03</i>",
        "<b>12:00 Ann</b>: My order is late",
        "<b>12:01 Bot</b>: Let me pass you to a person",
        "<b>12:03 Oleg</b>: Checking",
        "<b>12:04 Note (Oleg)</b>: VIP customer",
        "<b>12:05 Ann</b>: [photo] the receipt",
        "<b>12:06 Ann</b>: [voice]",
    ]


def test_a_new_day_gets_a_date_line() -> None:
    late = datetime(2025, 3, 3, 20, 59, tzinfo=UTC)  # 23:59 in Moscow
    chunk = render_transcript(
        [message(1, "a", at=late), message(2, "b", at=late + timedelta(minutes=2))],
        customer_name="Ann",
        zone=MOSCOW,
    )[0]
    assert chunk.splitlines()[2:4] == ["<i>2025-03-04</i>", "<b>00:01 Ann</b>: b"]


def test_user_text_and_names_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & <b>bold</b>'
    [chunk] = render_transcript(
        [
            message(1, hostile),
            message(2, "ok", direction=Direction.OPERATOR, author_name="<i>Op</i> & co"),
        ],
        customer_name="<b>Eve</b> & Mallory",
        zone=UTC,
    )
    assert "<script>" not in chunk
    assert '&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;' in chunk
    assert "<b>09:00 &lt;b&gt;Eve&lt;/b&gt; &amp; Mallory</b>" in chunk
    assert "&lt;i&gt;Op&lt;/i&gt; &amp; co" in chunk
    assert hostile in visible(chunk)


def test_many_messages_are_chunked_at_message_boundaries() -> None:
    limit = 1000
    messages = [
        message(n, f"message {n} <script>&amp;</script> " + "word " * (n % 17), at=T0)
        for n in range(400)
    ]
    chunks = render_transcript(messages, customer_name="Ann", zone=UTC, limit=limit)
    assert len(chunks) > 10
    assert all(len(chunk) <= limit for chunk in chunks)
    assert all(len(chunk) > limit - 200 for chunk in chunks[:-1])  # packed, not one per chunk
    lines = [line for chunk in chunks for line in chunk.splitlines()]
    assert lines[0] == "<i>2025-03-03</i>"
    assert len(lines) == 401  # nothing lost, nothing split
    for chunk in chunks:
        visible(chunk)


def test_one_huge_message_is_split_on_whitespace() -> None:
    words = [f"w{n}&<" for n in range(3000)]  # 43 890 characters once escaped: 11 chunks
    before = message(1, "hello", at=T0)
    after = message(3, "thanks", at=T0 + timedelta(minutes=9))
    chunks = render_transcript(
        [before, message(2, " ".join(words), at=T0 + timedelta(minutes=1)), after],
        customer_name="Ann",
        zone=UTC,
    )
    assert len(chunks) == 11
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert all(len(chunk) > 4000 for chunk in chunks[:-1])
    assert chunks[0].startswith(
        "<i>2025-03-03</i>\n<b>09:00 Ann</b>: hello\n<b>09:01 Ann</b>: w0&amp;&lt; w1&amp;&lt; "
    )
    assert chunks[-1].endswith(" w2999&amp;&lt;\n<b>09:09 Ann</b>: thanks")
    seen = " ".join(visible(chunk) for chunk in chunks)
    head = ["2025-03-03", "09:00", "Ann:", "hello", "09:01", "Ann:"]
    assert seen.split() == [*head, *words, "09:09", "Ann:", "thanks"]


def test_a_word_longer_than_the_limit_is_cut_between_characters() -> None:
    word = "&" * 3000  # 15 000 characters once escaped: no entity may be cut
    chunks = render_transcript([message(1, word)], customer_name="Ann", zone=UTC, limit=MIN_LIMIT)
    assert all(len(chunk) <= MIN_LIMIT for chunk in chunks)
    assert "".join(visible(chunk) for chunk in chunks).count("&") == 3000


def test_length_counts_utf16_like_telegram() -> None:
    text = " ".join(["😀😀😀"] * 600)  # each emoji is two UTF-16 units
    chunks = render_transcript([message(1, text)], customer_name="Ann", zone=UTC, limit=1000)
    assert all(len(chunk.encode("utf-16-le")) // 2 <= 1000 for chunk in chunks)


def test_too_small_a_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        render_transcript([], customer_name="Ann", zone=UTC, limit=100)
    assert render_transcript([], customer_name="Ann", zone=UTC) == []


def customer(**changes: object) -> Customer:
    base = Customer(
        id=1,
        telegram_id=555,
        chat_id=555,
        name="Ann <3 & co",
        username="ann_b",
        language="en",
        language_chosen=True,
        blocked=False,
        created_at=T0,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_card_shows_the_ticket_and_escapes_customer_strings() -> None:
    ticket = make_ticket(
        12,
        status=TicketStatus.TAKEN,
        priority=Priority.HIGH,
        line=2,
        subject="Refund <now> & fast",
        intent="refund",
        confidence=0.874,
        operator_id=9,
        operator_name="Oleg",
        taken_at=T0 + timedelta(minutes=3),
        previous_ticket_id=5,
    )
    card = render_card(ticket, customer(), zone=MOSCOW)
    assert card.splitlines() == [
        "<b>Ticket #12</b>",
        '<b>Customer:</b> <a href="tg://user?id=555">Ann &lt;3 &amp; co</a> @ann_b (id 555)',
        "<b>Language:</b> en",
        "<b>Subject:</b> Refund &lt;now&gt; &amp; fast",
        "<b>Intent:</b> refund (87%)",
        "<b>Priority:</b> high",
        "<b>Line:</b> 2",
        "<b>Status:</b> taken",
        "<b>Taken by:</b> Oleg",
        "<b>Follows ticket:</b> #5",
        "<b>Created:</b> 2025-03-03 12:00",
        "<b>Taken:</b> 2025-03-03 12:03",
    ]
    visible(card)


def test_card_of_a_reopened_ticket_names_the_previous_operator_and_localises() -> None:
    labels = Labels(
        ticket="Заявка",
        previous_operator="Был у",
        unknown_intent="не распознано",
        statuses={"waiting": "в очереди"},
    )
    ticket = make_ticket(3, operator_name="Oleg <admin>")
    card = render_card(ticket, customer(username=None), labels=labels)
    assert card.startswith("<b>Заявка #3</b>")
    assert "<b>Status:</b> в очереди" in card
    assert "<b>Был у:</b> Oleg &lt;admin&gt;" in card
    assert "<b>Intent:</b> не распознано" in card
    assert "@" not in card
    visible(card)


def test_the_bots_own_html_reads_as_the_customer_saw_it() -> None:
    """Regression: stored bot HTML was escaped again and the topic showed ``<b>`` and ``<a>``."""
    sent = (
        '<b>Returns</b> within 14 days &amp; free.\n<a href="https://shop.example/r">Read more</a>'
    )
    [chunk] = render_transcript(
        [message(1, sent, direction=Direction.BOT)], customer_name="Ann", zone=MOSCOW
    )
    shown = visible(chunk)
    assert "<b>Returns" not in shown
    assert "Returns within 14 days & free." in shown
    assert "Read more (https://shop.example/r)" in shown
    assert "&lt;" not in chunk
