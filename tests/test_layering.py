"""The import rules that keep every concern in one room (CONVENTIONS.md, "Layout").

1. Apps import one way: discussions → workplan → hub, and the library (hub/library) → workplan → hub.
   discussions and the library never import each other.
2. The top of `discussions/` never imports its own subpackages (moderation, secretariat, interchange, demo):
   its urls.py includes them by dotted path, and only entry points (urls, apps, management commands) name them.
3. Nobody imports another package's private names (`from discussions.moderation.selectors import _in_scope`), nor
   reaches them through a module (`from discussions.moderation import selectors` ... `selectors._in_scope`).

Imports inside functions count too: they are how cycles hide. `from discussions import moderation` reaches the
subpackage as surely as `from discussions.moderation import ...` does.
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


def is_project_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def source_files():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _resolve(node: ast.ImportFrom, path: Path) -> str:
    if not node.level:
        return node.module or ""
    module = module_name(path)
    base = (module if path.name == "__init__.py" else module.rpartition(".")[0]).split(".")
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join(base + ([node.module] if node.module else []))


def imports(path: Path, tree: ast.AST):
    """(imported module, imported names, line) for every import in the file, at any depth. A name imported from a
    package that is itself a module (`from discussions import moderation`) also counts as importing that module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, path)
            names = [alias.name for alias in node.names]
            yield target, names, node.lineno
            for name in names:
                if is_project_module(f"{target}.{name}"):
                    yield f"{target}.{name}", [], node.lineno


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def private_attributes(path: Path, tree: ast.AST):
    """(module, private attribute, line) for every `module._name` where `module` is a project module bound by an
    import (`import a.b as m`, `from a import b`)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, path)
            for alias in node.names:
                if is_project_module(f"{target}.{alias.name}"):
                    bound[alias.asname or alias.name] = f"{target}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            dotted = _dotted(node.value)
            if dotted is None or dotted.split(".")[0] not in bound:
                continue
            first, _, rest = dotted.partition(".")
            module = bound[first] + (f".{rest}" if rest else "")
            if is_project_module(module):
                yield module, node.attr, node.lineno


def _foreign(path: Path, target: str) -> bool:
    """Whether `target` is outside the importing module's own package (private names are shared inside it)."""
    module = module_name(path)
    own_package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return target != module and not target.startswith(own_package + ".") and target.rpartition(".")[0] != own_package


def _subpackages() -> set[str]:
    return {p.parent.name for p in (ROOT / "discussions").glob("*/__init__.py")} - {"migrations", "management", "templatetags"}


def violations() -> list[str]:
    found = []
    subpackages = _subpackages()
    top = ROOT / "discussions"
    for path in source_files():
        app = app_of(module_name(path))
        where = f"{path.relative_to(ROOT)}"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_discussions_top = path.parent in (top, top / "templatetags") and path.stem not in ENTRY_POINTS
        for target, names, line in imports(path, tree):
            target_app = app_of(target)
            if target_app and target_app != app and target_app not in ALLOWED[app]:
                found.append(f"{where}:{line} {app} imports {target} ({target_app}): apps import one way")
            tparts = target.split(".")
            if in_discussions_top and len(tparts) > 1 and tparts[0] == "discussions" and tparts[1] in subpackages:
                found.append(f"{where}:{line} the top of discussions imports its subpackage {target}")
            if target_app and _foreign(path, target):
                for name in names:
                    if name.startswith("_") and not name.startswith("__"):
                        found.append(f"{where}:{line} imports the private name {name} from {target}")
        for module, name, line in private_attributes(path, tree):
            if app_of(module) and _foreign(path, module):
                found.append(f"{where}:{line} reaches the private name {name} of {module}")
    return sorted(set(found))


def test_the_import_rules_hold():
    assert violations() == []


def _planted(where: Path, source: str) -> list[str]:
    planted = where / "_layering_probe.py"
    planted.write_text(source, encoding="utf-8")
    try:
        return [v for v in violations() if "_layering_probe" in v]
    finally:
        planted.unlink()


@pytest.mark.parametrize("source, expected", [
    ("from discussions.models import Comment\n", "apps import one way"),
    ("def later():\n    from discussions import models\n", "apps import one way"),
    ("from discussions.moderation.selectors import _in_scope\n", "private name"),
    ("from discussions.moderation import selectors\nselectors._in_scope\n", "private name"),
    ("import discussions.permissions as p\np._listed_ids(None)\n", "private name"),
])
def test_the_check_fails_on_a_back_import_or_a_private_name(source, expected):
    assert any(expected in v for v in _planted(ROOT / "workplan", source))


@pytest.mark.parametrize("source", [
    "from discussions.moderation import comment_publish\n",
    "from discussions import moderation\n",
    "def later():\n    from discussions.moderation import publish\n",
])
def test_the_check_fails_when_the_top_of_discussions_imports_a_subpackage(source):
    assert any("imports its subpackage" in v for v in _planted(ROOT / "discussions", source))


def test_a_package_may_share_private_names_inside_itself():
    """moderation/publish.py may use moderation/_common.py's private helpers: they are one package."""
    assert _planted(ROOT / "discussions" / "moderation", "from discussions.moderation._common import _x\n") == []
