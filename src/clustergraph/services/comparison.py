"""Cluster comparison: clusters side by side over aspects (country, sector, chains and their governance,
buyers, upgrading, standards, policy networks, sources), from the catalogue query compare_clusters.
Never changes the store.

Each cell lists the values the graph holds for one cluster and one aspect; each value keeps the
node that states it (a claim, or the cluster's own description), its sources and evidence status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from clustergraph.core.results import Solutions
from clustergraph.core.store import Store
from clustergraph.services.describe import Value, labels, value
from clustergraph.services.queries import find_query, run_named

QUERY = "compare_clusters"
#: The aspects, in the order the comparison shows them (the query's 'aspect' values).
#: The columns of the comparison's flat rows (CSV, DataFrame).
COLUMNS = ("cluster", "clusterLabel", "aspect", "value", "valueLabel", "detail", "claim", "sources", "status")
ASPECTS = ("country", "sector", "chain", "buyer", "upgrading", "standard", "policy network", "source")


@dataclass(frozen=True)
class Entry:
    """One value in a cell: what it is, a detail (governance and period, outcome and intensity ...),
    the node that states it, its sources and evidence status."""

    value: Value | None
    detail: str
    claim: Value
    sources: tuple[Value, ...]
    status: Value | None


@dataclass(frozen=True)
class Comparison:
    """Clusters (columns) by aspects (rows); `cells[(cluster IRI, aspect)]` lists the entries."""

    clusters: tuple[Value, ...]
    aspects: tuple[str, ...]
    cells: dict[tuple[str, str], tuple[Entry, ...]]

    def cell(self, cluster: str, aspect: str) -> tuple[Entry, ...]:
        return self.cells.get((cluster, aspect), ())


def compare(store: Store, queries_dir: Path, clusters: Sequence[str] = (),
            aspects: Sequence[str] = ()) -> Comparison:
    """The comparison of `clusters` (IRIs; all clusters if empty) over `aspects` (all if empty).

    Raises QueryError if the catalogue query is missing or fails.
    """
    result = run_named(store, find_query(queries_dir, QUERY), {})
    assert isinstance(result, Solutions)
    names = labels(store, [t for row in result.rows for t in row])
    chosen = set(clusters)
    shown_aspects = tuple(a for a in ASPECTS if not aspects or a in aspects)
    found: dict[str, Value] = {}
    firsts: dict[tuple[str, str], dict[tuple[str, str], Entry]] = {}
    sources: dict[tuple[str, str, str, str], list[Value]] = {}
    for raw in result.rows:
        row = dict(zip(result.variables, raw))
        cluster = value(row["cluster"], names)
        aspect = str(getattr(row["aspect"], "value", ""))
        if (chosen and cluster.text not in chosen) or aspect not in shown_aspects:
            continue
        found.setdefault(cluster.text, cluster)
        val = value(row["value"], names) if row["value"] is not None else None
        claim = value(row["claim"], names)
        key = (val.text if val else "", claim.text)
        entries = firsts.setdefault((cluster.text, aspect), {})
        if key not in entries:
            detail = str(getattr(row["detail"], "value", "")) if row["detail"] is not None else ""
            status = value(row["status"], names) if row["status"] is not None else None
            entries[key] = Entry(value=val, detail=detail, claim=claim, sources=(), status=status)
        listed = sources.setdefault((cluster.text, aspect, *key), [])
        source = value(row["source"], names) if row["source"] is not None else None
        if source is not None and source not in listed:
            listed.append(source)
    cells = {cell: tuple(replace(e, sources=tuple(sources[(*cell, *key)])) for key, e in entries.items())
             for cell, entries in firsts.items()}
    order = [c for c in clusters if c in found] if clusters else sorted(found, key=lambda c: found[c].shown.lower())
    return Comparison(clusters=tuple(found[c] for c in order), aspects=shown_aspects, cells=cells)


def rows(comparison: Comparison) -> list[dict[str, str]]:
    """The comparison as flat rows (cluster, aspect, value, detail, claim, sources, status), for CSV and
    DataFrames: one row per entry, in the page's order."""
    out = []
    for cluster in comparison.clusters:
        for aspect in comparison.aspects:
            for e in comparison.cell(cluster.text, aspect):
                out.append({"cluster": cluster.text, "clusterLabel": cluster.shown, "aspect": aspect,
                            "value": e.value.text if e.value else "", "valueLabel": e.value.shown if e.value else "",
                            "detail": e.detail, "claim": e.claim.text,
                            "sources": " ".join(s.text for s in e.sources),
                            "status": e.status.shown if e.status else ""})
    return out
