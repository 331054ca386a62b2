"""Other packages are imported through their roots: ``from handoff import Ticket``, never
``from handoff.model import Ticket``. Inside a package its modules import each other freely; a
few modules are public on purpose (listed below with the reason). Run
``python -m tests.public_imports`` to rewrite the imports this test reports.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.imports import imports_of, modules, unit_of
from tests.test_layering import MAY_IMPORT, PACKAGES

ROOT = Path(__file__).resolve().parent.parent

# Modules other packages may import directly, each with its reason.
PUBLIC_MODULES: dict[str, str] = {
    "bot.core.actions": "the actions the core emits: each runtime's vocabulary, as aiogram.types",
    "bot.core.callbacks": "the typed button payloads: what a runtime or a driver presses",
    "bot.core.events": "the events the core takes in: each runtime's vocabulary",
    "handoff.survey": "the survey's steps, called as survey.start(...), survey.answer_csat(...)",
    "handoff.tickets": "the ticket lifecycle, called as tickets.take(...), tickets.close(...)",
    "intents.matching.bench": "the CLI's bench command; scikit-learn, so not loaded by the root",
    "intents.matching.evaluation": "the CLI's eval command; scikit-learn, not loaded by the root",
    "intents.understanding": "the message reader in front of the matcher, as the core calls it",
    "intents.understanding.heldout": "the CLI's eval-heldout: held-out phrase files and scoring",
    "handoff.memory": "the in-memory twin of the storage ports: conversation tests run on it",
    "intents.matching.phrases": "the CLI's eval --phrases; the matcher, not loaded by the root",
    "kb.yamlsource": "the line-numbered YAML reader intents' loader shares",
}

# Units that may reach into any module: benchmarks measure the parts themselves.
ANYWHERE = {"benchmarks"}


def private_imports(
    root: Path,
    units: Mapping[str, object] = MAY_IMPORT,
    public: Mapping[str, str] = PUBLIC_MODULES,
) -> list[str]:
    """Imports of another unit's non-root, non-public module, each with the import to write."""
    tops = sorted({unit.split(".")[0] for unit in units})
    known = modules(root, tops)
    found: list[str] = []
    for module, path in known.items():
        unit = unit_of(module, units)
        if unit is None or unit in ANYWHERE:
            continue
        for imp in imports_of(module, path, known):
            target = unit_of(imp.name, units)
            if target is None or target == unit or imp.name == target or imp.name in public:
                continue
            if any(imp.name.startswith(name + ".") for name in public):
                continue
            found.append(f"{imp.where(root)}: import it from {target} (from {target} import ...)")
    return found


def test_other_packages_are_imported_through_their_roots() -> None:
    assert private_imports(ROOT) == []


@pytest.mark.parametrize("name", sorted(PUBLIC_MODULES))
def test_every_public_module_exists(name: str) -> None:
    importlib.import_module(name)


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


def test_planted_import_of_another_packages_module(tmp_path: Path) -> None:
    tree = _tree(tmp_path, {"storage/x.py": "from handoff.model import Ticket\n"})
    assert private_imports(tree) == [
        "storage/x.py:1: storage.x imports handoff.model: "
        "import it from handoff (from handoff import ...)"
    ]


def test_planted_module_imported_as_a_name_of_its_package(tmp_path: Path) -> None:
    files = {"handoff/ports.py": "", "bot/core/x.py": "from handoff import ports\n"}
    found = private_imports(_tree(tmp_path, files))
    assert found == [
        "bot/core/x.py:1: bot.core.x imports handoff.ports: "
        "import it from handoff (from handoff import ...)"
    ]


def test_planted_relative_reach_into_a_sibling_unit(tmp_path: Path) -> None:
    files = {"bot/runtime/ptb/x.py": "from ..shared import classify_refusal\n"}
    found = private_imports(_tree(tmp_path, files))
    assert found == [
        "bot/runtime/ptb/x.py:1: bot.runtime.ptb.x imports bot.runtime.shared: "
        "import it from bot.runtime (from bot.runtime import ...)"
    ]


def test_roots_public_modules_and_own_modules_are_fine(tmp_path: Path) -> None:
    files = {
        "storage/x.py": "from handoff import Ticket\nfrom storage.y import z\n",
        "intents/x.py": "from kb.yamlsource import load_yaml\n",
        "benchmarks/x.py": "from storage.tables import TicketRow\n",
    }
    tree = _tree(tmp_path, files)
    assert private_imports(tree) == []
    assert len(private_imports(tree, public={})) == 1  # kb.yamlsource, once no longer public


def test_packages_cover_the_tree() -> None:
    assert set(PACKAGES) == {unit.split(".")[0] for unit in MAY_IMPORT}
