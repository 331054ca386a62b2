"""The dependency rule, kept by walking every import with ``ast``.

- only a runtime package (``bot/runtime/aiogram``, ``bot/runtime/ptb``) imports aiogram or telegram;
- only ``storage`` imports SQLAlchemy or Alembic;
- the conversation core, intents, kb and handoff never import a runtime, the CLI or storage.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "intents", "kb", "handoff", "storage")
RUNTIME_DIRS = {
    "aiogram": ROOT / "bot" / "runtime" / "aiogram",
    "telegram": ROOT / "bot" / "runtime" / "ptb",
}


def _modules() -> Iterator[Path]:
    for package in PACKAGES:
        yield from (ROOT / package).rglob("*.py")


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _top(name: str) -> str:
    return name.split(".", 1)[0]


def _violations() -> list[str]:
    found: list[str] = []
    for path in _modules():
        rel = path.relative_to(ROOT)
        in_storage = rel.parts[0] == "storage"
        in_core_layer = rel.parts[0] in ("intents", "kb", "handoff") or rel.parts[:2] == (
            "bot",
            "core",
        )
        for line, name in _imports(path):
            top = _top(name)
            where = f"{rel}:{line}: imports {name}"
            if top in RUNTIME_DIRS and not path.is_relative_to(RUNTIME_DIRS[top]):
                found.append(f"{where} (only {RUNTIME_DIRS[top].relative_to(ROOT)} may)")
            if top in ("sqlalchemy", "alembic") and not in_storage:
                found.append(f"{where} (only storage/ may)")
            if in_core_layer and (
                name.startswith(("bot.runtime", "bot.cli", "bot.commands", "bot.app"))
                or top == "storage"
            ):
                found.append(f"{where} (the core must not depend on runtimes, the CLI or storage)")
            if in_core_layer and top == "aiohttp":
                found.append(f"{where} (the core speaks no HTTP)")
    return found


def test_dependency_rule_holds() -> None:
    assert _violations() == []


def test_the_walker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import aiogram\nfrom sqlalchemy import select\n", encoding="utf-8")
    assert [name for _, name in _imports(bad)] == ["aiogram", "sqlalchemy"]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_exists(package: str) -> None:
    assert (ROOT / package / "__init__.py").is_file()
