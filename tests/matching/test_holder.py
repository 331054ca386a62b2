from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from intents import ContentHolder, ReloadInProgress, Thresholds
from intents.matching.encoder import CachedEncoder
from tests.matching.conftest import CONTENT
from tests.matching.test_encoder import CountingEncoder


@pytest.fixture
def holder(tmp_path: Path) -> ContentHolder:
    shutil.copytree(CONTENT / "intents", tmp_path / "intents")
    shutil.copytree(CONTENT / "kb", tmp_path / "kb")
    holder = ContentHolder(tmp_path / "intents", tmp_path / "kb", Thresholds())
    holder.load()
    return holder


async def test_reload_reports_changes_and_swaps(holder: ContentHolder) -> None:
    before = holder.engine
    shop = holder.intents_dir / "shop.yaml"
    shop.write_text(
        shop.read_text(encoding="utf-8").replace("By card or in cash.", "By card only."),
        encoding="utf-8",
    )
    (holder.kb_dir / "tracking.ru.md").unlink()
    report = await holder.reload()
    assert report.ok
    assert report.intents_changed == ("payment_methods",)
    assert report.articles_changed == ("tracking",)
    assert holder.engine is not before
    assert holder.engine.answer("payment_methods", "en").text == "By card only."


async def test_failed_reload_keeps_live_content(holder: ContentHolder) -> None:
    before = holder.engine
    (holder.intents_dir / "broken.yaml").write_text("intents: [\n", encoding="utf-8")
    report = await holder.reload()
    assert not report.ok
    assert report.problems[0].file.name == "broken.yaml"
    assert "previous content stays live" in report.summary()
    assert holder.engine is before
    assert holder.decide("где мой заказ").intent_id == "order_status"


async def test_second_concurrent_reload_is_refused(holder: ContentHolder) -> None:
    first = asyncio.create_task(holder.reload())
    await asyncio.sleep(0)
    with pytest.raises(ReloadInProgress):
        await holder.reload()
    assert (await first).ok


async def test_reload_of_unchanged_examples_does_not_encode_again(tmp_path: Path) -> None:
    shutil.copytree(CONTENT / "intents", tmp_path / "intents")
    shutil.copytree(CONTENT / "kb", tmp_path / "kb")
    inner = CountingEncoder()
    cache = tmp_path / "cache"
    holder = ContentHolder(
        tmp_path / "intents", tmp_path / "kb", encoder=CachedEncoder(inner, cache)
    )
    holder.load()
    assert holder.engine.uses_encoder
    encoded = inner.encoded
    assert encoded > 0
    await holder.reload()  # the same examples: every batch comes from the cache
    restarted = ContentHolder(
        tmp_path / "intents", tmp_path / "kb", encoder=CachedEncoder(inner, cache)
    )
    restarted.load()
    assert inner.encoded == encoded
    shop = holder.intents_dir / "shop.yaml"
    shop.write_text(
        shop.read_text(encoding="utf-8").replace("payment methods", "ways to pay"), "utf-8"
    )
    await holder.reload()
    assert inner.encoded > encoded  # an example changed: that language is encoded again
