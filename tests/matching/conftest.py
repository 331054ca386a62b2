from __future__ import annotations

from pathlib import Path

import pytest

from intents import Content, Engine, Thresholds, load_content

DATA = Path(__file__).parent / "data"
CONTENT = DATA / "content"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT / "intents", CONTENT / "kb")


@pytest.fixture(scope="session")
def engine(content: Content) -> Engine:
    return Engine.build(content, Thresholds(answer=0.55, clarify=0.30))
