"""hub.search knows no app: the apps register what they offer (hub never imports discussions or workplan)."""
import ast
from pathlib import Path

import hub.search

FORBIDDEN = ("discussions", "workplan", "hub.library")


def test_hub_search_imports_no_app_that_registers_with_it():
    offenders = []
    for path in Path(hub.search.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {name}" for name in names
                          if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)]
    assert offenders == []
