"""Imports point down only (base < core < services < adapters), and each engine has one home."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "src" / "clustergraph"
LAYERS = {"base": 0, "core": 1, "services": 2, "adapters": 3}
#: Third-party modules that only one place may import (STYLE.md §1).
HOMES = {
    "pyshacl": ("services/validation.py",),
    "owlready2": ("services/reasoning.py",),
    "click": ("adapters/cli/",),
    "starlette": ("adapters/server/",),
    "uvicorn": ("adapters/server/", "adapters/cli/"),
    "SPARQLWrapper": ("core/remote.py",),
}


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_imports_point_down_only() -> None:
    offenders = []
    for path in modules():
        rel = path.relative_to(PACKAGE)
        layer = LAYERS.get(rel.parts[0]) if len(rel.parts) > 1 else None
        if layer is None:
            continue  # the package's __init__ and api.py sit above every layer
        for line, name in imports(path):
            parts = name.split(".")
            if parts[0] == "clustergraph" and len(parts) > 1 and LAYERS.get(parts[1], -1) > layer:
                offenders.append(f"{rel}:{line}: imports {name} from a higher layer")
    assert not offenders, "\n".join(offenders)


def test_each_engine_is_imported_in_one_place_only() -> None:
    offenders = []
    for path in modules():
        rel = path.relative_to(PACKAGE).as_posix()
        for line, name in imports(path):
            homes = HOMES.get(name.split(".")[0])
            if homes and not rel.startswith(homes):
                offenders.append(f"{rel}:{line}: imports {name}, which belongs in {' or '.join(homes)}")
    assert not offenders, "\n".join(offenders)


def test_the_layer_check_catches_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from clustergraph.adapters.cli import main\n")
    assert imports(bad) == [(1, "clustergraph.adapters.cli")]
