"""SHACL validation on the store: compiled shapes first, pyshacl for what they cannot compile.

services/validation/compiler.py compiles each shape that has targets into SPARQL run on the store, reading
the shapes with services/validation/shapesgraph.py. A shape using anything else (sh:closed,
sh:qualifiedValueShape, sh:lessThan, sh:languageIn, sh:target, `$shapesGraph` ...) is never
skipped: it is validated by the reference engine in shacl.py, on the shapes graph with the
compiled shapes' targets removed. Results are the same `Result` values that engine gives (focus
node, path, value, severity, source shape, component).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Identifier

from clustergraph.base.terms import SCRATCH_GRAPHS
from clustergraph.core.results import Triples
from clustergraph.core.store import EmbeddedStore, QueryOptions, Store
from clustergraph.services.sparql import text
from clustergraph.services.validation.compiler import Compiler, Focus
from clustergraph.services.validation.report import Report, Result, compared
from clustergraph.services.validation.shacl import Shapes, store_graph, validate_graph
from clustergraph.services.validation.shapesgraph import Unsupported, top_shapes


@dataclass(frozen=True)
class Outcome:
    """What the compiled engine found, and the shapes it handed to the reference engine."""

    results: tuple[Result, ...]
    delegated: tuple[Identifier, ...]


def run_compiled(store: Store, shapes: Graph, *, focus: Focus | None = None,
                 dataset: QueryOptions = QueryOptions(name="compiled shape"),
                 only: set[Identifier] | None = None) -> Outcome:
    """Validate the store against every shape with targets that compiles; list the others.

    `focus` replaces every target by the focus nodes listed for it, `dataset` says which graphs the
    queries read, `only` which top shapes to run (all when None). Never changes the store.
    The delegated shapes must be validated by the reference engine.
    """
    compiler = Compiler(shapes, store, focus=focus, dataset=dataset)
    results: list[Result] = []
    delegated: list[Identifier] = []
    for shape in top_shapes(shapes):
        if only is not None and shape not in only:
            continue
        try:
            target = compiler.top_target(shape)
            if target is not None:
                results += [compiler.as_written(r) for r in compiler.evaluate(shape, target)]
        except Unsupported:
            delegated.append(shape)
    return Outcome(tuple(results), tuple(delegated))


def residual(shapes: Graph, delegated: tuple[Identifier, ...]) -> Graph:
    """A copy of `shapes` in which only the `delegated` shapes keep their targets."""
    targets = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
    kept = set(delegated)
    out = Graph(bind_namespaces="none")
    for s, p, o in shapes:
        if p in targets and s not in kept:
            continue
        if p == RDF.type and o in (RDFS.Class, OWL.Class) and s not in kept:
            continue
        out.add((s, p, o))
    return out


def validate_compiled(store: Store, shapes: Shapes) -> list[Result]:
    """All results of the store against `shapes`: compiled where possible, the rest by pyshacl.

    Raises InputError when the reference engine cannot use a delegated shape.
    """
    outcome = run_compiled(store, shapes.graph)
    results = list(outcome.results)
    if outcome.delegated:
        rest = Shapes(residual(shapes.graph, outcome.delegated), shapes.files)
        results += validate_graph(store_graph(store), rest)
    return results


_STORE_TRIPLES = text("fastvalidation-store-triples")


def validate_with_sparql(store: Store, shapes: Shapes, added: list[ox.Quad], checked: tuple[str, ...]) -> Report:
    """`validate` with the compiled engine: the store, with the `added` quads of `checked` files.

    Never changes the store: the files are validated in an in-memory copy of it. A result is
    pre-existing when the store alone has it, otherwise introduced.
    """
    if not added:
        return compared(validate_compiled(store, shapes), None, checked)
    copied = store.query(_STORE_TRIPLES)
    assert isinstance(copied, Triples)
    graph = ox.NamedNode(SCRATCH_GRAPHS + "validation")
    with EmbeddedStore() as scratch:
        scratch.add_quads([ox.Quad(t.subject, t.predicate, t.object, graph) for t in copied.triples]
                          + [ox.Quad(q.subject, q.predicate, q.object, graph) for q in added])
        found = validate_compiled(scratch, shapes)
    return compared(found, validate_compiled(store, shapes), checked)
