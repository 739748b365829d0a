"""Statistics: triples per named graph, instances per class, and what the graph says about each cluster."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from rdflib import URIRef
from rdflib.term import Identifier

from clustergraph.core.store import QueryOptions, Store
from clustergraph.services.sparql import text

_CLASSES = text("stats-classes")


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
    result = store.select(_CLASSES, options=QueryOptions(name="stats"))
    classes = tuple((URIRef(row["class"]), int(row["n"])) for row in result.values())
    return Stats(graphs, classes)


# -- coverage ------------------------------------------------------------------------------------


class Aspect(Enum):
    """What the graph can say about a cluster; the value is how a report names it."""

    SECTOR = "sector"
    COUNTRY = "country"
    CHAIN = "chain"
    BUYERS = "buyers"
    GOVERNANCE = "governance"
    UPGRADING = "upgrading"
    STANDARDS = "standards"
    SOURCES = "sources"


@dataclass(frozen=True)
class Coverage:
    """Which aspects the graph gives for one cluster (whatever their evidence status)."""

    cluster: URIRef
    label: str
    present: frozenset[Aspect]

    @property
    def missing(self) -> tuple[Aspect, ...]:
        """The aspects the graph does not give, in the order of `Aspect`."""
        return tuple(a for a in Aspect if a not in self.present)

    @property
    def complete(self) -> bool:
        return not self.missing


#: Per aspect, the clusters that have it (services/sparql/stats-coverage-<aspect>.rq). A cluster takes
#: part in a claim as its cg:cluster or, in a chain link, as the supplier; buyers of a chain link count
#: only for the supplying cluster. Kinds of claim include their subclasses (the closure is computed
#: once, in a sub-select: a path per row is slow).
_ASPECTS: dict[Aspect, str] = {aspect: text(f"stats-coverage-{aspect.value}") for aspect in Aspect}
_CLUSTERS = text("stats-clusters")


def coverage(store: Store) -> tuple[Coverage, ...]:
    """For every cluster (cg:Cluster or a subclass), which aspects the graph gives; never changes the store.

    One query lists the clusters, one per aspect finds those that have it. Ordered by label, then IRI;
    a cluster without an English or untagged label is named by its IRI.
    """
    having = {aspect: _clusters(store, sparql, aspect.value) for aspect, sparql in _ASPECTS.items()}
    found = []
    for row in _select(store, _CLUSTERS, "clusters"):
        cluster = URIRef(str(row["cluster"]))
        present = frozenset(a for a in Aspect if cluster in having[a])
        found.append(Coverage(cluster, str(row["label"]) if row["label"] is not None else str(cluster), present))
    return tuple(sorted(found, key=lambda c: (c.label.casefold(), str(c.cluster))))


def _clusters(store: Store, sparql: str, aspect: str) -> set[URIRef]:
    rows = _select(store, sparql, aspect)
    return {URIRef(str(row["cluster"])) for row in rows if isinstance(row["cluster"], URIRef)}


def _select(store: Store, sparql: str, name: str) -> list[dict[str, Identifier | None]]:
    return list(store.select(sparql, options=QueryOptions(name=f"coverage ({name})")).dicts())
