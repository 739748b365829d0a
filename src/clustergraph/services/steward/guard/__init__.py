"""Guarded writes: a SPARQL Update or a Graph Store write checked like an ingest and kept as a batch.

A write is first turned into the quads it would add and the quads it would remove (`plan_update`,
`plan_put`, `plan_drop`), without changing the store. Its semantics over the union are chosen on
purpose, because the store's own default graph holds nothing:

- `WHERE` reads the union of the named graphs (or the graphs of `USING` / `WITH`);
- a triple deleted without `GRAPH` is removed from every named graph that holds it (with `WITH g`:
  from g only), so `DELETE WHERE { <a> ?p ?o }` really removes a curated fact from its file's graph;
- a triple inserted without `GRAPH` goes into the write's own batch graph (with `WITH g`: into g).

The change is then checked by delta validation on the store as it would be after it (the graphs
it removes from are read as they would be left); only if it introduces no violation is it applied,
in one update, together with its record. The record is the batch graph `graph/batch/<id>`: the
PROV-O record an ingest writes (agent, time, the request's text as the "file" with its SHA-256),
the triples inserted without `GRAPH`, and, as `rdf:Statement`s with the graph in `sd:name`, each
quad it removed (`prov:invalidated` by the activity) and each quad it added to another graph
(`prov:generated`). `retract_change` restores exactly the state of those quads before the write.

Supported: INSERT DATA, DELETE DATA, DELETE WHERE, DELETE/INSERT ... WHERE (one per request when
it follows another operation, since its WHERE would read the unapplied change), DROP/CLEAR GRAPH,
CREATE. LOAD, ADD, MOVE, COPY and DROP/CLEAR of ALL, NAMED or DEFAULT are refused with 400.

Modules, one step each:
    change.py   `Change` (quads added and removed) and the quad reads and writes the steps share
    plan.py     a write turned into its change, without changing the store
    write.py    the change checked by delta validation, then applied with its batch record
    undo.py     a batch retracted: a guarded write undone exactly, an ingested file's graph dropped
"""

from __future__ import annotations

from clustergraph.services.steward.guard.change import SD_NAME, Change
from clustergraph.services.steward.guard.plan import plan_drop, plan_put, plan_update
from clustergraph.services.steward.guard.undo import recorded, retract, retract_change
from clustergraph.services.steward.guard.write import (
    Written,
    apply,
    check,
    guarded_drop,
    guarded_put,
    guarded_update,
    new_batch_graph,
)

__all__ = ["SD_NAME", "Change", "Written", "apply", "check", "guarded_drop", "guarded_put", "guarded_update",
           "new_batch_graph", "plan_drop", "plan_put", "plan_update", "recorded", "retract", "retract_change"]
