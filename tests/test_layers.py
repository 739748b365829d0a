"""Imports point down only (base < core < services < adapters), and each engine has one home."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "src" / "clustergraph"
LAYERS = {"base": 0, "core": 1, "services": 2, "adapters": 3}
#: Third-party modules that only one place may import (STYLE.md §1).
HOMES = {
    "pyshacl": ("services/validation/shacl.py",),
    "owlready2": ("services/reasoning.py",),
    "click": ("adapters/cli/",),
    "starlette": ("adapters/server/",),
    "uvicorn": ("adapters/server/", "adapters/cli/"),
    "SPARQLWrapper": ("core/remote/client.py",),
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


# -- the module import graph --------------------------------------------------------------------

def module_name(path: Path) -> str:
    """`src/clustergraph/core/store.py` -> `clustergraph.core.store`; a package's __init__ is the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree`, at module level and inside functions, except under `if TYPE_CHECKING:`."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        found.append(node)
        if isinstance(node, ast.If) and _is_type_checking(node):
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return found


def package_imports(path: Path, known: set[str]) -> list[tuple[int, str, ast.alias | None]]:
    """(line, module, alias) of every runtime import of a clustergraph module by the module at `path`.

    `from clustergraph.x import y` names the module clustergraph.x.y when that is a module,
    else clustergraph.x (and the alias says which name it takes from it).
    """
    found: list[tuple[int, str, ast.alias | None]] = []
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, None) for a in node.names if a.name.split(".")[0] == "clustergraph"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "clustergraph":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.append((node.lineno, sub, None) if sub in known else (node.lineno, node.module, alias))
    return found


