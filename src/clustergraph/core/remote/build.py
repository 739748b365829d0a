"""Building into a remote store: files sent in chunks by the Graph Store Protocol, resumable.

A build records its progress on the endpoint itself, in a journal graph
(graph/build/journal): once a file's graph is completely loaded, the journal gets one entry
for it, the SHA-256 of the file and the triple count the endpoint then reports:

    <graph/data/clusters>  spdx:checksumValue "1a2b…" ; void:triples 1234 .

A build that stops part-way (the engine went away, a chunk failed past its retries) leaves the
journal in place and raises LoadInterrupted naming what is loaded. The next build reads the
journal and leaves every graph whose file has the same digest and whose triple count is still
the recorded one; every other file is loaded again from its start (a file's blank nodes get new
labels each time it is parsed, so a half-sent file cannot be continued chunk by chunk). A build
that completes drops the journal, so a finished store holds no trace of it and the next build
replaces every graph, as on the embedded store. While the journal exists, queries over the
union of graphs see it: `stats` lists graph/build/journal, which says a build is unfinished.

Leftover staging graphs (graph/staging/…, from a write whose process was killed) and scratch
graphs (urn:x-clustergraph:scratch:…, from a killed delta validation) are dropped by every build.

A request that fails (network error, 5xx, 429) is tried again `RemoteStore.retries` times. A
chunk of plain triples may be sent twice without harm (a graph is a set); a chunk with blank
nodes whose answer was lost after the engine stored it would be stored twice, with new blank
nodes: the journal then records the larger count, and `stats` shows it against the file's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from clustergraph.base.errors import LoadInterrupted, StoreError
from clustergraph.base.terms import JOURNAL
from clustergraph.core.rdfio import ParseSummary, check_file, parse_file
from clustergraph.core.results import Solutions
from clustergraph.core.sparql import text
from clustergraph.core.store import SCRATCH_GRAPHS, STAGING_PREFIX, GraphLoad, Progress

if TYPE_CHECKING:  # core/remote/client.py imports this module: RemoteStore.replace_graphs calls load_files
    from clustergraph.core.remote.client import RemoteStore

_JOURNAL = text("build-journal")
_RECORD = text("build-record")


def load_files(store: RemoteStore, files: Sequence[tuple[Path, URIRef]], *, drop: Iterable[URIRef] = (),
               progress: Progress | None = None) -> list[GraphLoad]:
    """Load each file into its graph (replacing it), drop the graphs in `drop`, resuming an
    interrupted build; see the module docstring.

    Every file is parsed first: raises InputError, with nothing changed, if one fails. Raises
    LoadInterrupted when the endpoint fails part-way, StoreError when it cannot be reached at all.
    """
    checked: list[tuple[ParseSummary, URIRef, str]] = []
    for path, graph in files:
        checked.append((check_file(path), graph, _sha256(path)))
        if progress:
            progress(path, "parsed", checked[-1][0].triples)
    done = journal(store)
    sizes = store.graph_sizes()
    leftovers = [g for g in sizes if str(g).startswith((STAGING_PREFIX, SCRATCH_GRAPHS))]
    for graph in [*drop, *leftovers]:
        store.remove_graph(graph)
    loads: list[GraphLoad] = []
    total = sum(summary.triples for summary, _, _ in checked)
    for summary, graph, digest in checked:
        if done.get(graph) == (digest, sizes.get(graph, 0)):
            loads.append(GraphLoad(summary.path, graph, summary.triples, skipped=True))
            if progress:
                progress(summary.path, "skipped", summary.triples)
            continue
        _load_one(store, summary, graph, digest, loads, len(checked), total, progress)
    store.remove_graph(JOURNAL)
    return loads


def journal(store: RemoteStore) -> dict[URIRef, tuple[str, int]]:
    """Per graph an unfinished build completed: the file's SHA-256 and the graph's triple count."""
    result = store.query(_JOURNAL, bindings={"journal": JOURNAL})
    assert isinstance(result, Solutions)
    return {URIRef(str(g.value)): (str(s.value), int(str(n.value)))  # type: ignore[union-attr]
            for g, s, n in result.rows}


def _load_one(store: RemoteStore, summary: ParseSummary, graph: URIRef, digest: str, loads: list[GraphLoad],
              total_files: int, total_triples: int, progress: Progress | None) -> None:
    """Send one file in chunks, then record it in the journal; on failure raise LoadInterrupted."""
    sent: list[int] = []

    def chunk_done(n: int) -> None:
        sent.append(n)
        if progress:
            progress(summary.path, "chunk", n)

    try:
        triples = (q.triple for q in parse_file(summary.path, summary.fmt))
        store.put_chunks(graph, triples, on_chunk=chunk_done)
        count = store.count(graph)
        store.update(_RECORD, bindings={"journal": JOURNAL, "graph": graph, "sum": Literal(digest),
                                        "n": Literal(str(count), datatype=XSD.integer)})
    except StoreError as exc:
        partial = (f" while loading {summary.path.name} into <{graph}> after {len(sent)} chunk"
                   f"{'s' if len(sent) != 1 else ''} ({sum(sent):,} of {summary.triples:,} triples)")
        raise LoadInterrupted(exc.location, exc.detail, files=len(loads), total_files=total_files,
                              triples=sum(load.triples for load in loads), total_triples=total_triples,
                              partial=partial) from exc
    loads.append(GraphLoad(summary.path, graph, summary.triples))
    if progress:
        progress(summary.path, "loaded", summary.triples)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

