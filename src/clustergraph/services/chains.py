"""A cluster's insertions in value chains (for its diagram), where clusters are (for the map), and
what the graph holds (for the home page). Never changes the store.

An insertion is a cg:ChainInsertion naming the cluster (cg:cluster): its chain (cg:chain) and the
chain's end markets (cg:endMarket), its buyers (cg:buyer, else the chain's cg:leadFirm), its
governance form (cg:governanceType), period (cg:period with cg:startYear / cg:endYear), source
(prov:wasDerivedFrom, cg:locator) and evidence status (cg:evidenceStatus).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Literal, URIRef

from clustergraph.base.terms import CG, CGS
from clustergraph.core.results import Solutions
from clustergraph.core.store import QueryOptions, Store, bind_rows
from clustergraph.services.describe import Value, labels, value
from clustergraph.services.sparql import text

#: The fixed queries (services/sparql/chains-*.rq).
_INSERTIONS = text("chains-insertions")
_LOCATED = text("chains-located-clusters")
_COUNTS = text("chains-counts")  # (?kind ?class) bound to the rows of COUNTED
_IS_CLUSTER = text("chains-is-cluster")
_POINT = re.compile(r"POINT\s*\(\s*(-?[0-9.]+)\s+(-?[0-9.]+)\s*\)", re.IGNORECASE)
#: What the home page counts: instances of each class and its subclasses.
COUNTED = (("clusters", CG.Cluster), ("actors", CG.Actor), ("claims", CG.Claim), ("publications", CG.Publication))


@dataclass(frozen=True)
class Insertion:
    """One insertion of a cluster in a chain, as the diagram draws it: one labelled link."""

    iri: Value
    chain: Value | None
    buyers: tuple[Value, ...]
    markets: tuple[Value, ...]
    governance: Value | None
    start: str | None
    end: str | None
    sources: tuple[Value, ...]
    locator: str | None
    status: Value | None

    @property
    def period(self) -> str:
        """'1990-2000', '1990-', '-2000' or ''."""
        if not self.start and not self.end:
            return ""
        if self.start == self.end:
            return self.start or ""
        return f"{self.start or ''}\u2013{self.end or ''}"


@dataclass(frozen=True)
class Located:
    """A cluster on the map: its country (ISO 3166-1 alpha-2) and its coordinates where the data has them."""

    cluster: Value
    country: Value | None
    alpha2: str | None
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class _Rows:
    iri: Value
    chain: Value | None = None
    buyers: dict[str, Value] = field(default_factory=dict)
    markets: dict[str, Value] = field(default_factory=dict)
    sources: dict[str, Value] = field(default_factory=dict)
    governance: Value | None = None
    start: str | None = None
    end: str | None = None
    locator: str | None = None
    status: Value | None = None


def insertions(store: Store, cluster: str) -> list[Insertion]:
    """The chain insertions of `cluster`, ordered by start year, then chain."""
    result = _select(store, _INSERTIONS, cluster, about=cluster)
    names = labels(store, [t for row in result.rows for t in row])
    grouped: dict[str, _Rows] = {}
    for ins, chain, buyer, market, gov, start, end, source, locator, status in result.rows:
        rows = grouped.setdefault(str(ins), _Rows(value(ins, names)))
        for found, term in ((rows.buyers, buyer), (rows.markets, market), (rows.sources, source)):
            if term is not None:
                found[str(term)] = value(term, names)
        rows.chain = value(chain, names) if chain is not None else rows.chain
        rows.governance = value(gov, names) if gov is not None else rows.governance
        rows.status = value(status, names) if status is not None else rows.status
        rows.start = _text(start) or rows.start
        rows.end = _text(end) or rows.end
        rows.locator = _text(locator) or rows.locator
    return [Insertion(r.iri, r.chain, _by_name(r.buyers), _by_name(r.markets), r.governance,
                      r.start, r.end, _by_name(r.sources), r.locator, r.status) for r in grouped.values()]


def _by_name(values: dict[str, Value]) -> tuple[Value, ...]:
    return tuple(sorted(values.values(), key=lambda v: (v.shown.lower(), v.text)))


def located_clusters(store: Store) -> list[Located]:
    """Every cluster with its country (cg:country, or a place it lies in) and coordinates if any."""
    result = _select(store, _LOCATED, "map")
    names = labels(store, [t for row in result.rows for t in row])
    found: dict[str, Located] = {}
    for cluster, country, alpha2, wkt, lat, long in result.rows:
        if cluster is None or str(cluster) in found and found[str(cluster)].alpha2:
            continue
        latitude, longitude = _coordinates(wkt, lat, long)
        found[str(cluster)] = Located(value(cluster, names), value(country, names) if country else None,
                                      (_text(alpha2) or "").upper() or None, latitude, longitude)
    return sorted(found.values(), key=lambda c: c.cluster.shown.lower())


def counts(store: Store) -> dict[str, int]:
    """How many clusters, actors, claims and publications the graph holds (subclasses included)."""
    result = _select(store, bind_rows(_COUNTS, ["kind", "class"], [(Literal(k), c) for k, c in COUNTED], "counts"),
                     "counts")
    found = {kind.value: int(n.value) for kind, n in result.rows
             if isinstance(kind, ox.Literal) and isinstance(n, ox.Literal)}
    return {name: found.get(name, 0) for name, _ in COUNTED}


def is_cluster(store: Store, iri: str) -> bool:
    """Whether `iri` is a cg:Cluster (or of a subclass)."""
    return store.ask(_IS_CLUSTER, bindings={"cluster": URIRef(iri)}, options=QueryOptions(name=iri))


def evidence_class(status: Value | None) -> str:
    """A CSS-friendly word for an evidence status: verified, unverified, inferred or unknown."""
    if status is None:
        return "unknown"
    local = status.text.removeprefix(str(CGS)).lower()
    return local if local in ("verified", "unverified", "inferred") else "unknown"


def _coordinates(wkt: object, lat: object, long: object) -> tuple[float | None, float | None]:
    if isinstance(wkt, ox.Literal):
        match = _POINT.search(wkt.value)
        if match:
            return float(match.group(2)), float(match.group(1))
    try:
        if isinstance(lat, ox.Literal) and isinstance(long, ox.Literal):
            return float(lat.value), float(long.value)
    except ValueError:
        pass
    return None, None


def _text(term: object) -> str | None:
    return term.value if isinstance(term, ox.Literal) else None


def _select(store: Store, sparql: str, name: str, *, about: str | None = None) -> Solutions:
    """Run a SELECT named `name` for errors; `about`, a cluster's IRI, is bound to ?cluster."""
    bindings = {"cluster": URIRef(about)} if about is not None else None
    return store.select(sparql, bindings=bindings, options=QueryOptions(name=name))
