"""Dependencies point one way: the library may import hub and workplan; hub (outside hub/library) and workplan
never import the library, and the library never imports discussions."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def sources(folder: str, exclude: str | None = None):
    for path in (ROOT / folder).rglob("*.py"):
        if exclude and (ROOT / exclude) in path.parents:
            continue
        yield path


def test_hub_and_workplan_never_import_the_library():
    offenders = [str(path.relative_to(ROOT)) for folder in ("hub", "workplan")
                 for path in sources(folder, exclude="hub/library")
                 if any(name == "hub.library" or name.startswith("hub.library.") for name in imported_modules(path))]
    assert offenders == []


def test_the_library_never_imports_discussions():
    offenders = [str(path.relative_to(ROOT)) for path in sources("hub/library")
                 if any(name == "discussions" or name.startswith("discussions.") for name in imported_modules(path))]
    assert offenders == []
