"""``[reports]``: the Prometheus endpoint and the weekly digest are off unless configured."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings


def test_off_by_default() -> None:
    reports = Settings().reports
    assert (reports.prometheus_listen, reports.digest_weekday) == ("", 0)


def test_opened_by_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[reports]\nprometheus_listen = "127.0.0.1:9108"\ndigest_weekday = 1\n'
        'digest_time = "08:30"\n',
        encoding="utf-8",
    )
    reports = load_settings(path).reports
    assert reports.prometheus_listen == "127.0.0.1:9108"
    assert (reports.digest_weekday, reports.digest_time) == (1, time(8, 30))


@pytest.mark.parametrize("listen", ["9108", "localhost:", "host:99999", "host:port"])
def test_a_bad_address_is_named(tmp_path: Path, listen: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[reports]\nprometheus_listen = "{listen}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert "[reports] prometheus_listen" in str(info.value)
    assert "host:port" in str(info.value)
