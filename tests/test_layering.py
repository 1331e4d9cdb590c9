"""The import rules that keep every concern in one room (CONVENTIONS.md, "Layout").

1. Apps import one way: discussions → workplan → hub, and the library (hub/library) → workplan → hub.
   discussions and the library never import each other.
2. The top of `discussions/` never imports its own subpackages (moderation, secretariat, interchange, demo):
   its urls.py includes them by dotted path, and only entry points (urls, apps, management commands) name them.
3. Nobody imports another package's private names (`from discussions.moderation.selectors import _in_scope`).

Imports inside functions count too: they are how cycles hide.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("hub", "workplan", "discussions")
# Which apps each app may import from (itself always).
ALLOWED = {
    "hub": set(),
    "workplan": {"hub"},
    "library": {"hub", "workplan"},
    "discussions": {"hub", "workplan"},
}
# Top-level modules of discussions that may name its subpackages: they wire the parts together.
ENTRY_POINTS = {"urls", "apps"}


def app_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "hub" and len(parts) > 1 and parts[1] == "library":
        return "library"
    return parts[0] if parts[0] in APPS else None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imports(path: Path):
    """(imported module, imported names, line) for every import in the file, at any depth."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield target, [alias.name for alias in node.names], node.lineno


def _subpackages() -> set[str]:
    return {p.parent.name for p in (ROOT / "discussions").glob("*/__init__.py")} - {"migrations", "management", "templatetags"}


def violations() -> list[str]:
    found = []
    subpackages = _subpackages()
    for path in source_files():
        module = module_name(path)
        app = app_of(module)
        where = f"{path.relative_to(ROOT)}"
        top = ROOT / "discussions"
        in_discussions_top = path.parent in (top, top / "templatetags") and path.stem not in ENTRY_POINTS
        for target, names, line in imports(path):
            target_app = app_of(target)
            if target_app and target_app != app and target_app not in ALLOWED[app]:
                found.append(f"{where}:{line} {app} imports {target} ({target_app}): apps import one way")
            tparts = target.split(".")
            if in_discussions_top and len(tparts) > 1 and tparts[0] == "discussions" and tparts[1] in subpackages:
                found.append(f"{where}:{line} the top of discussions imports its subpackage {target}")
            if target_app:
                own_package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                target_package = target.rpartition(".")[0]
                for name in names:
                    if name.startswith("_") and not name.startswith("__") and target != module \
                            and not target.startswith(own_package + ".") and target_package != own_package:
                        found.append(f"{where}:{line} imports the private name {name} from {target}")
    return found


def test_the_import_rules_hold():
    assert violations() == []


@pytest.mark.parametrize("source, expected", [
    ("from discussions.models import Comment\n", "apps import one way"),
    ("from discussions.moderation.selectors import _in_scope\n", "private name"),
])
def test_the_check_fails_on_a_back_import_or_a_private_name(tmp_path, monkeypatch, source, expected):
    planted = ROOT / "workplan" / "_layering_probe.py"
    planted.write_text(source, encoding="utf-8")
    try:
        assert any(expected in v and "_layering_probe" in v for v in violations())
    finally:
        planted.unlink()


def test_the_check_fails_when_the_top_of_discussions_imports_a_subpackage():
    planted = ROOT / "discussions" / "_layering_probe.py"
    planted.write_text("from discussions.moderation import comment_publish\n", encoding="utf-8")
    try:
        assert any("imports its subpackage" in v and "_layering_probe" in v for v in violations())
    finally:
        planted.unlink()
