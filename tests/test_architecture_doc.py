"""``docs/architecture.md`` names only what exists: every path and module it mentions is real,
and every unit of the dependency table is described there."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from tests.test_layering import MAY_IMPORT

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "architecture.md"
_CODE = re.compile(r"`([^`\s]+)`")
_PATH = re.compile(r"^[a-z_]+(/[\w.<>*-]+)*/?$")


def _named() -> list[str]:
    return _CODE.findall(DOC.read_text(encoding="utf-8"))


def test_every_path_named_exists() -> None:
    paths = [name for name in _named() if "/" in name and _PATH.match(name)]
    assert len(paths) > 20
    missing = []
    for name in paths:
        if "<" in name:  # a pattern: its folder exists
            name = name.split("<", 1)[0]
        if "*" in name:
            if not list(ROOT.glob(name)):
                missing.append(name)
        elif not (ROOT / name).exists():
            missing.append(name)
    assert missing == []


def test_every_module_named_exists() -> None:
    dotted = [n for n in _named() if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", n) and "/" not in n]
    missing = [n for n in dotted if n.split(".")[0] in {u.split(".")[0] for u in MAY_IMPORT}]
    missing = [n for n in missing if importlib.util.find_spec(n) is None]
    assert missing == []


def test_every_unit_of_the_table_is_described() -> None:
    text = DOC.read_text(encoding="utf-8")
    for unit in MAY_IMPORT:
        path = "bot/__main__" if unit == "bot" else unit.replace(".", "/")
        assert f"`{path}/`" in text or f"`{path}.py`" in text, unit
