"""The data steward's writes: files ingested as batches, guarded SPARQL and Graph Store writes,
and batches retracted; each checked by delta validation before it changes the store.

    ingest.py   a file added as one batch (a named graph with its PROV-O record); batches listed
    guard/      a SPARQL Update or Graph Store write planned, checked, applied as a batch, undone
    writes.py   the server's writes, each one whole operation run in the writer process

`retract` takes any batch (a guarded write's is undone exactly, an ingested file's graph dropped);
`ingest` stays in ingest.py, whose name it shares. The names are imported when first used (PEP 562),
so that ingest.py alone does not load the spreadsheet readers writes.py uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clustergraph.base.lazy import lazy_names

if TYPE_CHECKING:
    from clustergraph.services.steward.guard import Written, guarded_drop, guarded_put, guarded_update, retract
    from clustergraph.services.steward.ingest import Batch, Ingested, Retracted, batches, find_batch

#: Each public name and the module it comes from.
_HOMES = {
    "Batch": "clustergraph.services.steward.ingest",
    "Ingested": "clustergraph.services.steward.ingest",
    "Retracted": "clustergraph.services.steward.ingest",
    "batches": "clustergraph.services.steward.ingest",
    "find_batch": "clustergraph.services.steward.ingest",
    "Written": "clustergraph.services.steward.guard",
    "guarded_drop": "clustergraph.services.steward.guard",
    "guarded_put": "clustergraph.services.steward.guard",
    "guarded_update": "clustergraph.services.steward.guard",
    "retract": "clustergraph.services.steward.guard",
}

__all__ = ["Batch", "Ingested", "Retracted", "Written", "batches", "find_batch", "guarded_drop",
           "guarded_put", "guarded_update", "retract"]


__getattr__, __dir__ = lazy_names(__name__, _HOMES)
