"""The trained matcher kept on disk: a start with unchanged content loads it instead of training,
changed content trains again, a damaged file is logged and replaced, never a crash."""

from __future__ import annotations

import logging
import mmap
import shutil
from pathlib import Path

import numpy as np
import pytest

from intents import ContentHolder, MatcherCache, Thresholds, load_content
from intents.matching.background import BACKGROUND
from intents.matching.cache import Trained
from intents.matching.scorer import ScorerConfig
from tests.matching.conftest import CONTENT

MESSAGES = ["how can I pay", "where is my order", "zzzz qqqq", "как оплатить", "доставка"]


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(CONTENT / "intents", tmp_path / "intents")
    shutil.copytree(CONTENT / "kb", tmp_path / "kb")
    return tmp_path / "intents", tmp_path / "kb"


def _holder(dirs: tuple[Path, Path], cache: MatcherCache) -> ContentHolder:
    holder = ContentHolder(*dirs, Thresholds(), cache=cache)
    holder.load()
    return holder


def _decisions(holder: ContentHolder) -> list[object]:
    return [(d.action, d.candidates) for d in map(holder.decide, MESSAGES)]


def _edit(intents: Path) -> None:
    shop = intents / "shop.yaml"
    text = shop.read_text(encoding="utf-8")
    assert "payment methods" in text
    shop.write_text(text.replace("payment methods", "ways to pay"), encoding="utf-8")


def test_a_second_start_loads_the_matcher_instead_of_training(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    first = MatcherCache(tmp_path / "cache")
    trained = _holder(dirs, first)
    assert (first.trained, first.hits) == (1, 0)
    assert len(list((tmp_path / "cache").glob("matcher-*.pickle"))) == 1
    second = MatcherCache(tmp_path / "cache")
    loaded = _holder(dirs, second)
    assert (second.trained, second.hits, second.failures) == (0, 1, 0)
    assert _decisions(loaded) == _decisions(trained)  # the same scores to the last digit


async def test_changed_content_trains_again_and_reload_stores_it(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    cache = MatcherCache(tmp_path / "cache")
    holder = _holder(dirs, cache)
    assert (await holder.reload()).ok  # unchanged: from the cache
    assert (cache.trained, cache.hits) == (1, 1)
    _edit(dirs[0])
    assert (await holder.reload()).ok
    assert (cache.trained, cache.hits) == (2, 1)
    restarted = MatcherCache(tmp_path / "cache")
    again = _holder(dirs, restarted)  # the reload stored the new content's matcher
    assert (restarted.trained, restarted.hits) == (0, 1)
    assert _decisions(again) == _decisions(holder)


def test_other_settings_are_another_key(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    from intents import load_content
    from intents.matching.background import BACKGROUND
    from intents.matching.scorer import ScorerConfig

    cache = MatcherCache(tmp_path)
    content = load_content(*dirs)
    key = cache.key(content, BACKGROUND, ScorerConfig())
    assert key == cache.key(load_content(*dirs), BACKGROUND, ScorerConfig())
    assert key != cache.key(content, BACKGROUND, ScorerConfig(reject_penalty=0.4))
    assert key != cache.key(content, {}, ScorerConfig())


def _arrays(value: object, seen: set[int] | None = None) -> list[np.ndarray]:
    """Every numpy array reachable from ``value`` through attributes, dicts and sequences."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, list | tuple):
        children = list(value)
    else:
        children = list(getattr(value, "__dict__", {}).values())
    return [array for child in children for array in _arrays(child, seen)]


def _mapped(array: np.ndarray) -> bool:
    base = array.base
    while isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


def _load(dirs: tuple[Path, Path], cache: MatcherCache) -> Trained:
    trained = cache.load(cache.key(load_content(*dirs), BACKGROUND, ScorerConfig()))
    assert trained is not None
    return trained


def test_the_large_arrays_are_read_only_views_of_the_file(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    _holder(dirs, MatcherCache(tmp_path / "cache"))
    arrays = _arrays(_load(dirs, MatcherCache(tmp_path / "cache")))
    large = [array for array in arrays if array.nbytes >= 64 * 1024]
    assert len(large) >= 2  # a coefficient matrix per language at least
    assert all(_mapped(array) and not array.flags.writeable for array in large)
    assert sum(array.nbytes for array in large) > 0.8 * sum(array.nbytes for array in arrays)
    with pytest.raises(ValueError, match="read-only"):
        large[0][0] = 0


def test_a_matcher_keeps_working_when_its_file_is_replaced_or_removed(
    dirs: tuple[Path, Path], tmp_path: Path
) -> None:
    cache = MatcherCache(tmp_path / "cache")
    trained = _holder(dirs, cache)
    reference = _decisions(trained)
    loaded = _holder(dirs, MatcherCache(tmp_path / "cache"))  # maps the file
    (path,) = (tmp_path / "cache").glob("matcher-*.pickle")
    key = cache.key(load_content(*dirs), BACKGROUND, ScorerConfig())
    assert cache.store(key, _load(dirs, cache))  # renamed over the mapped file
    assert _decisions(loaded) == reference
    path.unlink()
    assert _decisions(loaded) == reference


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "truncated in the pickle", "longer", "other key"]
)
def test_a_damaged_file_is_logged_and_replaced(
    dirs: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    reference = _decisions(_holder(dirs, MatcherCache(tmp_path / "cache")))
    (path,) = (tmp_path / "cache").glob("matcher-*.pickle")
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x80\x05not a pickle at all")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "truncated in the pickle":
        path.write_bytes(data[:1000])
    elif damage == "longer":
        path.write_bytes(data + b"\0")
    else:
        path.write_bytes(data.replace(path.stem.removeprefix("matcher-").encode(), b"0" * 40, 1))
    cache = MatcherCache(tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="intents.matching.cache"):
        holder = _holder(dirs, cache)
    assert (cache.failures, cache.trained, cache.hits) == (1, 1, 0)
    assert "damaged" in caplog.text
    assert str(path) in caplog.text
    assert _decisions(holder) == reference
    fixed = MatcherCache(tmp_path / "cache")
    _holder(dirs, fixed)  # the training replaced the damaged file
    assert (fixed.hits, fixed.failures) == (1, 0)


def test_an_unwritable_cache_folder_is_logged_and_the_bot_still_works(
    dirs: tuple[Path, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    cache = MatcherCache(blocker / "cache")
    with caplog.at_level(logging.WARNING, logger="intents.matching.cache"):
        holder = _holder(dirs, cache)
    assert "not written" in caplog.text
    assert holder.decide("how can I pay").action in {"answer", "clarify"}


def test_only_the_newest_files_are_kept(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    cache = MatcherCache(tmp_path / "cache")
    holder = _holder(dirs, cache)
    for n in range(4):
        shop = dirs[0] / "shop.yaml"
        text = shop.read_text(encoding="utf-8")
        shop.write_text(text.replace("payment methods", f"payment methods {n}", 1), "utf-8")
        holder.load()
    assert cache.trained == 5
    assert len(list((tmp_path / "cache").glob("matcher-*.pickle"))) == 3