def import_graph() -> dict[str, set[str]]:
    """Each clustergraph module -> the clustergraph modules it imports (at run time)."""
    paths = {module_name(p): p for p in modules()}
    known = set(paths)
    return {name: {m for _, m, _ in package_imports(path, known) if m in known and m != name}
            for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as [a, b, ..., a], or None when it has none (depth-first search)."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path = [start]
        stack = [iter(sorted(graph[start]))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                done.add(path.pop())
            elif nxt in path:
                return path[path.index(nxt):] + [nxt]
            elif nxt not in done:
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_no_module_imports_itself_through_others() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or ())


def test_the_cycle_check_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_private_name_is_imported_from_another_module() -> None:
    paths = {module_name(p): p for p in modules()}
    offenders = []
    for name, path in paths.items():
        for line, module, alias in package_imports(path, set(paths)):
            if alias is not None and alias.name.startswith("_") and not alias.name.startswith("__") \
                    and module != name:
                offenders.append(f"{path.relative_to(PACKAGE)}:{line}: imports {alias.name} from {module}")
    assert not offenders, "\n".join(offenders)


# -- capability packages --------------------------------------------------------------------------

def capability_packages() -> list[Path]:
    """The packages inside services/ and core/ (validation/, steward/, steward/guard/, core/remote/ ...)."""
    return sorted(p.parent for layer in ("services", "core") for p in (PACKAGE / layer).rglob("*/__init__.py"))


def test_each_capability_package_lists_its_modules() -> None:
    offenders = []
    for package in capability_packages():
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
        parts = [p.name for p in package.glob("*.py") if p.name != "__init__.py"]
        parts += [f"{p.parent.name}/" for p in package.glob("*/__init__.py")]
        offenders += [f"{package.relative_to(PACKAGE)}/__init__.py does not list {part}"
                      for part in sorted(parts) if part not in doc]
    assert capability_packages(), "no capability package found"
    assert not offenders, "\n".join(offenders)


def test_each_capability_package_exports_real_names() -> None:
    """Every name of a package's __all__ is there, and none is also one of its modules' names (the
    module would hide the name once imported)."""
    import importlib

    for package in capability_packages():
        module = importlib.import_module(module_name(package / "__init__.py"))
        names = getattr(module, "__all__", [])
        assert names, f"{module.__name__} has no __all__"
        for name in names:
            assert getattr(module, name) is not None, f"{module.__name__}.{name}"
        modules = {p.stem for p in package.glob("*.py")} | {p.parent.name for p in package.glob("*/__init__.py")}
        assert not set(names) & modules, f"{module.__name__} exports a name that is also a module: {set(names) & modules}"


# -- one term library: reserved IRIs, namespaces and the IRI shortener live in base/terms.py ------------

TERMS = PACKAGE / "base" / "terms.py"
#: Strings in code that make an IRI of the project (the ontology's, the data's, a graph's, a reserved urn).
PROJECT_IRI_MARKS = ("urn:x-clustergraph", "urn:clustergraph", "w3id.org/clustergraph")
#: A string constant that is a namespace: an absolute IRI ending where a local name would follow.
NAMESPACE = re.compile(r"(https?://|urn:)\S*[#/:]")
#: Definitions still written outside base/terms.py, and why. base/textquery.py: the command line's --help
#: imports it and must not import rdflib, which base/terms.py does; its value equals the one base/terms.py
#: would give (test_the_copy_left_outside_base_terms_equals_it).
LEFT_OUTSIDE = {
    "base/textquery.py": {"SEARCH_NS", "https://w3id.org/clustergraph/search#"},
}


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes of `tree` (a docstring may well name an IRI)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def reserved_definitions(path: Path) -> set[str]:
    """What `path` defines that belongs in base/terms.py: the names of module-level constants that are a
    namespace string or build an IRI of the project from GRAPH/BASE, and every string in code that holds
    an IRI of the project."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            value = node.value
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in ("URIRef",
                                                                                                     "Namespace"):
                value = value.args[0] if value.args else value
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and NAMESPACE.fullmatch(value.value):
                found |= names
            if any(isinstance(n, ast.Name) and n.id in ("GRAPH", "BASE") for n in ast.walk(value)):
                found |= names
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found |= {m.group(0) for m in re.finditer(r"urn:x?-?clustergraph:\w+|https://w3id\.org/clustergraph\S*",
                                                       node.value)
                      if m.group(0).startswith(PROJECT_IRI_MARKS) or PROJECT_IRI_MARKS[2] in m.group(0)}
    return found


def test_reserved_iris_and_namespaces_are_defined_in_base_terms_only() -> None:
    offenders = []
    for path in modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if path != TERMS:
            found = reserved_definitions(path) - LEFT_OUTSIDE.get(rel, set())
            offenders += [f"{rel}: {name}" for name in sorted(found)]
    assert not offenders, "define these in base/terms.py and import them:\n" + "\n".join(offenders)


def test_the_reserved_iri_check_finds_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text('"""Writes to <urn:x-clustergraph:scratch:a>."""\n'
                   'SKOS = "http://www.w3.org/2004/02/skos/core#"\n'
                   'TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"\n'
                   'BATCHES = str(GRAPH) + "batch/"\n'
                   'def f():\n    return "ASK { GRAPH <urn:clustergraph:mine> {} }"\n')
    assert reserved_definitions(bad) == {"SKOS", "BATCHES", "urn:clustergraph:mine"}


def test_the_copy_left_outside_base_terms_equals_it() -> None:
    from clustergraph.base import terms, textquery

    assert textquery.SEARCH_NS == terms.BASE + "search#"


def shortening_functions(path: Path) -> list[str]:
    """Functions of `path` that shorten an IRI themselves: they loop over a prefix map and test an IRI with
    `startswith` against a namespace the loop gives; and functions named like a shortener that do not
    call base/terms.py's `shorten`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef):
            continue
        loop_names = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.For | ast.comprehension) and any(
                    isinstance(n, ast.Name) and n.id.lower() == "prefixes" for n in ast.walk(inner.iter)):
                loop_names |= {n.id for n in ast.walk(inner.target) if isinstance(n, ast.Name)}
        tests_namespace = any(
            isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr == "startswith"
            and any(isinstance(n, ast.Name) and n.id in loop_names for a in c.args for n in ast.walk(a))
            for c in ast.walk(node))
        calls_shorten = any(isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == "shorten"
                            for c in ast.walk(node))
        named_so = node.name.lstrip("_").startswith(("short", "compact", "prefixed"))
        if tests_namespace or (named_so and not calls_shorten and not node.name.startswith("_shorten")):
            found.append(node.name)
    return found


def test_one_function_shortens_iris() -> None:
    offenders = [f"{path.relative_to(PACKAGE)}: {name}" for path in modules() if path != TERMS
                 for name in shortening_functions(path)]
    assert not offenders, "use base/terms.py's shorten:\n" + "\n".join(offenders)
    assert shortening_functions(TERMS) == ["shorten"]


def test_the_shortener_check_finds_one(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def label(iri):\n"
                   "    for prefix, ns in sorted(PREFIXES.items()):\n"
                   "        if iri.startswith(ns):\n"
                   "            return prefix + ':' + iri[len(ns):]\n"
                   "    return iri\n"
                   "def short(iri):\n    return iri\n"
                   "def wrapper(iri):\n    return shorten(iri)\n")
    assert shortening_functions(bad) == ["label", "short"]
