"""The dependency rules, kept by walking every import (relative and function-level ones too).

Runtimes → core → {intents, kb, handoff}; storage implements handoff's ports and knows nothing
of the bot; only a runtime imports its Telegram library, only storage speaks SQL; the emulator is
a product of its own (the standard library and aiohttp); nothing imports ``benchmarks``.
Each rule has a test that plants a violation in a fake tree and expects the check to report it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.imports import cycles, import_graph, imports_of, modules, unit_of

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "intents", "kb", "handoff", "storage", "telegram_emulator", "benchmarks")

_LIBRARIES = {"intents", "kb", "handoff", "storage", "telegram_emulator"}
_BOT = {
    "bot.config",
    "bot.core",
    "bot.replicas",
    "bot.runtime",
    "bot.runtime.aiogram",
    "bot.runtime.ptb",
}

# Who may import whom. A module belongs to the longest unit its name starts with; it may import
# its own unit and the units listed here, nothing else of the project.
MAY_IMPORT: dict[str, set[str]] = {
    "kb": set(),
    "intents": {"kb"},
    "handoff": set(),  # plain Python over its ports
    "storage": {"handoff"},  # implements handoff's ports; never the bot's config
    "telegram_emulator": set(),  # a product of its own: nothing of the bot
    "bot.config": set(),  # the typed settings; the libraries above never read them
    "bot.core": {"bot.config", "intents", "kb", "handoff"},  # no runtime, no storage
    "bot.runtime": {"bot.core"},  # what both runtimes share
    "bot.runtime.aiogram": {"bot.runtime", "bot.core"},
    "bot.runtime.ptb": {"bot.runtime", "bot.core"},
    "bot.replicas": {"bot.core"},  # the core's shared state on Redis
    "bot.reports": {"bot.core", "handoff", "storage"},  # charts, the HTML page, /stats, digest
    "bot.monitoring": {"bot.core", "bot.reports", "handoff", "intents"},  # Prometheus figures
    "bot.app": {  # the composition root
        "bot.config",
        "bot.core",
        "bot.runtime",
        "bot.reports",
        "bot.monitoring",
        "bot.replicas",
        "intents",
        "kb",
        "handoff",
        "storage",
    },
    "bot.demo": {"bot.app", *_BOT, "handoff", "telegram_emulator"},
    "bot.conversations": {"bot.config", "bot.core", "handoff", "intents"},  # conversation tests
    "bot.commands": {"bot.app", "bot.demo", "bot.reports", "bot.conversations", *_BOT, *_LIBRARIES},
    "bot.cli": {"bot.commands", *_BOT, *_LIBRARIES},
    "bot": {"bot.cli"},  # bot/__init__.py, bot/__main__.py
    "benchmarks": {"bot", "bot.app", "bot.demo", "bot.commands", "bot.cli", *_BOT, *_LIBRARIES},
}

# Libraries only some units may import. Benchmarks measure the libraries themselves.
ONLY_IN: dict[str, set[str]] = {
    "aiogram": {"bot.runtime.aiogram", "benchmarks"},
    "telegram": {"bot.runtime.ptb"},
    # bot.runtime: the webhook endpoint both runtimes serve (bot/runtime/webhook.py)
    "aiohttp": {"bot.runtime", "bot.runtime.aiogram", "bot.runtime.ptb", "telegram_emulator"},
    "sqlalchemy": {"storage", "benchmarks"},
    "alembic": {"storage"},
    "aiosqlite": {"storage"},
    "asyncpg": {"storage"},
    "prometheus_client": {"bot.monitoring"},
    "matplotlib": {"bot.reports"},
    "redis": {"bot.replicas"},
}

# Units that may import only the standard library and the libraries named.
STDLIB_AND: dict[str, set[str]] = {
    "telegram_emulator": {"aiohttp"},
}


def violations(
    root: Path,
    may_import: Mapping[str, set[str]] = MAY_IMPORT,
    only_in: Mapping[str, set[str]] = ONLY_IN,
    stdlib_and: Mapping[str, set[str]] = STDLIB_AND,
) -> list[str]:
    """Every import under ``root`` that breaks a rule, as ``file:line: what (why)``."""
    tops = {unit.split(".")[0] for unit in may_import}
    known = modules(root, sorted(tops))
    found: list[str] = []
    for module, path in known.items():
        unit = unit_of(module, may_import)
        if unit is None:
            found.append(f"{path.relative_to(root)}: {module} is in no unit of MAY_IMPORT")
            continue
        for imp in imports_of(module, path, known):
            where = imp.where(root)
            top = imp.name.split(".")[0]
            if top in tops:
                target = unit_of(imp.name, may_import)
                if target is not None and target != unit and target not in may_import[unit]:
                    found.append(f"{where} ({unit} may import only {sorted(may_import[unit])})")
                continue
            if top in only_in and unit not in only_in[top]:
                found.append(f"{where} (only {sorted(only_in[top])} may import {top})")
            allowed = stdlib_and.get(unit)
            if allowed is not None and top not in allowed and top not in sys.stdlib_module_names:
                found.append(f"{where} ({unit} imports only the standard library and {allowed})")
    return found


def import_cycles(root: Path) -> list[list[str]]:
    return cycles(import_graph(root, PACKAGES))


def test_the_project_keeps_every_rule() -> None:
    assert violations(ROOT) == []


def test_the_project_has_no_import_cycle() -> None:
    assert import_cycles(ROOT) == []


@pytest.mark.parametrize("package", [p for p in PACKAGES if p != "benchmarks"])
def test_every_package_exists(package: str) -> None:
    assert (ROOT / package / "__init__.py").is_file()


def test_every_unit_of_the_table_exists() -> None:
    for unit in MAY_IMPORT:
        path = ROOT / unit.replace(".", "/")
        assert path.is_dir() or path.with_suffix(".py").is_file(), unit


# ---------------------------------------------------------------------- planted violations
def _tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(root).parents:
            if parent != Path("."):
                (root / parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    return root


def _planted(tmp_path: Path, name: str, text: str) -> list[str]:
    return violations(_tree(tmp_path, {name: text}))


def test_a_clean_fake_tree_passes(tmp_path: Path) -> None:
    files = {
        "bot/runtime/aiogram/x.py": "import aiogram\nfrom ...core import deps\n",
        "storage/x.py": "import sqlalchemy\nfrom handoff import ports\n",
        "intents/x.py": "from kb import model\n",
        "telegram_emulator/x.py": "import json\nfrom aiohttp import web\n",
    }
    assert violations(_tree(tmp_path, files)) == []


def test_planted_storage_importing_the_bots_config(tmp_path: Path) -> None:
    found = _planted(tmp_path, "storage/x.py", "from bot.config import Settings\n")
    assert found == [
        "storage/x.py:1: storage.x imports bot.config (storage may import only ['handoff'])"
    ]


def test_planted_handoff_importing_the_core(tmp_path: Path) -> None:
    found = _planted(tmp_path, "handoff/x.py", "def f():\n    from bot.core.deps import Deps\n")
    assert found == ["handoff/x.py:2: handoff.x imports bot.core.deps (handoff may import only [])"]


def test_planted_intents_importing_the_core(tmp_path: Path) -> None:
    found = _planted(tmp_path, "intents/matching/x.py", "import bot.core\n")
    assert [line.split(" (")[0] for line in found] == [
        "intents/matching/x.py:1: intents.matching.x imports bot.core"
    ]


def test_planted_relative_import_from_the_core_to_a_runtime(tmp_path: Path) -> None:
    found = _planted(tmp_path, "bot/core/desk/x.py", "from ...runtime.aiogram import runner\n")
    assert [line.split(" (")[0] for line in found] == [
        "bot/core/desk/x.py:1: bot.core.desk.x imports bot.runtime.aiogram"
    ]


def test_planted_relative_import_inside_a_unit_is_fine(tmp_path: Path) -> None:
    assert _planted(tmp_path, "bot/core/desk/x.py", "from .. import deps\nfrom . import y\n") == []


def test_planted_runtime_importing_the_other_runtime(tmp_path: Path) -> None:
    found = _planted(tmp_path, "bot/runtime/ptb/x.py", "from bot.runtime.aiogram import outbox\n")
    assert len(found) == 1
    assert "imports bot.runtime.aiogram (bot.runtime.ptb may import only" in found[0]


def test_planted_import_of_benchmarks(tmp_path: Path) -> None:
    found = _planted(tmp_path, "bot/commands/x.py", "import benchmarks.message_cost\n")
    assert len(found) == 1
    assert "imports benchmarks.message_cost (bot.commands may import only" in found[0]


def test_planted_module_outside_every_unit(tmp_path: Path) -> None:
    tree = _tree(tmp_path, {"bot/y.py": ""})
    assert violations(tree) == []
    assert violations(tree, {k: v for k, v in MAY_IMPORT.items() if k != "bot"}) == [
        "bot/__init__.py: bot is in no unit of MAY_IMPORT",
        "bot/y.py: bot.y is in no unit of MAY_IMPORT",
    ]


def test_planted_sql_outside_storage(tmp_path: Path) -> None:
    found = _planted(tmp_path, "bot/core/x.py", "from sqlalchemy import select\n")
    assert found == [
        "bot/core/x.py:1: bot.core.x imports sqlalchemy "
        "(only ['benchmarks', 'storage'] may import sqlalchemy)"
    ]


def test_planted_telegram_library_outside_its_runtime(tmp_path: Path) -> None:
    found = _planted(tmp_path, "bot/runtime/ptb/x.py", "import aiogram.types\n")
    assert found == [
        "bot/runtime/ptb/x.py:1: bot.runtime.ptb.x imports aiogram.types "
        "(only ['benchmarks', 'bot.runtime.aiogram'] may import aiogram)"
    ]


def test_planted_http_in_the_core(tmp_path: Path) -> None:
    found = _planted(tmp_path, "handoff/x.py", "from aiohttp import web\n")
    assert len(found) == 1
    assert (
        "(only ['bot.runtime', 'bot.runtime.aiogram', 'bot.runtime.ptb', 'telegram_emulator']"
        in found[0]
    )


def test_planted_emulator_importing_a_library_besides_aiohttp(tmp_path: Path) -> None:
    found = _planted(tmp_path, "telegram_emulator/x.py", "import yaml\nimport json\n")
    assert found == [
        "telegram_emulator/x.py:1: telegram_emulator.x imports yaml "
        "(telegram_emulator imports only the standard library and {'aiohttp'})"
    ]


def test_planted_emulator_importing_aiogram_or_the_bot(tmp_path: Path) -> None:
    found = _planted(
        tmp_path, "telegram_emulator/x.py", "import aiogram\nfrom bot.core import events\n"
    )
    assert len(found) == 3  # aiogram: twice (a runtime's library, not the standard library)
    assert "imports bot.core (telegram_emulator may import only [])" in found[2]


def test_planted_cycle(tmp_path: Path) -> None:
    tree = _tree(tmp_path, {"kb/a.py": "from kb import b\n", "kb/b.py": "import kb.a\n"})
    assert import_cycles(tree) == [["kb.a", "kb.b"]]


def test_planted_cycle_through_a_function_and_a_package(tmp_path: Path) -> None:
    files = {
        "bot/core/desk/__init__.py": "from .desk import Desk\n",
        "bot/core/desk/desk.py": "def f():\n    from bot.core.survey import Survey\n",
        "bot/core/desk/topics.py": "",
        "bot/core/survey.py": "from bot.core.desk.topics import Board\n",
    }
    assert import_cycles(_tree(tmp_path, files)) == [
        ["bot.core.desk", "bot.core.desk.desk", "bot.core.survey"]
    ]


def test_a_type_only_back_reference_is_no_cycle(tmp_path: Path) -> None:
    files = {
        "kb/a.py": "from kb import b\n",
        "kb/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kb.a import A\n",
    }
    assert import_cycles(_tree(tmp_path, files)) == []
