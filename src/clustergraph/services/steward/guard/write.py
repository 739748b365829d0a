"""Checking and applying a guarded write: delta validation, then the change and its batch record
in one update (`guarded_update`, `guarded_put`, `guarded_drop` plan, check and apply in one call).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from clustergraph.base import sparql as lex
from clustergraph.base.errors import NotConforming, QueryError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import BATCH_PREFIX, GRAPH, PROV
from clustergraph.core.store import Store
from clustergraph.services.steward.guard.change import (
    SD_NAME,
    UPDATE_NAME,
    Change,
    graph_quads,
    ox_term,
)
from clustergraph.services.steward.guard.plan import plan_drop, plan_put, plan_update
from clustergraph.services.steward.ingest import Batch, batch_record, free_batch_id, record_quad
from clustergraph.services.validation.report import Report
from clustergraph.services.validation.run import Shapes, load_shapes, validate_delta


@dataclass(frozen=True)
class Written:
    """A guarded write applied: its batch, what it added and removed, and the report of its check."""

    batch: Batch
    added: int
    removed: int
    report: Report


def check(store: Store, shapes: Path | Shapes, change: Change, name: str) -> Report:
    """Delta validation of `change` on the store as it would be after it; never changes the store.

    The graphs the change removes from are read as they would be left (their other quads join
    the added ones in the check's scratch graph), so the cost grows with those graphs.
    """
    loaded = shapes if isinstance(shapes, Shapes) else load_shapes(shapes)
    touched = sorted({q.graph_name.value for q in change.removed if isinstance(q.graph_name, ox.NamedNode)})
    gone = set(change.removed)
    kept = [q for g in touched for q in graph_quads(store, g) if q not in gone]
    return validate_delta(store, loaded, list(change.added) + kept, [URIRef(g) for g in touched], checked=(name,))


def apply(store: Store, shapes: Path | Shapes, text: bytes, change: Change, batch_graph: ox.NamedNode, *,
          agent: str, name: str, strict: bool = False, now: datetime | None = None) -> Written:
    """Check `change` and, if it introduces nothing, apply it with its record in one update.

    Raises NotConforming (with the report) when it would introduce violations (warnings too when
    `strict`), QueryError when it changes nothing; the store is unchanged then.
    """
    if not change.added and not change.removed:
        raise QueryError(name, "the write changes nothing (every quad it inserts is there already and none it "
                               "deletes is); nothing was recorded", status=400)
    report = check(store, shapes, change, name)
    if report.failed(strict=strict):
        failing = len(report.failing(strict=strict))
        raise NotConforming(name, report, detail=f"introduces {failing} result{'s' if failing != 1 else ''} that "
                                                 "break the shapes")
    started = now or datetime.now(UTC)
    digest = hashlib.sha256(text).hexdigest()
    batch_id = batch_graph.value.removeprefix(BATCH_PREFIX)
    target = URIRef(batch_graph.value)
    own = [q for q in change.added if q.graph_name == batch_graph]
    record = batch_record(target, batch_id, agent, None, name, digest, len(own), started)
    activity = URIRef(f"{target}#activity")
    quads = [record_quad(s, p, o, batch_graph) for s, p, o in record]
    quads += _statements(activity, PROV.invalidated, change.removed, batch_graph, "removed")
    quads += _statements(activity, PROV.generated, [q for q in change.added if q.graph_name != batch_graph],
                         batch_graph, "added")
    quads.append(record_quad(URIRef(f"{target}#file"), URIRef("http://purl.org/dc/terms/description"),
                             Literal(text.decode("utf-8", "replace")), batch_graph))
    store.change_quads(remove=change.removed, add=list(change.added) + quads)
    batch = Batch(batch_id, target, agent, started, name, digest, None, len(own))
    return Written(batch, len(change.added), len(change.removed), report)


def new_batch_graph(store: Store, text: bytes, now: datetime | None = None) -> ox.NamedNode:
    """A free batch graph for a write of `text` (time and the first 8 hex digits of its SHA-256)."""
    started = now or datetime.now(UTC)
    digest = hashlib.sha256(text).hexdigest()
    return ox.NamedNode(str(GRAPH[f"batch/{free_batch_id(store, f'{started:%Y%m%dT%H%M%SZ}-{digest[:8]}')}"]))


def guarded_update(store: Store, shapes: Path, text: str, *, agent: str, base_iri: str | None = None,
                   allow_load: bool = False) -> Written:
    """Plan, check and apply one SPARQL update as a batch (the server's writer runs it)."""
    if not allow_load and lex.uses_keyword(text, "LOAD"):
        raise QueryError(UPDATE_NAME, "LOAD is not allowed here; load files with 'clustergraph build'", status=403)
    body = text.encode("utf-8")
    graph = new_batch_graph(store, body)
    change = plan_update(store, text, graph, base_iri=base_iri)
    return apply(store, shapes, body, change, graph, agent=agent, name="SPARQL update")


def guarded_put(store: Store, shapes: Path, graph: str, body: bytes, fmt: RdfFormat, *, replace: bool,
                agent: str) -> tuple[bool, Written]:
    """A Graph Store PUT or POST as a batch; returns whether the graph existed, and the batch."""
    existed = URIRef(graph) in store.graph_sizes()
    change = plan_put(store, graph, body, fmt, replace=replace)
    batch = new_batch_graph(store, body)
    verb = "PUT" if replace else "POST"
    return existed, apply(store, shapes, body, change, batch, agent=agent, name=f"Graph Store {verb} <{graph}>")


def guarded_drop(store: Store, shapes: Path, graph: str, *, agent: str) -> Written | None:
    """A Graph Store DELETE as a batch; None when there is no such graph."""
    if URIRef(graph) not in store.graph_sizes():
        return None
    text = f"DELETE <{graph}>".encode()
    return apply(store, shapes, text, plan_drop(store, graph), new_batch_graph(store, text), agent=agent,
                 name=f"Graph Store DELETE <{graph}>")


def _statements(activity: URIRef, how: URIRef, quads: Iterable[ox.Quad], graph: ox.NamedNode,
                kind: str) -> list[ox.Quad]:
    """`activity how [ a rdf:Statement ; rdf:subject s ; rdf:predicate p ; rdf:object o ; sd:name g ]`."""
    out = []
    act = ox_term(activity)
    for n, q in enumerate(quads, start=1):
        st = ox.NamedNode(f"{graph.value}#{kind}-{n}")
        out += [ox.Quad(act, ox_term(how), st, graph), ox.Quad(st, ox_term(RDF.type), ox_term(RDF.Statement), graph),
                ox.Quad(st, ox_term(RDF.subject), q.subject, graph),
                ox.Quad(st, ox_term(RDF.predicate), q.predicate, graph),
                ox.Quad(st, ox_term(RDF.object), q.object, graph),
                ox.Quad(st, ox_term(SD_NAME), q.graph_name, graph)]  # type: ignore[arg-type]
    return out
