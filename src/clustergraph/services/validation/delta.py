"""Delta validation: a change checked on the focus nodes it can affect, in the store itself.

A change is a batch of added quads (a file to validate or ingest) and graphs to remove (a batch
to retract). It is never applied: the added quads go into a scratch named graph of the store for
the time of the check and are removed after it (also when it fails; an on-disk store removes
the scratch graphs a killed process left when it next opens); removed graphs are left out of
the queries' dataset. services/validation/dependencies.py turns the shapes into patterns that find the
focus nodes the changed edges can affect (their subjects and objects, the nodes that reach them
through the shapes' paths, inverse and sequence paths included, new targets through rdf:type,
rdfs:subClassOf, sh:targetSubjectsOf and sh:targetObjectsOf, and what the SPARQL constraints
join). Only those focus nodes are validated, by the compiled engine, on the store with the
change and on the store without it; a result is pre-existing when it is found without the
change too, otherwise introduced. Nothing of the store is read into Python but results.

Shapes whose reads cannot be bounded are validated in full (still on the store). Shapes the
compiler hands to pyshacl are validated by pyshacl on those focus nodes only, but pyshacl needs
the data in memory: the store is read whole then (never with the project's shapes).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Identifier

from clustergraph.core.results import Solutions, Triples, to_oxigraph, to_rdflib
from clustergraph.core.store import SCRATCH_GRAPHS, QueryOptions, Store, bind, bind_rows
from clustergraph.services.sparql import text
from clustergraph.services.validation.compiler import Focus
from clustergraph.services.validation.dependencies import Reads, reads
from clustergraph.services.validation.fastvalidation import residual, run_compiled
from clustergraph.services.validation.report import Origin, Report, Result, sort_key, with_origin
from clustergraph.services.validation.shacl import Shapes, narrowed, rdf_triples, store_graph, validate_graph
from clustergraph.services.validation.shapesgraph import ShapesGraph, term, top_shapes


@dataclass(frozen=True)
class Scratch:
    """The scratch graphs of one check: the unapplied batch, and the lists of focus nodes.

    Named anew for every check, so that checks running at once on one (remote) store never
    touch each other's graphs.
    """

    batch: URIRef
    focus: URIRef

    @classmethod
    def new(cls) -> Scratch:
        run = uuid.uuid4().hex
        return cls(URIRef(f"{SCRATCH_GRAPHS}delta-{run}"), URIRef(f"{SCRATCH_GRAPHS}focus-{run}"))


@dataclass(frozen=True)
class View:
    """The store with or without the change: which graphs the queries read."""

    options: QueryOptions

    @classmethod
    def union(cls) -> View:
        return cls(QueryOptions(name="delta validation"))

    @classmethod
    def graphs(cls, default: Sequence[URIRef], named: Sequence[URIRef]) -> View:
        return cls(QueryOptions(name="delta validation", default_graphs=tuple(map(str, default)),
                                named_graphs=tuple(map(str, named))))


def validate_delta(store: Store, shapes: Shapes, added: Sequence[ox.Quad] = (),
                   removed_graphs: Sequence[URIRef] = (), *, checked: tuple[str, ...] = ()) -> Report:
    """Validate the focus nodes that adding `added` and removing `removed_graphs` can affect.

    Never changes the store for good: `added`, and the lists of focus nodes, sit in scratch
    graphs during the check only. Results are those of the affected focus nodes (all results
    of shapes that cannot be bounded), labelled introduced or pre-existing, ordered as
    `validate` orders them. Raises InputError when pyshacl cannot use a shape the compiler
    hands it.
    """
    shape_reads = reads(ShapesGraph(shapes.graph))
    scratch = Scratch.new()
    keep: list[URIRef] = []
    if removed_graphs:
        keep = [g for g in _graphs(store) if g not in set(removed_graphs) and not str(g).startswith(SCRATCH_GRAPHS)]
    try:
        focus = _affected(store, shape_reads, list(removed_graphs), View.union()) if removed_graphs else set()
        batch = ox.NamedNode(str(scratch.batch))
        store.add_quads([ox.Quad(q.subject, q.predicate, q.object, batch) for q in added])
        after = (View.graphs(keep + [scratch.batch], [scratch.batch, scratch.focus]) if removed_graphs
                 else View.union())
        if added:
            focus |= _affected(store, shape_reads, [scratch.batch], after)
        if not shape_reads.literal_targets:
            focus = {n for n in focus if not isinstance(n, Literal)}
        found = _check(store, shapes, shape_reads, focus, after, scratch, extra=added, without=removed_graphs)
        store.remove_graph(scratch.batch)
        # without the change: the affected focus nodes as the store has them now, so that what the
        # change repairs is seen (resolved) as well as what it causes (introduced)
        before_found = _check(store, shapes, shape_reads, focus, View.union(), scratch)
    finally:
        store.remove_graph(scratch.batch)
        store.remove_graph(scratch.focus)
    before = {r.key for r in before_found}
    labelled = [with_origin(r, Origin.PRE_EXISTING if r.key in before else Origin.INTRODUCED) for r in found]
    labelled.sort(key=sort_key)
    return Report(conforms=not labelled, results=tuple(labelled), checked=checked,
                  resolved=resolved(before_found, labelled))


def resolved(before: Sequence[Result], after: Sequence[Result]) -> tuple[Result, ...]:
    """The results of `before` that `after` no longer has, labelled resolved, in report order."""
    now = {r.key for r in after}
    gone: dict[tuple[Identifier | None, ...], Result] = {}
    for r in before:
        if r.key not in now:
            gone.setdefault(r.key, with_origin(r, Origin.RESOLVED))
    return tuple(sorted(gone.values(), key=sort_key))


_GRAPHS = text("delta-graphs")
_FOCUS_CLASSES = text("delta-focus-classes")
_FOCUS_SUBJECTS = text("delta-focus-subjects")
_FOCUS_OBJECTS = text("delta-focus-objects")
_REMOVED_TRIPLES = text("delta-removed-triples")


def _graphs(store: Store) -> list[URIRef]:
    """The named graphs of the store (an empty GRAPH pattern lists them without reading them)."""
    result = store.query(_GRAPHS)
    assert isinstance(result, Solutions)
    return [URIRef(str(g)) for row in result.rows if (g := to_rdflib(row[0])) is not None]


def _affected(store: Store, shape_reads: Reads, seeds: list[URIRef], view: View) -> set[Identifier]:
    """The focus nodes the edges in the `seeds` graphs can affect, seen in `view`."""
    if not shape_reads.patterns:
        return set()
    options = view.options
    if options.default_graphs:
        options = QueryOptions(name=options.name, default_graphs=options.default_graphs,
                               named_graphs=tuple(map(str, seeds)))
    result = store.query(shape_reads.query([term(g) for g in seeds]), options=options)
    assert isinstance(result, Solutions)
    return {node for row in result.rows if (node := to_rdflib(row[0])) is not None}


def _check(store: Store, shapes: Shapes, shape_reads: Reads, focus: set[Identifier], view: View,
           scratch: Scratch, *, extra: Sequence[ox.Quad] = (), without: Sequence[URIRef] = (),
           tops: set[Identifier] | None = None) -> list[Result]:
    """The results of `focus` in `view` (of the top shapes `tops`, all when None), and every
    result of the unbounded shapes."""
    results: list[Result] = []
    delegated: list[Identifier] = []
    candidates = [s for s in top_shapes(shapes.graph) if s not in shape_reads.unbounded
                  and (tops is None or s in tops)]
    if focus and candidates:
        listed = _list_focus(store, shapes, candidates, focus, view, scratch.focus)
        outcome = run_compiled(store, shapes.graph, focus=listed, dataset=view.options, only=set(candidates))
        results += outcome.results
        delegated += outcome.delegated
    if shape_reads.unbounded:
        outcome = run_compiled(store, shapes.graph, dataset=view.options, only=shape_reads.unbounded)
        results += outcome.results
        delegated += outcome.delegated
    if delegated:
        results += _reference(store, shapes, tuple(delegated), focus, extra, without, scratch)
    return results


def _list_focus(store: Store, shapes: Shapes, candidates: list[Identifier], focus: set[Identifier],
                view: View, graph: URIRef) -> Focus:
    """Write into the scratch `graph` which of `focus` each shape of `candidates` targets in `view`.

    Four small queries from the focus nodes (their classes, and which target predicates they
    are subjects and objects of) instead of each shape's target, so that a shape that targets
    none of them costs nothing, and the others start from their own focus nodes.
    """
    marker = ox.NamedNode(str(graph))
    store.remove_graph(graph)
    store.add_quads([ox.Quad(marker, marker, to_oxigraph(n), marker) for n in focus])
    g = shapes.graph
    options = view.options
    if options.default_graphs:
        options = QueryOptions(name=options.name, default_graphs=options.default_graphs, named_graphs=(str(graph),))

    def pairs(query: str) -> set[tuple[Identifier, Identifier]]:
        result = store.query(query, options=options)
        assert isinstance(result, Solutions)
        return {(a, b) for row in result.rows if (a := to_rdflib(row[0])) is not None
                and (b := to_rdflib(row[1])) is not None}

    subjects_of = {p for s in candidates for p in g.objects(s, SH.targetSubjectsOf) if isinstance(p, URIRef)}
    objects_of = {p for s in candidates for p in g.objects(s, SH.targetObjectsOf) if isinstance(p, URIRef)}
    typed = pairs(bind(_FOCUS_CLASSES, {"list": graph}, options.name))
    subjects = pairs(bind_rows(_FOCUS_SUBJECTS, ["list", "p"], [[graph, p] for p in sorted(subjects_of)],
                               options.name)) if subjects_of else set()
    objects = pairs(bind_rows(_FOCUS_OBJECTS, ["list", "p"], [[graph, p] for p in sorted(objects_of)],
                              options.name)) if objects_of else set()
    by_class, by_subject, by_object = _grouped(typed), _grouped(subjects), _grouped(objects)
    slots: dict[Identifier, int] = {}
    quads: list[ox.Quad] = []
    for i, shape in enumerate(candidates):
        def targets(p: URIRef) -> set[Identifier]:
            return {o for o in g.objects(shape, p) if isinstance(o, Identifier)}  # noqa: B023 - called in this pass

        classes = targets(SH.targetClass)
        if (shape, RDF.type, RDFS.Class) in g or (shape, RDF.type, OWL.Class) in g:
            classes.add(shape)
        nodes = {n for c in classes for n in by_class.get(c, ())}
        nodes |= {n for p in targets(SH.targetSubjectsOf) for n in by_subject.get(p, ())}
        nodes |= {n for p in targets(SH.targetObjectsOf) for n in by_object.get(p, ())}
        nodes |= targets(SH.targetNode) & focus
        if nodes:
            slots[shape] = i
            slot = ox.NamedNode(f"{graph}#{i}")
            quads += [ox.Quad(marker, slot, to_oxigraph(n), marker) for n in nodes]
    store.add_quads(quads)
    return Focus(str(graph), slots)


def _grouped(pairs: set[tuple[Identifier, Identifier]]) -> dict[Identifier, set[Identifier]]:
    """(node, key) pairs as the nodes of each key."""
    out: dict[Identifier, set[Identifier]] = {}
    for node, key in pairs:
        out.setdefault(key, set()).add(node)
    return out


def _reference(store: Store, shapes: Shapes, delegated: tuple[Identifier, ...], focus: set[Identifier],
               extra: Sequence[ox.Quad], without: Sequence[URIRef], scratch: Scratch) -> list[Result]:
    """pyshacl on the delegated shapes, for the focus nodes only; it needs the data in memory."""
    graph = store_graph(store)
    graph.remove((scratch.focus, None, None))  # the focus lists are not data
    for t in rdf_triples(extra, "batch") if extra else ():
        graph.add(t)
    for g in without:  # their triples that no other graph holds
        result = store.query(_REMOVED_TRIPLES, bindings={"removed": g})
        assert isinstance(result, Triples)
        for t in rdf_triples(result.triples, str(g)):
            graph.remove(t)
    rest = residual(shapes.graph, delegated)
    return validate_graph(graph, Shapes(narrowed(rest, graph, focus), shapes.files))
