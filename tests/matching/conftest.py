from __future__ import annotations

from pathlib import Path

import pytest

from intents import Content, ContentError, Engine, SentenceEncoder, Thresholds, load_content
from intents.matching.encoder import EncoderName, make_encoder

DATA = Path(__file__).parent / "data"
CONTENT = DATA / "content"
ROOT = Path(__file__).resolve().parents[2]
# every engine fixture below runs the tests once per encoder: "none" (n-grams alone) and "use"
ENCODER_NAMES: list[EncoderName] = ["none", "use"]


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(CONTENT / "intents", CONTENT / "kb")


@pytest.fixture(scope="session")
def sample_content() -> Content:
    """The content shipped with the bot."""
    try:
        return load_content(ROOT / "intents" / "content", ROOT / "kb" / "articles")
    except ContentError as exc:
        pytest.fail(f"the sample content does not load:\n{exc}")


@pytest.fixture(scope="session")
def sentence_encoder(tmp_path_factory: pytest.TempPathFactory) -> SentenceEncoder:
    """One encoder for the session, its cache in a session folder: each content is encoded once
    however many engines the tests build from it."""
    encoder = make_encoder("use", tmp_path_factory.mktemp("embeddings"))
    assert encoder is not None
    return encoder


def _encoder(request: pytest.FixtureRequest) -> SentenceEncoder | None:
    name: EncoderName = request.param
    if name == "none":
        return None
    encoder: SentenceEncoder = request.getfixturevalue("sentence_encoder")
    return encoder


@pytest.fixture(scope="session", params=ENCODER_NAMES)
def engine(request: pytest.FixtureRequest, content: Content) -> Engine:
    return Engine.build(content, Thresholds(answer=0.55, clarify=0.30), encoder=_encoder(request))


@pytest.fixture(scope="session", params=ENCODER_NAMES)
def sample_engine(request: pytest.FixtureRequest, sample_content: Content) -> Engine:
    """The shipped content at the default thresholds, once per encoder."""
    return Engine.build(sample_content, Thresholds(), encoder=_encoder(request))
