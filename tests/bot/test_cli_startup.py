"""`supportbot --help` and `supportbot check` start fast: the heavy libraries (scikit-learn,
SQLAlchemy, the Telegram clients) are imported by the commands that use them, not at start-up.
Checked as behaviour (what is in ``sys.modules``), not by timing; the figures are in the README."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

import bot.cli
from tests.fresh_python import run_python

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sklearn", "scipy", "sqlalchemy", "alembic", "aiogram", "telegram", "aiohttp")
# what the bot's start needs besides the matcher (bot.app wires the storage and the core)
HEAVY_ALLOWED_AT_START = ("sqlalchemy", "pydantic", "bot.core", "alembic", "aiohttp")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    modules, _ = run_python(
        f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))", timeout=120
    )
    return set(modules)


def _loaded_after(code: str, allowed: tuple[str, ...] = ()) -> list[str]:
    modules = _modules_after(code)
    watched = (*HEAVY, "pydantic", "bot.core")
    return [name for name in watched if name in modules and name not in allowed]


def test_help_imports_no_heavy_library_no_settings_and_no_core() -> None:
    assert _loaded_after("import bot.cli\nbot.cli.build_parser()") == []


def test_check_imports_no_heavy_library() -> None:
    code = (
        "import bot.cli\n"
        f"assert bot.cli.main(['check', '--intents', {str(ROOT / 'intents' / 'content')!r}, "
        f"'--kb', {str(ROOT / 'kb' / 'articles')!r}]) == 0"
    )
    # `check` reads the settings (pydantic) for the configured languages it validates
    assert _loaded_after(code, allowed=("pydantic",)) == []


def test_the_help_names_the_config_variable(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.config import CONFIG_ENV

    with pytest.raises(SystemExit):
        bot.cli.main(["--help"])
    assert f"${CONFIG_ENV}" in capsys.readouterr().out


def test_the_bot_process_never_imports_scikit_learn(tmp_path: Path) -> None:
    """The bot's start (``bot.app.load_brain``): the first one trains in a process of its own,
    which stores the matcher in ``[matching] cache_dir``; the next ones load it. The bot's own
    process answers without scikit-learn or SciPy either way."""
    content = ROOT / "tests" / "matching" / "data" / "content"
    code = (
        "import asyncio\n"
        "from pathlib import Path\n"
        "from bot.app import load_brain\n"
        "from bot.config import load_settings\n"
        "settings = load_settings(None)\n"
        "settings = settings.model_copy(update={\n"
        "    'content': settings.content.model_copy(update={\n"
        f"        'intents_dir': Path({str(content / 'intents')!r}),\n"
        f"        'kb_dir': Path({str(content / 'kb')!r})}}),\n"
        "    'matching': settings.matching.model_copy(update={\n"
        f"        'cache_dir': Path({str(tmp_path)!r})}})}})\n"
        "brain = asyncio.run(load_brain(settings))\n"
        "assert brain.decide('how can I pay').candidates\n"
    )
    assert _loaded_after(code, allowed=HEAVY_ALLOWED_AT_START) == []  # trained elsewhere
    (stored,) = (tmp_path / "matcher").glob("matcher-*.pickle")
    written = stored.stat().st_mtime_ns
    assert _loaded_after(code, allowed=HEAVY_ALLOWED_AT_START) == []  # loaded
    assert stored.stat().st_mtime_ns == written


def test_the_bots_imports_run_without_the_collector_and_stay_out_of_its_way() -> None:
    """``supportbot run`` imports aiogram and the core with the cyclic collector off (it would
    scan the growing heap again and again), then freezes what they created; the collector is
    back on afterwards."""
    from bot.commands.service import collector_paused

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        with collector_paused():
            assert not gc.isenabled()
            made = [[n] for n in range(1000)]  # tracked objects created "at import"
        assert gc.isenabled()
        assert gc.get_freeze_count() >= frozen + len(made)
    finally:
        gc.unfreeze()  # the test process's objects back to the collector
        gc.enable()


def test_the_collector_stays_off_when_it_was_off_before() -> None:
    from bot.commands.service import collector_paused

    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_bot_imports_the_monitoring_only_when_its_figures_are_open() -> None:
    """prometheus_client (and the monitoring wrappers) come with ``[reports] prometheus_listen``
    or the weekly digest; the composition root alone does not load them."""
    loaded = _modules_after("import bot.app")
    assert "bot.app" in loaded
    assert "prometheus_client" not in loaded
    assert "bot.monitoring" not in loaded


@pytest.mark.parametrize(
    ("runtime", "client"),
    [
        (
            "from bot.runtime.aiogram import AiogramOutbox, make_bot, run_polling, run_webhook",
            "aiogram",
        ),
        (
            "from bot.runtime.ptb import PtbOutbox, make_application, run_polling, run_webhook",
            "telegram",
        ),
    ],
)
def test_a_polling_bot_never_loads_the_webhook_server(runtime: str, client: str) -> None:
    """``supportbot run`` imports what both modes need, on either runtime; aiohttp's server side
    (``aiohttp.web``) only when it serves a webhook."""
    imports = f"from bot.app import build_app\n{runtime}\n"
    polling = _modules_after(imports)
    assert client in polling
    assert "aiohttp.web" not in polling
    webhook = _modules_after(
        imports + "from bot.runtime import webhook_app\nwebhook_app(None, None)\n"
    )
    assert "aiohttp.web" in webhook


def test_the_stems_come_from_pystemmer_and_equal_the_pure_python_snowball_ones() -> None:
    """snowballstemmer hands out PyStemmer's C stemmers when it is installed (a dependency): the
    reader's build and the matcher stem every content word; the stems must stay the same."""
    import re

    import Stemmer  # type: ignore[import-not-found]
    from snowballstemmer.english_stemmer import EnglishStemmer  # type: ignore[import-untyped]
    from snowballstemmer.russian_stemmer import RussianStemmer  # type: ignore[import-untyped]

    from intents.matching import stemming

    words = set()
    for path in [
        *(ROOT / "intents" / "content").rglob("*.yaml"),
        ROOT / "tests" / "heldout" / "ru.yaml",
    ]:
        words.update(re.findall(r"[a-zа-яё]+", path.read_text(encoding="utf-8").lower()))
    assert len(words) > 1000
    assert isinstance(stemming._stemmer(russian=True), Stemmer.Stemmer)
    russian, english = RussianStemmer(), EnglishStemmer()
    for word in sorted(words):
        pure = (russian if re.search("[а-яё]", word) else english).stemWord(word)
        assert stemming.stem_word(word) == pure, word
