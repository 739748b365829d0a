"""Full-text search over the graph's texts: hits as rows, for the CLI, the server and Python.

The index and its query language live in core/textindex.py and base/textquery.py; this module
turns hits into plain rows (one dict per hit) that every adapter shows the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from clustergraph.base.errors import StoreError
from clustergraph.core.store import EmbeddedStore, Store
from clustergraph.core.textindex import Hit

#: The columns of a hit row, in order (CLI table and CSV, JSON keys, DataFrame columns).
COLUMNS = ("subject", "kind", "label", "snippet", "property", "score")


@dataclass(frozen=True)
class ReindexReport:
    """What `reindex` did: texts indexed, the index file's size in bytes (0 in memory)."""

    texts: int
    bytes: int


def search(store: Store, words: str, *, kind: str | None = None, limit: int | None = 20) -> list[Hit]:
    """The subjects whose texts match `words` (see base/textquery.py), best first.

    Raises QueryError on a malformed query; StoreError if the index is missing, stale, or the
    store is an external endpoint (text search needs the local index).
    """
    return store.search(words, kind=kind, limit=limit)


def complete(store: Store, prefix: str, *, limit: int = 10) -> list[Hit]:
    """Subjects whose labels start with the words typed so far: the search box's completion."""
    return store.complete(prefix, limit=limit)


def rows(hits: list[Hit]) -> list[dict[str, str | float]]:
    """One dict per hit with COLUMNS as keys; the snippet is plain text."""
    return [{"subject": h.subject, "kind": h.kind, "label": h.label, "snippet": h.plain_snippet,
             "property": h.predicate, "score": round(-h.score, 4)} for h in hits]


def reindex(store: Store) -> ReindexReport:
    """Rebuild the text index of an embedded store from its triples.

    Raises StoreError for an external endpoint or a read-only store.
    """
    if not isinstance(store, EmbeddedStore):
        raise StoreError(store.location, "only the embedded store keeps a text index; nothing to reindex")
    texts = store.reindex()
    return ReindexReport(texts, store.index.size())
