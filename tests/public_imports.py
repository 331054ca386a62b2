"""Rewrite imports of another package's module to go through the package root.

``python -m tests.public_imports`` turns ``from handoff.model import Ticket`` (in a module outside
``handoff``) into ``from handoff import Ticket``, for every import ``tests/test_public_surface.py``
reports, then runs ``ruff check --fix`` and ``ruff format`` on the files it changed. It prints the
names a package root does not export yet (add them to its imports and ``__all__``) and the imports
it cannot rewrite by itself (``import a.b`` or ``from a import module``).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from tests.imports import modules, unit_of
from tests.test_layering import MAY_IMPORT
from tests.test_public_surface import ANYWHERE, PUBLIC_MODULES

ROOT = Path(__file__).resolve().parent.parent


def _source(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _private(name: str, unit: str) -> str | None:
    """The root to import ``name`` from, if ``name`` is another unit's private module."""
    target = unit_of(name, MAY_IMPORT)
    if target is None or target == unit or name == target:
        return None
    if any(name == public or name.startswith(public + ".") for public in PUBLIC_MODULES):
        return None
    return target


def _exported(path: Path) -> set[str]:
    """The names in a module's ``__all__`` (read, not imported: the tree may be mid-rewrite)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return {str(name) for name in value}
    return set()


def rewrite(root: Path = ROOT) -> tuple[list[Path], dict[str, set[str]], list[str]]:
    tops = sorted({unit.split(".")[0] for unit in MAY_IMPORT})
    known = modules(root, tops)
    changed: list[Path] = []
    needed: dict[str, set[str]] = defaultdict(set)
    manual: list[str] = []
    for module, path in known.items():
        unit = unit_of(module, MAY_IMPORT)
        if unit is None or unit in ANYWHERE:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        edits: list[tuple[int, int, str]] = []
        for node in ast.walk(ast.parse(text)):
            where = f"{path.relative_to(root)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if _private(alias.name, unit):
                        manual.append(f"{where}: import {alias.name}")
                continue
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _source(module, path, node)
            as_modules = [a.name for a in node.names if f"{source}.{a.name}" in known]
            if as_modules and _private(f"{source}.{as_modules[0]}", unit):
                manual.append(f"{where}: from {source} import {', '.join(as_modules)}")
                continue
            target = _private(source, unit)
            if target is None:
                continue
            names = ", ".join(f"{a.name} as {a.asname}" if a.asname else a.name for a in node.names)
            needed[target].update(a.name for a in node.names)
            indent = lines[node.lineno - 1][: node.col_offset]
            edits.append(
                (
                    node.lineno,
                    node.end_lineno or node.lineno,
                    f"{indent}from {target} import {names}\n",
                )
            )
        if edits:
            for first, last, new in sorted(edits, reverse=True):
                lines[first - 1 : last] = [new]
            path.write_text("".join(lines), encoding="utf-8")
            changed.append(path)
    missing: dict[str, set[str]] = {}
    for target, names in needed.items():
        exported = _exported(known[target])
        if names - exported:
            missing[target] = names - exported
    return changed, missing, manual


def main() -> int:
    changed, missing, manual = rewrite()
    if changed:
        files = [str(path) for path in changed]
        subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "-q", *files], check=False)
        subprocess.run([sys.executable, "-m", "ruff", "format", "-q", *files], check=False)
    print(f"rewrote {len(changed)} files")
    for target, names in sorted(missing.items()):
        print(f"export from {target} (imports and __all__): {', '.join(sorted(names))}")
    for line in manual:
        print(f"rewrite by hand: {line}")
    return 1 if missing or manual else 0


if __name__ == "__main__":
    sys.exit(main())
