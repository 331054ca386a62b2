"""``/stats [days]`` in the operator group: the picture the stats source draws, sent as a photo
where it was asked; a clear answer when statistics are off or the number is out of range."""

from __future__ import annotations

from bot.core.actions import SendPhoto
from bot.core.desk import OperatorDesk
from bot.core.desk.commands import StatsPicture
from tests.core.desk.world import GROUP, make_world, operator_says


class FakeStats:
    def __init__(self) -> None:
        self.asked: list[tuple[int, str]] = []

    async def picture(self, days: int, lang: str) -> StatsPicture:
        self.asked.append((days, lang))
        return StatsPicture(b"\x89PNG", f"<b>Last {days} days</b>")


async def test_stats_sends_the_picture_in_reply() -> None:
    world = make_world()
    stats = FakeStats()
    desk = OperatorDesk(
        world.deps, world.survey.start, album_wait=0, articles=world.articles, stats=stats
    )
    asked = operator_says("/stats 30")
    await desk.group_message(asked)
    (photo,) = world.outbox.of(SendPhoto)
    assert photo == SendPhoto(GROUP, b"\x89PNG", "<b>Last 30 days</b>", thread_id=None,
                              reply_to=asked.message_id, filename="stats-30d.png")  # fmt: skip
    await desk.group_message(operator_says("/stats"))
    assert stats.asked == [(30, "en"), (7, "en")]  # 7 days by default


async def test_out_of_range_and_off() -> None:
    world = make_world()
    stats = FakeStats()
    desk = OperatorDesk(
        world.deps, world.survey.start, album_wait=0, articles=world.articles, stats=stats
    )
    await desk.group_message(operator_says("/stats 93"))
    assert world.outbox.texts_to(GROUP)[-1] == "Usage: /stats [days] — from 1 to 92 days."
    assert stats.asked == []
    await world.desk.group_message(operator_says("/stats"))  # a desk without a source
    assert world.outbox.texts_to(GROUP)[-1] == "Statistics are not available in this bot."
    assert world.outbox.of(SendPhoto) == []
