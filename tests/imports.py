"""Every import of a source tree, read with ``ast``: the mechanics behind the house rules.

The rules themselves (who may import whom, which libraries where, what is public) are data in
``tests/test_layering.py`` and ``tests/test_public_surface.py``; every function here takes the
tree's root, so the tests run the same checks on small fake trees with planted violations.
Relative imports are resolved to absolute names; imports inside functions count; imports under
``if TYPE_CHECKING:`` count as dependencies but are not executed, so they make no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Import", "cycles", "import_graph", "imports_of", "modules", "unit_of"]


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    path: Path
    line: int
    name: str  # absolute: a module, or a package's name when ``from package import name``
    type_only: bool  # under ``if TYPE_CHECKING:``

    def where(self, root: Path) -> str:
        return f"{self.path.relative_to(root)}:{self.line}: {self.module} imports {self.name}"


def modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Module name → file, for every ``.py`` under the given top-level folders of ``root``."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for child in ast.walk(inner):
                    if isinstance(child, ast.Import | ast.ImportFrom):
                        lines.add(child.lineno)
    return lines


def imports_of(
    module: str, path: Path, known: Mapping[str, Path] | None = None
) -> Iterator[Import]:
    """Every import statement of ``path`` (anywhere in the file), relative ones resolved.

    ``from package import name`` names ``package.name`` when that is a module in ``known``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    type_only = _type_checking_lines(tree)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                full = f"{source}.{alias.name}"
                names.append(full if known is not None and full in known else source)
        for name in dict.fromkeys(names):
            yield Import(module, path, node.lineno, name, node.lineno in type_only)


def unit_of(name: str, units: Iterable[str]) -> str | None:
    """The longest unit (a package or module name) that ``name`` is or lies inside."""
    best: str | None = None
    for unit in units:
        if (name == unit or name.startswith(unit + ".")) and len(unit) > len(best or ""):
            best = unit
    return best


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    """Module → the modules its executed imports load (type-only imports left out).

    Importing ``a.b.c`` runs ``a/__init__``, ``a/b/__init__`` and ``a/b/c``: each is an edge,
    except the packages the importer itself lies in (they are already loading)."""
    known = modules(root, packages)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for module, path in known.items():
        own = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
        for imp in imports_of(module, path, known):
            if imp.type_only:
                continue
            parts = imp.name.split(".")
            for i in range(1, len(parts) + 1):
                target = ".".join(parts[:i])
                if target in known and target not in own:
                    graph[module].add(target)
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in graph:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found)
