"""SHACL with pyshacl, the reference engine: shapes, the RDF documents to check, and the one call
to pyshacl (`validate_graph`). Only this module imports pyshacl.

pyshacl is handed rdflib graphs built from pyoxigraph-parsed terms with rdflib's literal
normalisation off, so `"1"^^xsd:boolean` stays `"1"` (the W3C suite checks it).
services/validation/run.py validates in the context of the store with it; the compiled engine
(services/validation/fastvalidation.py, services/validation/delta.py) hands it the shapes it cannot compile.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from pyshacl.errors import ReportableRuntimeError
from pyshacl.monkey import rdflib_bool_patch, rdflib_bool_unpatch
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SH
from rdflib.term import Identifier, Node

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.core.config import Limits
from clustergraph.core.rdfio import parse_file, parse_text
from clustergraph.core.results import Triples, to_rdflib
from clustergraph.core.store import Store
from clustergraph.services.sparql import text
from clustergraph.services.validation.report import Result, compact

Triple = tuple[Identifier, Identifier, Identifier]
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


@dataclass(frozen=True)
class RdfInput:
    """One RDF document: a file, bytes in a format, or quads already parsed (exactly one of them).

    `name` is what errors and reports call it. `base_iri` resolves relative IRIs (otherwise
    errors). `check_literals` False keeps ill-typed literals (test suites that are about them).
    """

    name: str
    path: Path | None = None
    data: bytes | None = None
    fmt: RdfFormat | None = None
    quads: tuple[ox.Quad, ...] | None = None
    base_iri: str | None = None
    check_literals: bool = True
    #: The bytes `quads` were made from (a spreadsheet), for the batch's checksum.
    original: bytes | None = None

    def __post_init__(self) -> None:
        given = sum(x is not None for x in (self.path, self.data, self.quads))
        if given != 1:
            raise ValueError("RdfInput needs exactly one of path, data, quads")

    @classmethod
    def of(cls, source: Path | RdfInput) -> RdfInput:
        return source if isinstance(source, RdfInput) else cls(name=str(source), path=source)


@dataclass(frozen=True, eq=False)
class Shapes:
    """A checked shapes graph; `files` maps each shapes file to the subjects it describes."""

    graph: Graph
    files: dict[str, frozenset[Identifier]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The shapes file, or 'shapes' when there are several."""
        return next(iter(self.files)) if len(self.files) == 1 else "shapes"

    def file_of(self, node: Identifier) -> str:
        """The shapes file that describes `node` (the first one), or 'shapes' if none does."""
        return next((name for name, subjects in self.files.items() if node in subjects), "shapes")


# -- reading input ---------------------------------------------------------------------------------

def read_quads(source: Path | RdfInput, limits: Limits = Limits()) -> list[ox.Quad]:
    """The quads of one document, parsed strictly and streamed, within `limits`.

    Raises InputError (file, line, column where known) for a syntax error, an ill-typed literal,
    a relative or malformed IRI, an unknown syntax, an empty document or one past the limits.
    """
    src = RdfInput.of(source)
    if src.quads is not None:
        quads = list(src.quads)
    elif src.data is not None:
        if len(src.data) > limits.max_bytes:
            raise _too_big(src.name, f"{len(src.data):,} bytes", f"{limits.max_bytes:,} bytes")
        fmt = src.fmt or RdfFormat.from_suffix(src.name)
        quads = parse_text(src.data, fmt, name=src.name, base_iri=src.base_iri)
    else:
        assert src.path is not None
        fmt = src.fmt or RdfFormat.from_suffix(src.path)
        size = src.path.stat().st_size if src.path.is_file() else 0
        if size > limits.max_bytes:
            raise _too_big(src.name, f"{size:,} bytes", f"{limits.max_bytes:,} bytes")
        quads = []
        for quad in parse_file(src.path, fmt, base_iri=src.base_iri, check_literals=src.check_literals):
            quads.append(quad)
            if len(quads) > limits.max_triples:
                raise _too_big(src.name, "more triples", f"{limits.max_triples:,} triples")
    if len(quads) > limits.max_triples:
        raise _too_big(src.name, f"{len(quads):,} triples", f"{limits.max_triples:,} triples")
    if not quads:
        raise InputError("the file holds no triples", path=src.name, consequence="nothing was loaded")
    return quads


def _too_big(name: str, size: str, limit: str) -> InputError:
    return InputError(f"{size} is more than the {limit} one check holds in memory",
                      path=name, consequence="split it into smaller files; nothing was loaded")


