"""The newest migration, read from the migration files themselves, without importing Alembic.

Every start brings the database to the newest migration (:meth:`Database.create_schema`). When
it is there already (every start but the first after an upgrade), comparing ``alembic_version``
with the files' newest revision is enough, and Alembic (about 10 MB and a fifth of a second) is
not imported at all. Anything unusual (several heads, a revision that is not a plain string) gives
None, and the caller runs Alembic as before.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["script_head"]

VERSIONS = Path(__file__).with_name("migrations") / "versions"
_NAMES = ("revision", "down_revision")


def _assignments(source: str) -> dict[str, object]:
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, value = node.target.id, node.value
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name, value = node.targets[0].id, node.value
        else:
            continue
        if name in _NAMES:
            found[name] = ast.literal_eval(value)
    return found


def script_head(versions: Path = VERSIONS) -> str | None:
    """The one revision no other migration builds on; None when that is not clear-cut."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        for file in sorted(versions.glob("*.py")):
            if file.name.startswith("_"):
                continue
            values = _assignments(file.read_text(encoding="utf-8"))
            revision, down = values.get("revision"), values.get("down_revision")
            if not isinstance(revision, str):
                return None
            revisions.add(revision)
            if isinstance(down, str):
                parents.add(down)
            elif isinstance(down, tuple) and all(isinstance(d, str) for d in down):
                parents.update(down)
            elif down is not None:
                return None
    except (OSError, SyntaxError, ValueError):
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None
