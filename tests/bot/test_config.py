from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_and_documents_every_key() -> None:
    example = ROOT / "config.example.toml"
    settings = load_settings(example)
    assert settings.matching.answer_threshold > settings.matching.clarify_threshold
    text = example.read_text(encoding="utf-8")
    for section, model in Settings.model_fields.items():
        assert f"[{section}]" in text, section
        assert model.annotation is not None
        for key in model.annotation.model_fields:  # type: ignore[union-attr]
            documented = f"\n{key} =" in text or f"\n# {key} =" in text
            assert documented, f"[{section}] {key} is not documented in the example"


def test_relative_paths_are_anchored_at_the_config_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[content]\nintents_dir = "mine"\n'))
    assert settings.content.intents_dir == tmp_path / "mine"
    assert settings.database.url == f"sqlite+aiosqlite:///{tmp_path}/supportbot.sqlite3"


def test_encoder_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = '[matching]\nencoder = "use"\nembedding_cache_dir = "vectors"\ncache_dir = "cache"\n'
    settings = load_settings(write(tmp_path, text))
    assert settings.matching.encoder == "use"
    assert settings.matching.embeddings_dir == tmp_path / "vectors"
    assert settings.matching.matcher_cache_dir == tmp_path / "cache" / "matcher"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    default = load_settings(write(tmp_path, "")).matching
    assert default.encoder == "none"
    assert default.embeddings_dir == tmp_path / "xdg" / "supportbot" / "embeddings"
    assert default.matcher_cache_dir == tmp_path / "xdg" / "supportbot" / "matcher"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[matching]\nanswer_threshold = "high"\n', "[matching] answer_threshold"),
        ("[matching]\nanswer_threshold = 1.5\n", "less than or equal to 1"),
        ("[matching]\nanswer_threshold = 0.2\nclarify_threshold = 0.5\n", "clarify_threshold"),
        ('[database]\nurl = "mysql://x"\n', "[database] url: expected an async SQLAlchemy URL"),
        ('[hours]\ntimezone = "Mars/Olympus"\n', "IANA time zone"),
        ("[operators]\nsla_minuts = 3\n", "[operators] sla_minuts: unknown key"),
        ('[languages]\ndefault = "de"\n', "[languages] default"),
        ("[hours]\ndays = []\n", "[hours] days"),
        ('[telegram]\nmode = "webhook"\n', "needs webhook_url"),
        ("[matching\n", "not valid TOML"),
        ('[matching]\nencoder = "bert"\n', "[matching] encoder: Input should be 'use' or 'none'"),
    ],
)
def test_a_bad_value_gives_one_line_naming_the_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text))
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_unset_content_folders_are_the_shipped_sample_wherever_the_bot_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for settings in (load_settings(None), load_settings(write(tmp_path, "[matching]\n"))):
        assert settings.content.intents_dir == ROOT / "intents" / "content"
        assert settings.content.kb_dir == ROOT / "kb" / "articles"
        assert (settings.content.texts_dir / "en.toml").is_file()


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "absent.toml")


def test_webhook_mode_requires_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.model_validate(
        {"telegram": {"mode": "webhook", "webhook_url": "https://bot.example/hook"}}
    )
    monkeypatch.delenv("SUPPORTBOT_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConfigError, match="SUPPORTBOT_WEBHOOK_SECRET"):
        settings.telegram.webhook_secret()
    monkeypatch.setenv("SUPPORTBOT_WEBHOOK_SECRET", "bad secret!")
    with pytest.raises(ConfigError, match="A-Z"):
        settings.telegram.webhook_secret()
    monkeypatch.setenv("SUPPORTBOT_WEBHOOK_SECRET", "good_secret-1")
    assert settings.telegram.webhook_secret().get_secret_value() == "good_secret-1"


def test_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    monkeypatch.delenv("SUPPORTBOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="SUPPORTBOT_TOKEN"):
        settings.telegram.token()
    monkeypatch.setenv("SUPPORTBOT_TOKEN", "123:abc")
    assert settings.telegram.token().get_secret_value() == "123:abc"


def test_cli_reports_a_bad_config_in_one_line_and_fails(tmp_path: Path) -> None:
    path = write(tmp_path, "[matching]\nanswer_threshold = 7\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "[matching] answer_threshold" in lines[0]


def test_cli_help_lists_the_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("check", "ask", "eval", "bench", "emulator", "demo", "run", "chat", "db"):
        assert command in done.stdout
