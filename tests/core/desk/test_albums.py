"""Albums collects the parts of one album; a message that is no album part is refused clearly."""

from __future__ import annotations

import pytest

from bot.core.desk.albums import Albums
from bot.core.events import MessageReceived
from tests.core.desk.world import customer_says, make_world


async def test_a_message_outside_an_album_is_refused_with_what_to_do() -> None:
    world = make_world()
    ticket = await world.ticket()
    albums = Albums(0)

    async def flush(ticket_id: int, parts: list[MessageReceived]) -> None:
        raise AssertionError("nothing to flush")

    with pytest.raises(ValueError, match=r"not part of an album.*relay it on its own"):
        await albums.add(ticket.id, customer_says(ticket, "hi"), flush)
    await albums.drain()