def to_graph(triples: Iterable[ox.Quad | ox.Triple], name: str = "input") -> Graph:
    """An rdflib graph of the triples (graph names dropped), keeping every literal as written."""
    graph = Graph(bind_namespaces="none")
    rdflib_log = logging.getLogger("rdflib.term")
    level = rdflib_log.level
    rdflib_log.setLevel(logging.ERROR)  # ill-typed literals are kept on purpose; no log noise
    try:
        for t in triples:
            graph.add(_triple(t, name))
    finally:
        rdflib_log.setLevel(level)
    return graph


def rdf_triples(items: Iterable[ox.Quad | ox.Triple], name: str = "input") -> set[Triple]:
    """The triples of `items` as rdflib terms (graph names dropped), literals as written."""
    return set(_triples(to_graph(items, name)))


def _triple(t: ox.Quad | ox.Triple, name: str) -> Triple:
    try:
        s, p, o = to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)
    except TypeError as exc:
        raise InputError(f"RDF-star triple terms are not supported ({t})", path=name) from exc
    assert s is not None and p is not None and o is not None
    return s, p, o


_STORE_TRIPLES = text("shacl-store-triples")


def store_graph(store: Store) -> Graph:
    """The union of the store's graphs as one rdflib graph."""
    result = store.query(_STORE_TRIPLES)
    assert isinstance(result, Triples)
    return to_graph(result.triples, store.location)


# -- shapes ----------------------------------------------------------------------------------------

def load_shapes(source: Path | Sequence[Path | RdfInput], *, strict: bool = True) -> Shapes:
    """Parse the shapes (a folder of *.ttl, one file, or documents) and check they are SHACL.

    As SHACL reads shapes, only the literal "true" is a true xsd:boolean ("1" is not). `strict`
    also checks the shapes graph against SHACL-for-SHACL and refuses any sh: term SHACL does not
    define; only test suites that mix data into their shapes graphs turn it off.
    Raises InputError naming the file for a file that does not parse, a folder without shapes,
    or (when strict) a shapes graph that breaks SHACL-for-SHACL or uses an unknown sh: term.
    """
    if isinstance(source, Path) and source.is_dir():
        sources: Sequence[Path | RdfInput] = sorted(source.glob("*.ttl"))
        if not sources:
            raise InputError("no shapes files (*.ttl) here", path=source)
    elif isinstance(source, Path):
        sources = [source]
    else:
        sources = source
    graph = Graph(bind_namespaces="none")
    files: dict[str, frozenset[Identifier]] = {}
    for item in sources:
        src = RdfInput.of(item)
        quads = read_quads(src, Limits())
        rdflib_bool_patch()  # what pyshacl does when it parses shapes itself
        try:
            part = to_graph(quads, src.name)
        finally:
            rdflib_bool_unpatch()
        files[src.name] = frozenset(_ids(part.subjects()))
        graph += part
    _import_prefixes(graph)
    shapes = Shapes(graph, files)
    if strict:
        _check_vocabulary(shapes)
        _check_shacl_shacl(shapes)
    return shapes


def _import_prefixes(graph: Graph) -> None:
    """Give each sh:prefixes node the sh:declare values of what it owl:imports, transitively.

    SHACL collects prefixes along sh:prefixes/owl:imports*/sh:declare; pyshacl follows no
    owl:imports there, so the closure is written into the (private) shapes graph.
    """
    for node in set(graph.objects(None, SH.prefixes)):
        seen: set[Node] = set()
        todo: list[Node] = [node]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo += list(graph.objects(current, OWL.imports))
        for other in seen - {node}:
            for declaration in list(graph.objects(other, SH.declare)):
                graph.add((node, SH.declare, declaration))


@lru_cache(maxsize=1)
def _shacl_graphs() -> tuple[Shapes, frozenset[URIRef]]:
    """SHACL-for-SHACL (shipped by pyshacl) and the terms the SHACL vocabulary defines."""
    assets = resources.files(pyshacl) / "assets"
    with resources.as_file(assets / "shacl-shacl.ttl") as shsh, resources.as_file(assets / "shacl.ttl") as vocab:
        meta = Shapes(to_graph(read_quads(shsh)), {"shacl-shacl.ttl": frozenset()})
        terms = frozenset(s for s in to_graph(read_quads(vocab)).subjects()
                          if isinstance(s, URIRef) and s.startswith(str(SH)))
    return meta, terms


