"""/gaps in an admin's private chat and the one-tap "add to the intent's examples" button, through
the core with the real content holder on a temporary copy of the content."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from bot.core import callbacks as cb
from bot.core.actions import SendText
from bot.core.deps import CoreConfig
from bot.core.events import ButtonPressed, MessageReceived, Person
from intents import ContentHolder, SentenceEncoder
from intents.loader import load_intents
from tests.core.fakes import World, make_world
from tests.matching.test_encoder import CountingEncoder

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Person(telegram_id=42, name="Ada Admin", username="ada", language_code="en")
CUSTOMER = Person(telegram_id=501, name="Bob", username="bob", language_code="ru")
MISSED = "где сейчас едет моя посылка с заказом"
_ids = itertools.count(1)


def say(world: World, text: str, who: Person = ADMIN) -> Awaitable[None]:
    n = next(_ids)
    return world.core.handle(
        MessageReceived(
            update_id=n,
            chat_id=who.telegram_id,
            private=True,
            sender=who,
            message_id=n,
            date=world.clock.now(),
            text=text,
        )
    )


def press(world: World, data: str, who: Person = ADMIN) -> Awaitable[None]:
    n = next(_ids)
    return world.core.handle(
        ButtonPressed(
            update_id=n,
            callback_id=f"q{n}",
            chat_id=who.telegram_id,
            private=True,
            sender=who,
            message_id=1,
            data=data,
            date=world.clock.now(),
        )
    )


@pytest.fixture
async def world(tmp_path: Path) -> World:
    return await _world(tmp_path)


async def _world(tmp_path: Path, encoder: SentenceEncoder | None = None) -> World:
    intents_dir, kb_dir = tmp_path / "intents", tmp_path / "kb"
    shutil.copytree(ROOT / "intents" / "content", intents_dir)
    shutil.copytree(ROOT / "kb" / "articles", kb_dir)
    holder = ContentHolder(intents_dir, kb_dir, languages=("ru", "en"), encoder=encoder)
    await holder.reload()
    config = CoreConfig(admin_ids=frozenset({ADMIN.telegram_id}), intents_dir=intents_dir)
    world = make_world(config=config, brain=holder)  # type: ignore[arg-type]
    async with world.store.unit_of_work() as uow:  # two customers the bot could not place
        for minutes in (60, 30):
            await uow.decisions.add(
                conversation_id=1,
                text=MISSED,
                language="ru",
                action="unknown",
                intent=None,
                article=None,
                score=0.1,
                now=world.clock.now() - timedelta(minutes=minutes),
            )
    return world


def _last(world: World, who: Person = ADMIN) -> SendText:
    return world.outbox.last_to(who.telegram_id)


async def test_gaps_offers_the_missed_question_and_one_tap_adds_and_reloads(world: World) -> None:
    await say(world, "/gaps 3")
    listing = _last(world)
    assert "×2" in listing.text
    assert MISSED in listing.text
    payloads = [cb.decode(b.data or "") for row in listing.keyboard for b in row]
    added = [p for p in payloads if isinstance(p, cb.AddExample)]
    assert len(added) == 1
    assert added[0].intent_id == "order_status"
    assert len((listing.keyboard[0][0].data or "").encode()) <= 64

    await press(world, listing.keyboard[0][0].data or "")
    reply = _last(world).text
    assert f"Added “{MISSED}” to intent order_status (ru)." in reply
    assert "Content reloaded" in reply
    assert world.brain.content.intents["order_status"].examples["ru"][-1] == MISSED  # live
    config_dir: Path = world.brain.intents_dir  # type: ignore[attr-defined]  # the tmp copy
    assert load_intents(config_dir)["order_status"].examples["ru"][-1] == MISSED  # on disk

    await press(world, listing.keyboard[0][0].data or "")  # a second tap: already there
    assert "already an example of intent 'order_status'" in _last(world).text


async def test_not_for_customers(world: World) -> None:
    await say(world, "/gaps", who=CUSTOMER)
    assert _last(world, CUSTOMER).text == "Эта команда только для администраторов."
    await press(world, cb.encode(cb.AddExample(1, "order_status")), who=CUSTOMER)
    assert _last(world, CUSTOMER).text == "Эта команда только для администраторов."
    config_dir: Path = world.brain.intents_dir  # type: ignore[attr-defined]
    assert MISSED not in load_intents(config_dir)["order_status"].examples["ru"]


async def test_bad_period_and_an_empty_one(world: World) -> None:
    await say(world, "/gaps 1000")
    assert "from 1 to 90 days" in _last(world).text
    world.clock.advance(timedelta(days=10))
    await say(world, "/gaps 2")
    assert _last(world).text == "No missed questions in the last 2 days."


class RecordingEncoder(CountingEncoder):
    """The test encoder, keeping every text it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.texts += texts
        return super().encode(texts)


async def test_with_the_sentence_encoder_gaps_group_by_its_vectors(tmp_path: Path) -> None:
    """``[matching] encoder = "use"``: the brain's encoder embeds the missed questions too."""
    encoder = RecordingEncoder()
    world = await _world(tmp_path, encoder)
    assert world.brain.engine.encoder is encoder  # type: ignore[attr-defined]
    assert MISSED not in encoder.texts  # training saw the examples only
    await say(world, "/gaps 3")
    assert MISSED in _last(world).text
    assert encoder.texts.count(MISSED) == 1  # once, though asked twice
