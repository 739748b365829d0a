"""Retracting a guarded write: the change its batch recorded, undone exactly (`retract` takes any
batch, and hands an ingested file's batch to services/steward/ingest.py).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from clustergraph.base.errors import InputError
from clustergraph.base.terms import PROV
from clustergraph.core.results import Solutions
from clustergraph.core.store import Store
from clustergraph.services.sparql import text
from clustergraph.services.steward.guard.change import Change, graph_quads, present
from clustergraph.services.steward.ingest import Batch, Retracted, batches, find_batch, refuse_retract
from clustergraph.services.steward.ingest import retract as retract_ingested
from clustergraph.services.validation.report import Report
from clustergraph.services.validation.run import Shapes, load_shapes, validate_delta

_RECORDED = text("undo-recorded")
_IS_WRITE = text("undo-is-write")


def recorded(store: Store, batch: Batch) -> Change | None:
    """The change a guarded write recorded in `batch` (None for an ingested file's batch)."""
    rows = store.query(_RECORDED, bindings={"batch": batch.graph})
    assert isinstance(rows, Solutions)
    is_write = store.query(_IS_WRITE, bindings={"batch": batch.graph})
    if not getattr(is_write, "value", False):
        return None
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    for how, s, p, o, g in rows.rows:
        quad = ox.Quad(s, p, o, g)  # type: ignore[arg-type]
        (removed if getattr(how, "value", None) == str(PROV.invalidated) else added).append(quad)
    return Change(tuple(added), tuple(removed))


def retract_change(store: Store, shapes: Path | Shapes, batch: Batch, change: Change, *, force: bool,
                   strict: bool) -> Report:
    """Undo a guarded write: its added quads out (its batch graph dropped), its removed quads back.

    Refuses (NotConforming), unless `force`, when the result would break the shapes or a later
    batch depends on the quads: a later guarded write added or removed one of them, or a later
    ingest holds one of them.
    """
    later = _later_users(store, batch, change)
    if later and not force:
        raise InputError(f"batch {batch.id}: a later batch ({', '.join(later[:3])}) changed the same triples; "
                         "retract it first, or --force", consequence="nothing was retracted")
    undo = Change(change.removed, change.added)
    loaded = shapes if isinstance(shapes, Shapes) else load_shapes(shapes)
    touched = sorted({q.graph_name.value for q in undo.removed if isinstance(q.graph_name, ox.NamedNode)}
                     | {batch.graph})
    gone = set(undo.removed)
    kept = [q for g in touched if g != str(batch.graph) for q in graph_quads(store, g) if q not in gone]
    report = validate_delta(store, loaded, list(undo.added) + kept, [URIRef(g) for g in touched],
                            checked=(f"retract {batch.id}",))
    refuse_retract(batch, report, strict=strict, force=force)
    store.change_quads(drop=[batch.graph], remove=undo.removed, add=undo.added)
    return report


def retract(store: Store, shapes: Path | Shapes, batch_id: str, *, force: bool = False,
            strict: bool = False) -> Retracted:
    """Retract any batch: an ingested file's (its graph dropped) or a guarded write's (undone exactly)."""
    batch = find_batch(store, batch_id)
    change = recorded(store, batch)
    if change is None:
        return retract_ingested(store, shapes, batch_id, force=force, strict=strict)
    return Retracted(batch, retract_change(store, shapes, batch, change, force=force, strict=strict))


def _later_users(store: Store, batch: Batch, change: Change) -> list[str]:
    """Ids of later batches that added or removed one of the quads of `change`."""
    later = []
    for other in batches(store):
        if other.started <= batch.started or other.id == batch.id:
            continue
        theirs = recorded(store, other)
        quads = set(change.added) | set(change.removed)
        if theirs is not None and quads & (set(theirs.added) | set(theirs.removed)):
            later.append(other.id)
        elif theirs is None and any(_in_graph(store, q, other.graph) for q in quads):
            later.append(other.id)
    return later


def _in_graph(store: Store, quad: ox.Quad, graph: URIRef) -> bool:
    return present(store, ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(str(graph))))