def _check_vocabulary(shapes: Shapes) -> None:
    _, known = _shacl_graphs()
    for s, p, o in sorted(_triples(shapes.graph), key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        for term in (p, o):
            if isinstance(term, URIRef) and term.startswith(str(SH)) and term not in known:
                local = term[len(str(SH)):]
                near = difflib.get_close_matches(local, [k[len(str(SH)):] for k in known], n=1)
                hint = f" (did you mean sh:{near[0]}?)" if near else ""
                raise InputError(f"{compact(s)} uses sh:{local}, which is not SHACL{hint}",
                                 path=shapes.file_of(s), consequence="nothing was checked")


def _check_shacl_shacl(shapes: Shapes) -> None:
    meta, _ = _shacl_graphs()
    results = validate_graph(shapes.graph, meta)
    if results:
        first = min(results, key=lambda r: (shapes.file_of(r.focus_node), str(r.focus_node)))
        where = compact(first.focus_node)
        if first.path is not None:
            where += f" ({compact(first.path)})"
        value = f", value {compact(first.value)}" if first.value is not None else ""
        raise InputError(f"{where} is not valid SHACL: {first.message}{value}",
                         path=shapes.file_of(first.focus_node), consequence="nothing was checked")


# -- the reference engine--------------------------------------------------------------------------------

def validate_graph(data: Graph, shapes: Shapes) -> list[Result]:
    """Validate `data` against `shapes` with pyshacl; results labelled introduced (the caller relabels).

    Raises InputError when pyshacl cannot use the shapes (an unsupported or ill-formed SPARQL
    constraint, a shape it cannot load).
    """
    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes.graph, inference="none", advanced=False,
                                        inplace=True, allow_warnings=False, allow_infos=False)
    except (ReportableRuntimeError, NotImplementedError) as exc:
        raise _unusable(shapes, exc) from exc
    if not isinstance(report, Graph):  # pyshacl returns, not raises, a ValidationFailure
        raise _unusable(shapes, report)
    # Only the report's own results: pyshacl also types the nested sh:detail results.
    return [_result(report, node) for root in report.subjects(RDF.type, SH.ValidationReport)
            for node in report.objects(root, SH.result)]


def _unusable(shapes: Shapes, exc: object) -> InputError:
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()
    return InputError(f"the shapes cannot be used: {text[0] if text else type(exc).__name__}",
                      path=shapes.name, consequence="nothing was checked")


def _result(report: Graph, node: Node) -> Result:
    def one(p: URIRef) -> Identifier | None:
        return next(_ids(report.objects(node, p)), None)

    path = one(SH.resultPath)
    focus, shape, constraint, severity = (one(SH.focusNode), one(SH.sourceShape),
                                          one(SH.sourceConstraintComponent), one(SH.resultSeverity))
    assert focus is not None and shape is not None
    return Result(
        focus_node=focus, path=path, value=one(SH.value), message=_message(report, node),
        severity=URIRef(str(severity or SH.Violation)), source_shape=shape,
        constraint=URIRef(str(constraint)), path_triples=tuple(_described(report, path)),
    )


def _message(report: Graph, node: Node) -> str:
    messages = sorted((m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)),
                      key=lambda m: (m.language not in (None, "en"), m.language or "", str(m)))
    return str(messages[0]) if messages else ""


def _described(graph: Graph, node: Identifier | None) -> Iterator[Triple]:
    """The triples that describe blank node `node` in `graph`, recursively (a complex path)."""
    todo: list[Identifier | None] = [node]
    seen: set[BNode] = set()
    while todo:
        current = todo.pop()
        if not isinstance(current, BNode) or current in seen:
            continue
        seen.add(current)
        for p, o in graph.predicate_objects(current):
            if isinstance(p, Identifier) and isinstance(o, Identifier):
                yield current, p, o
                todo.append(o)


def _ids(nodes: Iterable[Node]) -> Iterator[Identifier]:
    """The RDF terms among `nodes` (rdflib types graph nodes more loosely than terms)."""
    return (n for n in nodes if isinstance(n, Identifier))


def _triples(graph: Graph) -> Iterator[Triple]:
    for s, p, o in graph:
        if isinstance(s, Identifier) and isinstance(p, Identifier) and isinstance(o, Identifier):
            yield s, p, o


def narrowed(shapes: Graph, data: Graph, focus: set[Identifier]) -> Graph:
    """A copy of `shapes` whose shapes target only those of `focus` they target in `data`.

    Validating with it gives exactly the results `data` has for those focus nodes, without
    evaluating any other node. pyshacl's own focus_nodes option is not used: it also filters the
    nested validations of sh:node and drops blank-node focus nodes.
    """
    if not focus:
        return Graph()
    copy = Graph(bind_namespaces="none")
    for t in shapes:
        if t[1] not in _TARGETS:
            copy.add(t)
    for shape in pyshacl.ShapesGraph(shapes).shapes:
        for node in shape.focus_nodes(data) & focus:
            copy.add((shape.node, SH.targetNode, node))
    return copy
