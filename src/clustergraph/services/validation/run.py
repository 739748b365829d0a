"""SHACL validation of the store, and of new files in the context of the store.

pyshacl is the reference engine (shacl.py); the compiled engine runs the shapes as SPARQL on the
store (fastvalidation.py, delta.py) and hands pyshacl what it cannot compile.

In context: the data graph is the store's union plus the files' triples. A result is
*pre-existing* when validating the store alone gives the same result, otherwise *introduced*.
The store alone is not validated in full a second time: only the focus nodes of the results
found are re-checked there, through a copy of the shapes whose targets are narrowed to them.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from clustergraph.core.config import Limits
from clustergraph.core.store import Store
from clustergraph.services.validation.delta import validate_delta as _validate_delta
from clustergraph.services.validation.fastvalidation import validate_with_sparql
from clustergraph.services.validation.report import Report, compared
from clustergraph.services.validation.shacl import (
    RdfInput,
    Shapes,
    Triple,
    load_shapes,
    rdf_triples,
    read_quads,
    store_graph,
    to_graph,
    validate_graph,
)

# What callers import from here: the entry points, and the shapes and documents they take.
__all__ = ["Engine", "Limits", "RdfInput", "Shapes", "Triple", "load_shapes", "rdf_triples", "read_quads",
           "store_graph", "to_graph", "validate", "validate_change", "validate_delta"]


class Engine(Enum):
    """Which engine validates: pyshacl (the reference), or the shapes compiled to SPARQL and run on
    the store (services/validation/fastvalidation.py), which hands pyshacl any shape it cannot compile."""

    PYSHACL = "pyshacl"
    SPARQL = "sparql"


# -- validation in context -------------------------------------------------------------------------

def validate(store: Store, shapes: Path | Shapes, files: Sequence[Path | RdfInput] = (), *,
             limits: Limits = Limits(), engine: Engine = Engine.PYSHACL) -> Report:
    """Check `files` in the context of the store, or the whole store when no file is given.

    Never changes the store. Every result is labelled introduced or pre-existing. `shapes` is a
    shapes folder, a shapes file, or shapes already loaded. With pyshacl, a check of files
    reports every result of the store with the files; with the compiled engine (on a store it
    may write a scratch graph to), only the results of the focus nodes the files can affect
    (`validate_delta`). Raises InputError for a file or a shapes file that cannot be used
    (nothing is checked then).
    """
    loaded = shapes if isinstance(shapes, Shapes) else load_shapes(shapes)
    sources = [RdfInput.of(f) for f in files]
    added = [read_quads(src, limits) for src in sources]
    if engine is Engine.SPARQL:
        names = tuple(src.name for src in sources)
        quads = [q for part in added for q in part]
        if quads and not getattr(store, "read_only", False):
            return validate_delta(store, loaded, quads, checked=names)
        return validate_with_sparql(store, loaded, quads, names)
    graph = store_graph(store)
    new = {t for src, quads in zip(sources, added) for t in rdf_triples(quads, src.name)}
    return validate_change(graph, loaded, added={t for t in new if t not in graph}, removed=set(),
                           checked=tuple(src.name for src in sources))


def validate_delta(store: Store, shapes: Shapes, added: Sequence[ox.Quad] = (),
                   removed_graphs: Sequence[URIRef] = (), *, checked: tuple[str, ...] = ()) -> Report:
    """Validate, with the compiled engine, only the focus nodes that adding the quads `added` and
    removing the named graphs `removed_graphs` can affect, on the store itself (never read whole).

    The change is not applied: `added` sits in a scratch graph of the store during the check.
    Results are those of the affected focus nodes, labelled introduced or pre-existing. See
    services/validation/delta.py. Raises InputError when pyshacl cannot use a shape the compiler hands it.
    """
    return _validate_delta(store, shapes, added, removed_graphs, checked=checked)


def validate_change(graph: Graph, shapes: Shapes, *, added: set[Triple], removed: set[Triple],
                    checked: tuple[str, ...] = ()) -> Report:
    """Validate `graph` changed by `added` and `removed`; label what the change introduced.

    `graph` is used as scratch and left as it was given. With no change every result is
    pre-existing. Results come ordered by focus node, then severity, path and value.
    """
    for t in added:
        graph.add(t)
    for t in removed:
        graph.remove(t)
    try:
        found = validate_graph(graph, shapes)
    finally:
        for t in removed:
            graph.add(t)
        for t in added:
            graph.remove(t)
    return compared(found, validate_graph(graph, shapes) if (added or removed) else None, checked)
