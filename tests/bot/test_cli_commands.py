"""The commands a person runs, as subprocesses: the terminal chat and the demo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path / "chat.sqlite3"}"

[content]
intents_dir = "{ROOT / "intents" / "content"}"
kb_dir = "{ROOT / "kb" / "articles"}"
texts_dir = "{ROOT / "bot" / "texts"}"
""",
        encoding="utf-8",
    )
    return path


def test_terminal_chat_answers_and_presses_buttons(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config(tmp_path)), "chat", "--lang", "en"],
        input="/start\n1\n/operator\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "bot> Hello, You!" in out
    assert "[1] Order status" in out
    assert "You can see your order status" in out  # button 1 pressed: the order status answer
    assert "request #1" in out  # queued, or saved for the morning outside working hours


def test_demo_walks_through_the_product(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--db", str(tmp_path / "demo.sqlite3")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for section in (
        "1. A question",
        "2. A vague question",
        "3. The answer did not help",
        "4. Hand-off",
        "5. The operator",
        "6. An answer template",
        "7. Closing",
    ):
        assert section in out
    assert "Thank you for the feedback!" in out
    assert "open tickets left: 0" in out
    assert "!internal" not in out.split("7. Closing")[1]  # the note never reached the customer
    # issue 14: a readable transcript, the recognised intent on the card, a template sent
    transcript = out.split("Conversation so far")[1].split("── 5.")[0]
    assert "<b>" not in transcript
    assert "<a href" not in transcript
    assert "&lt;" not in transcript
    assert "Intent: return_item (" in out
    assert "→ Anna │ Is there anything else I can help you with, Anna?" in out


def test_the_encoder_choices_are_the_matchers() -> None:
    from bot.commands.content import ENCODERS
    from intents.matching.encoder import ENCODERS as MATCHER_ENCODERS

    assert sorted(ENCODERS) == sorted(MATCHER_ENCODERS)
