"""No query text is built by string formatting with a value (issue #19).

Every fixed SPARQL text the program runs is a `.rq` file beside the module that runs it
(services/sparql/, core/sparql/, services/sheets/names-*.rq), read once at import; every value
reaches a query or an update as a binding (Store.query/Store.update(..., bindings=...),
store.bind/bind_rows: N-Triples terms, by a VALUES block in a query, in the variable's place in an
update). Quads written as data (a guarded write, a Graph Store PUT) go through Store.change_quads,
whose one serialiser, core/store.py data_update, writes every term by pyoxigraph in N-Triples.

This test reads the source with `ast`: for every call `.query(TEXT, ...)` (or a store's typed `.select`, `.ask`,
`.construct`), `.update(TEXT, ...)` or `._update(TEXT)` (the remote store's own requests) it follows TEXT back (module constants, local
names, the arguments a helper is called with) and fails on an f-string, `.format`, `%` or `+` that
builds it, and on a SPARQL text written in Python. What is left (ALLOWED) is text the program does
not write itself: a user's own query or update passed through, the SPARQL the shapes compile to,
the worker process relaying its parent's calls, and the DATA blocks of data_update.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import clustergraph
from clustergraph.base.terms import ONTOLOGY_GRAPHS, PREFIXES, SHAPES_GRAPHS
from clustergraph.core.config import Settings
from clustergraph.core.store import EmbeddedStore
from clustergraph.services import checks, describe
from clustergraph.services.checks import INTERNAL_QUERY_DIRS, Repository, query_terms, undeclared_terms
from clustergraph.services.sparql import FOLDER
from conftest import REPO, ontology_project

SRC = Path(clustergraph.__file__).parent

#: Calls that read a text from a .rq file.
LOADERS = {"text", "internal_query", "packaged", "read_text"}
#: Calls that return their first argument with values bound (N-Triples, by the store) or with the
#: project's PREFIX lines or a BASE added, or text-search patterns answered by VALUES of IRIs (the
#: embedded store's own): they keep the text's shape, so the text they are given is judged.
WRAPPERS = {"bind", "bind_rows", "bind_values", "with_prefixes", "with_base", "_answer_text_patterns"}
#: A Store's methods that run a query text: query, and the typed select, ask and construct on top of it.
QUERY_METHODS = ("query", "select", "ask", "construct")
#: The calls whose first argument is a SPARQL text: a store's queries and updates, and the remote
#: store's own update requests.
RUNNERS = (*QUERY_METHODS, "update", "_update")

#: Where a text that is not a loaded .rq file is allowed, and why: (file, function) -> reason;
#: function "*" is the whole file.
ALLOWED: dict[tuple[str, str], str] = {
    # a user's own text, passed through
    ("services/queries.py", "run_sparql"): "the user's own ad-hoc SPARQL text, passed through (with the project's prefixes)",
    ("services/steward/writes.py", "update"): "the steward's own SPARQL Update, passed through (the protocol's "
                                             "using-graph-uri and using-named-graph-uri written as its USING clauses)",
    ("services/steward/guard/plan.py", "_solutions"): "the steward's own update planned: its WHERE group (or its "
                                                      "DELETE WHERE pattern) run as a SELECT",
    # SPARQL generated from the shapes' structure
    ("services/validation/compiler.py", "*"): "the SHACL compiler's SPARQL, generated from the shapes' structure",
    ("services/validation/delta.py", "_affected"): "the focus-node query dependencies.py generates from the shapes' "
                                                   "paths (its seed graphs' IRIs written as N-Triples by term())",
    # the worker process
    ("core/worker.py", "*"): "the writer process runs the Store calls its parent sends; the parent's calls are checked here",
    # the one serialiser of quads as data
    ("core/store.py", "change_quads"): "the DATA blocks of data_update, the one serialiser of quads "
                                       "(every term written by pyoxigraph in N-Triples)",
    ("core/remote/client.py", "change_quads"): "the DATA blocks of data_update (core/store.py), sent as one request",
}


@dataclass(frozen=True)
class Offence:
    path: str
    line: int
    function: str
    why: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} ({self.function}): {self.why}"


class _Module:
    """One module's tree, with what the judging needs: parents, module constants and functions."""

    def __init__(self, tree: ast.Module, path: str) -> None:
        self.tree = tree
        self.path = path
        self.parent: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parent[child] = node
        self.constants: dict[str, list[ast.expr]] = {}
        for stmt in tree.body:
            for name, value in _assignments(stmt):
                self.constants.setdefault(name, []).append(value)
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, []).append(node)

    def scope(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None:
        while node in self.parent:
            node = self.parent[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                return node
        return None

    def calls_to(self, name: str) -> Iterator[ast.Call]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and _called(node) == name:
                yield node


def _assignments(stmt: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                yield target.id, stmt.value
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        yield stmt.target.id, stmt.value


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _params(scope: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[str]:
    a = scope.args
    return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]


def judge(mod: _Module, expr: ast.expr, at: ast.AST, seen: frozenset[int] = frozenset()) -> list[str]:
    """Why `expr` (at node `at`) is not a loaded query text; empty if it is one."""
    if id(expr) in seen:
        return []
    seen = seen | {id(expr)}
    if isinstance(expr, ast.JoinedStr):
        if any(isinstance(v, ast.FormattedValue) for v in expr.values):
            return ["a text built by an f-string"]
        return ["a SPARQL text written in Python (it belongs in a .rq file)"]
    if isinstance(expr, ast.Constant):
        return ["a SPARQL text written in Python (it belongs in a .rq file)"] if isinstance(expr.value, str) else []
    if isinstance(expr, ast.BinOp):
        return [f"a text built by {'%' if isinstance(expr.op, ast.Mod) else '+' if isinstance(expr.op, ast.Add) else 'an operator'}"]
    if isinstance(expr, ast.IfExp):
        return judge(mod, expr.body, at, seen) + judge(mod, expr.orelse, at, seen)
    if isinstance(expr, ast.Call):
        name = _called(expr)
        if name == "format":
            return ["a text built by .format"]
        if name in LOADERS:
            return []
        if name in WRAPPERS and expr.args:
            return judge(mod, expr.args[0], at, seen)
        return [f"the result of {name}(), not a loaded .rq text"]
    if isinstance(expr, ast.Attribute):
        # A catalogue query's text (NamedQuery.text), read from its .rq file.
        return [] if expr.attr == "text" else [f"attribute .{expr.attr}, not a loaded .rq text"]
    if isinstance(expr, ast.Subscript):
        return judge(mod, expr.value, at, seen)
    if isinstance(expr, (ast.Dict, ast.DictComp)):
        values = expr.values if isinstance(expr, ast.Dict) else [expr.value]
        return [why for v in values if v is not None for why in judge(mod, v, at, seen)]
    if isinstance(expr, ast.Name):
        return _judge_name(mod, expr.id, at, seen)
    return [f"an expression ({type(expr).__name__}) that is not a loaded .rq text"]


def _judge_name(mod: _Module, name: str, at: ast.AST, seen: frozenset[int]) -> list[str]:
    scope = mod.scope(at)
    if scope is not None:
        local = [v for node in ast.walk(scope) if isinstance(node, (ast.Assign, ast.AnnAssign))
                 for n, v in _assignments(node) if n == name]
        if local:
            return [why for v in local for why in judge(mod, v, v, seen)]
        for node in ast.walk(scope):  # for role, sparql in _ROLES.items()
            if isinstance(node, (ast.For, ast.comprehension)) and name in {
                    n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}:
                source = node.iter
                if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
                    source = source.func.value
                return judge(mod, source, node, seen)
        if name in _params(scope):
            if isinstance(scope, ast.Lambda):
                return [f"the parameter {name} of a lambda"]
            if scope.name in RUNNERS:
                return []  # a Store's own method: the calls to it are the ones judged
            index = _params(scope).index(name)
            method = bool(scope.args.args) and scope.args.args[0].arg in ("self", "cls")
            found: list[str] = []
            callers = list(mod.calls_to(scope.name))
            if not callers:
                return [f"the parameter {name} of {scope.name}(), called from outside this module"]
            for call in callers:
                given = [k.value for k in call.keywords if k.arg == name]
                position = index - 1 if method and isinstance(call.func, ast.Attribute) else index
                if not given and position < len(call.args):
                    given = [call.args[position]]
                found += [why for g in given for why in judge(mod, g, call, seen)]
            return found
    if name in mod.constants:
        return [why for v in mod.constants[name] for why in judge(mod, v, v, seen)]
    return [f"the name {name}, not a loaded .rq text"]


def offences(source: str, path: str) -> list[Offence]:
    """Every `.query(...)`/`.update(...)` call (or .select/.ask/.construct on a store) of `source` whose text
    is not a loaded .rq text."""
    mod = _Module(ast.parse(source), path)
    found = []
    for node in ast.walk(mod.tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in RUNNERS and node.args):
            continue
        first = node.args[0]
        if isinstance(first, (ast.Dict, ast.DictComp, ast.Set, ast.SetComp, ast.List, ast.ListComp, ast.Tuple,
                              ast.GeneratorExp)) or (node.func.attr != "query" and not _a_store(node.func.value)):
            continue  # a dict's, set's, hash's or progress bar's update; a query builder's list: not SPARQL
        scope = mod.scope(node)
        function = getattr(scope, "name", "<module>") if scope is not None else "<module>"
        for why in dict.fromkeys(judge(mod, first, node)):
            found.append(Offence(path, node.lineno, function, why))
    return found


def _a_store(receiver: ast.expr) -> bool:
    """Whether an .update() (.select() ...) is called on a store (a dict, set, hash or progress bar has one too)."""
    return bool(re.search(r"(^|[._])store$|^s$|^self$", ast.unparse(receiver)))


def _allowed(o: Offence) -> bool:
    return (o.path, o.function) in ALLOWED or (o.path, "*") in ALLOWED


def _source_offences() -> list[Offence]:
    return [o for path in sorted(SRC.rglob("*.py"))
            for o in offences(path.read_text(encoding="utf-8"), path.relative_to(SRC).as_posix())]


def test_no_query_text_is_built_by_formatting_with_a_value() -> None:
    found = [o for o in _source_offences() if not _allowed(o)]
    assert not found, "\n".join(map(str, found))


def test_every_allowance_is_still_needed() -> None:
    used = {(o.path, o.function) for o in _source_offences()} | {(o.path, "*") for o in _source_offences()}
    stale = [key for key in ALLOWED if (SRC / key[0]).is_file() and key not in used]
    assert not stale, f"these allowances have nothing left to allow; remove them: {stale}"


BAD = '''
_T = text("describe-exists")
_DROP = text("client-drop-graph")

def pasted(store, iri):
    return store.query(f"ASK {{ <{iri}> ?p ?o }}")

def by_percent(store, n):
    sparql = "SELECT * WHERE { ?s ?p ?o } LIMIT %d" % n
    return store.query(sparql)

def by_format(store, graph):
    return store.update("DROP GRAPH <{}>".format(graph))

def through_a_helper(store, iri):
    return _run(store, "ASK { <" + iri + "> ?p ?o }")

def inline(store):
    return store.query("ASK { ?s ?p ?o }")

def typed(store, iri):
    return store.ask(f"ASK {{ <{iri}> ?p ?o }}")

def typed_bound(store, iri):
    return store.select(_T, bindings={"x": URIRef(iri)})

def _run(store, sparql):
    return store.query(sparql)

def bound(store, iri):
    return store.query(_T, bindings={"x": URIRef(iri)})

def listed(store, iris):
    return _run(store, bind_rows(_T, ["x"], [[i] for i in iris], "labels"))

def dropped(store, graph):
    store.update(_DROP, bindings={"graph": URIRef(graph)})

def own_request(self, graph):
    self._update(f"DROP SILENT GRAPH <{graph}>")

def not_sparql(out, digest, item, soup):
    out.update({"a": 1})
    digest.update(item)
    soup.select("div > p")
'''


def test_the_check_catches_a_deliberately_bad_module() -> None:
    found = {(o.function, o.why) for o in offences(BAD, "bad.py")}
    assert found == {
        ("pasted", "a text built by an f-string"),
        ("by_percent", "a text built by %"),
        ("by_format", "a text built by .format"),
        ("_run", "a text built by +"),
        ("inline", "a SPARQL text written in Python (it belongs in a .rq file)"),
        ("own_request", "a text built by an f-string"),
        ("typed", "a text built by an f-string"),
    }


# -- the .rq files themselves -------------------------------------------------------------------

def _internal_files() -> list[Path]:
    return sorted(p for folder in INTERNAL_QUERY_DIRS for p in folder.glob("*.rq"))


@pytest.mark.parametrize("path", _internal_files(), ids=lambda p: p.name)
def test_an_internal_query_declares_prefixes_as_the_project_does(path: Path) -> None:
    declared = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^>]*)>", path.read_text(encoding="utf-8")))
    wrong = {p: iri for p, iri in declared.items() if p in PREFIXES and PREFIXES[p] != iri}
    assert not wrong
    graphs = set(re.findall(r'"(https://w3id.org/clustergraph/graph/[^"]*)"', path.read_text(encoding="utf-8")))
    assert graphs <= {ONTOLOGY_GRAPHS, SHAPES_GRAPHS}


@pytest.mark.parametrize("path", _internal_files(), ids=lambda p: p.name)
def test_an_internal_query_says_what_it_asks_on_its_first_line(path: Path) -> None:
    assert re.match(r"#(\+ summary:)? \S", path.read_text(encoding="utf-8"))  # a comment, or a catalogue summary


def test_the_page_limits_written_in_the_queries_are_page_rows() -> None:
    assert f"LIMIT {describe.PAGE_ROWS * 4}" in (FOLDER / "describe-properties.rq").read_text(encoding="utf-8")
    assert f"LIMIT {describe.PAGE_ROWS * 4}" in (FOLDER / "describe-claims.rq").read_text(encoding="utf-8")
    assert f"LIMIT {describe.PAGE_ROWS + 1}" in (FOLDER / "describe-incoming.rq").read_text(encoding="utf-8")
    labels = (FOLDER / "describe-labels.rq").read_text(encoding="utf-8")
    assert "|".join(describe.LABEL_PROPERTIES) in labels


def test_every_check_query_has_a_summary() -> None:
    assert set(checks.VIOLATIONS) == {"duplicate-label", "missing-documentation", "missing-preflabel",
                                      "bad-definition", "deprecation"}
    assert all(q.summary for q in checks.VIOLATIONS.values())


def test_a_misspelt_term_in_an_internal_query_is_an_undeclared_term(tmp_path: Path) -> None:
    folder = tmp_path / "sparql"
    folder.mkdir()
    (folder / "describe-typo.rq").write_text(
        "PREFIX cg: <https://w3id.org/clustergraph/ontology#>\nSELECT ?x WHERE { ?x a cg:Clustr }\n", encoding="utf-8")
    assert [t for _, _, t in query_terms(folder)] == ["https://w3id.org/clustergraph/ontology#Clustr"]
    repo = Repository(EmbeddedStore(), {}, tmp_path, tmp_path / "queries", (folder,))
    assert [f.message for f in undeclared_terms(repo)] == [
        "sparql/describe-typo.rq:2: cg:Clustr is not declared in ontology/ (misspelt?)"]


def test_the_internal_query_folders_are_read_by_the_check() -> None:
    assert FOLDER in INTERNAL_QUERY_DIRS
    assert any(True for _ in query_terms(FOLDER))


def test_the_repository_check_reads_the_internal_queries_of_its_own_source_only(tmp_path: Path) -> None:
    if (REPO / "src" / "clustergraph").resolve() == SRC.resolve():
        assert checks.load_repository(Settings(root=REPO)).internal_dirs == INTERNAL_QUERY_DIRS
    assert checks.load_repository(Settings(root=ontology_project(tmp_path / "p"))).internal_dirs == ()
