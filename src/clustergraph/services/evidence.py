"""Hypothesis evidence maps: the rows of a hypothesis's weighing query, grouped and counted by bearing
and evidence status. Never changes the store.

A hypothesis is data (cg:Hypothesis in data/hypotheses.ttl): its statement, its source, the catalogue
query that weighs it (cg:weighedBy) and which of that query's columns hold each row's claim, source
and evidence status. The query itself derives each row's bearing ('supports', 'qualifies',
'contradicts', or another value for rows that do not bear on the hypothesis) in a column 'bearing',
so the reading is explicit SPARQL over the graph; this module only groups and counts it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from clustergraph.base.errors import QueryError
from clustergraph.core.results import OxTerm, Solutions
from clustergraph.core.store import QueryOptions, Store
from clustergraph.services.describe import Value, labels, value
from clustergraph.services.queries import find_query, run_named
from clustergraph.services.sparql import text

#: The bearings that weigh on a hypothesis, in the order the page shows them.
BEARINGS = ("supports", "qualifies", "contradicts")
#: The evidence statuses, in the order the page shows them (their concepts' local names).
STATUSES = ("Verified", "Unverified", "Inferred")
_HYPOTHESES = text("evidence-hypotheses")


@dataclass(frozen=True)
class Hypothesis:
    """A hypothesis the graph can weigh, as its data gives it."""

    iri: str
    name: str  # the IRI's last segment, used in URLs (/evidence/{name})
    label: str
    statement: str
    query: str
    claim_column: str
    source_column: str
    status_column: str
    sources: tuple[Value, ...]


@dataclass(frozen=True)
class EvidenceRow:
    """One row of the weighing query: its bearing, evidence status, claim and source, and every column."""

    bearing: str
    status: Value | None
    claim: Value | None
    source: Value | None
    cells: tuple[Value | None, ...]


@dataclass(frozen=True)
class EvidenceMap:
    """A hypothesis with its evidence: the rows, and their counts by bearing and evidence status."""

    hypothesis: Hypothesis
    columns: tuple[str, ...]
    rows: tuple[EvidenceRow, ...]

    @property
    def bearings(self) -> tuple[str, ...]:
        """The bearings present, those that weigh on the hypothesis first."""
        present = {r.bearing for r in self.rows}
        return tuple(b for b in BEARINGS if b in present) + tuple(sorted(present - set(BEARINGS)))

    @property
    def statuses(self) -> tuple[str, ...]:
        """The evidence statuses present (their labels), in the order of STATUSES."""
        present = {_status_key(r.status) for r in self.rows}
        return tuple(s for s in STATUSES if s in present) + tuple(sorted(present - set(STATUSES)))

    def count(self, bearing: str, status: str | None = None) -> int:
        """How many rows have `bearing` (and evidence status `status`, a local name such as 'Verified')."""
        counts = Counter((r.bearing, _status_key(r.status)) for r in self.rows)
        if status is None:
            return sum(n for (b, _), n in counts.items() if b == bearing)
        return counts[(bearing, status)]


def hypotheses(store: Store) -> list[Hypothesis]:
    """Every cg:Hypothesis with a weighing query, ordered by IRI."""
    result = store.select(_HYPOTHESES, options=QueryOptions(name="hypotheses"))
    rows = [dict(zip(result.variables, row)) for row in result.rows]
    names = labels(store, [r["source"] for r in rows])
    found: dict[str, Hypothesis] = {}
    for r in rows:
        iri = _text(r["hypothesis"])
        source = (value(r["source"], names),) if r["source"] is not None else ()
        if iri in found:
            found[iri] = replace(found[iri], sources=found[iri].sources + source)
            continue
        found[iri] = Hypothesis(iri=iri, name=iri.rstrip("/").rsplit("/", 1)[-1], label=_text(r["label"]) or iri,
                                statement=_text(r["statement"]), query=_text(r["query"]),
                                claim_column=_text(r["claimColumn"]), source_column=_text(r["sourceColumn"]),
                                status_column=_text(r["statusColumn"]), sources=source)
    return list(found.values())


def find_hypothesis(store: Store, name: str) -> Hypothesis:
    """The hypothesis whose IRI ends in `name` (or is `name`); raises QueryError (404) if there is none."""
    for h in hypotheses(store):
        if name in (h.name, h.iri):
            return h
    raise QueryError(name, "no such hypothesis (cg:Hypothesis) in the graph", status=404)


def weigh(store: Store, queries_dir: Path, hypothesis: Hypothesis) -> EvidenceMap:
    """Run the hypothesis's weighing query and read its rows; raises QueryError if the query is unknown
    or lacks the 'bearing' column or a column the hypothesis names."""
    query = find_query(queries_dir, hypothesis.query)
    result = run_named(store, query, {})
    if not isinstance(result, Solutions):
        raise QueryError(query.name, "a hypothesis's weighing query must be a SELECT query")
    wanted = ("bearing", hypothesis.claim_column, hypothesis.source_column, hypothesis.status_column)
    missing = [c for c in wanted if c not in result.variables]
    if missing:
        raise QueryError(query.name, f"hypothesis {hypothesis.name} needs the column(s) {', '.join(missing)}")
    names = labels(store, [t for row in result.rows for t in row])
    index = {v: i for i, v in enumerate(result.variables)}
    rows = []
    for raw in result.rows:
        cells = tuple(value(t, names) if t is not None else None for t in raw)
        rows.append(EvidenceRow(bearing=_text(raw[index["bearing"]]) or "no bearing",
                                status=cells[index[hypothesis.status_column]],
                                claim=cells[index[hypothesis.claim_column]],
                                source=cells[index[hypothesis.source_column]], cells=cells))
    return EvidenceMap(hypothesis=hypothesis, columns=result.variables, rows=tuple(rows))


def _status_key(status: Value | None) -> str:
    if status is None:
        return "no status"
    return status.text.rstrip("/").rsplit("/", 1)[-1]


def _text(term: OxTerm | None) -> str:
    return "" if term is None else str(getattr(term, "value", term))
