"""Statistics: triples per named graph and instances per class."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from clustergraph.core.results import Solutions
from clustergraph.core.store import QueryOptions, Store

_CLASSES = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class
"""


@dataclass(frozen=True)
class Stats:
    """Counts: triples per named graph, instances per class, and the total."""

    graphs: tuple[tuple[URIRef, int], ...]
    classes: tuple[tuple[URIRef, int], ...]

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.graphs)


def stats(store: Store) -> Stats:
    """Count the store's triples per graph and instances per class; never changes the store."""
    graphs = tuple(sorted(store.graph_sizes().items()))
    result = store.query(_CLASSES, options=QueryOptions(name="stats"))
    assert isinstance(result, Solutions)
    classes = tuple((URIRef(c.value), int(n.value)) for c, n in result.rows)  # type: ignore[union-attr]
    return Stats(graphs, classes)
