"""The store in a worker process: the time limit stops a query for real, errors cross intact, and the
store survives a stopped or killed worker."""

from __future__ import annotations

import io
import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from clustergraph.base.errors import InputError, QueryError, StoreError
from clustergraph.base.formats import RdfFormat, ResultFormat
from clustergraph.base.terms import INCOMPLETE_LINK
from clustergraph.core.config import Settings
from clustergraph.core.pool import ReadPool
from clustergraph.core.results import PART_BYTES, Solutions
from clustergraph.core.store import EmbeddedStore, QueryOptions
from clustergraph.core.worker import WorkerStore

G = ox.NamedNode("urn:test:g")
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def quads(n: int) -> list[ox.Quad]:
    return [ox.Quad(ox.NamedNode(f"urn:test:s{i}"), ox.NamedNode("urn:test:p"), ox.Literal(f"v{i}", language="en"), G)
            for i in range(n)]


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[WorkerStore]:
    store = WorkerStore(Settings(root=tmp_path, store_path=tmp_path / "store"), timeout_s=1.0)
    store.add_quads(quads(60))
    yield store
    store.close()


def test_a_query_past_the_time_limit_is_stopped_and_the_store_kept(worker: WorkerStore) -> None:
    with pytest.raises(QueryError) as err:
        worker.query(ENDLESS, options=QueryOptions(name="endless"))
    assert (err.value.query, err.value.status) == ("endless", 503)
    assert err.value.detail.startswith("stopped at the time limit of 1 s; no answer was sent")
    assert worker.restarts == 1
    assert len(worker) == 60


def test_results_cross_with_terms_and_the_row_limit(worker: WorkerStore) -> None:
    result = worker.query("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s", options=QueryOptions(limit=5))
    assert isinstance(result, Solutions)
    assert (result.variables, len(result), result.truncated) == (("s", "o"), 5, True)
    assert result.rows[0] == (ox.NamedNode("urn:test:s0"), ox.Literal("v0", language="en"))


def test_errors_cross_with_their_fields(worker: WorkerStore) -> None:
    with pytest.raises(QueryError) as err:
        worker.query("SELECT WHERE", options=QueryOptions(name="broken"))
    assert err.value.query == "broken" and err.value.detail.startswith("SPARQL syntax error")
    assert err.value.status == 400


def test_writes_and_reads_through_the_worker(worker: WorkerStore, tmp_path: Path) -> None:
    data = tmp_path / "extra.ttl"
    data.write_text("<urn:test:x> <urn:test:p> 1 .\n")
    loads = worker.replace_graphs([(data, URIRef("urn:test:extra"))])
    assert [(load.graph, load.triples) for load in loads] == [(URIRef("urn:test:extra"), 1)]
    assert worker.graph_sizes() == {URIRef("urn:test:g"): 60, URIRef("urn:test:extra"): 1}
    out = io.BytesIO()
    worker.dump(out, RdfFormat.N_QUADS, graphs=[URIRef("urn:test:extra")])
    assert out.getvalue() == b'<urn:test:x> <urn:test:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> <urn:test:extra> .\n'
    worker.remove_graph(URIRef("urn:test:extra"))
    assert len(list(worker.quads())) == 60
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n")
    with pytest.raises(InputError) as err:
        worker.replace_graphs([(bad, URIRef("urn:test:bad"))])
    assert (err.value.path, err.value.line) == (bad, 1)
    assert len(worker) == 60


def test_a_killed_worker_is_reported_and_replaced(worker: WorkerStore) -> None:
    process = worker._process
    assert process is not None and process.pid is not None
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    # The next call finds the worker dead before sending and starts a new one.
    assert len(worker) == 60
    assert worker.restarts == 1


def test_an_in_memory_store_lives_in_a_scratch_folder_removed_at_close(tmp_path: Path) -> None:
    store = WorkerStore(Settings(root=tmp_path), timeout_s=None)
    scratch = store._scratch
    assert scratch is not None and scratch.is_dir()
    store.add_quads(quads(3))
    assert (store.location, len(store)) == ("(in memory)", 3)
    store.close()
    assert not scratch.exists()


def test_a_locked_store_is_a_store_error(tmp_path: Path, worker: WorkerStore) -> None:
    with pytest.raises(StoreError) as err:
        WorkerStore(Settings(root=tmp_path, store_path=tmp_path / "store"), timeout_s=1.0)
    assert err.value.location == str(tmp_path / "store")
    assert "locked by another process" in err.value.detail


def test_an_answer_comes_in_parts_and_its_worker_is_freed_before_they_are_read(tmp_path: Path) -> None:
    settings = Settings(root=tmp_path, store_path=tmp_path / "store")
    with EmbeddedStore(settings.store_path) as store:
        store.add_quads([ox.Quad(q.subject, q.predicate, ox.Literal(f"{q.object.value} {'x' * 200}", language="en"),
                                 q.graph_name) for q in quads(5000)])
    pool = ReadPool(settings, workers=1, timeout_s=30, queue_size=1)
    try:
        text = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"
        first = pool.answer(text, options=QueryOptions(limit=4500), results=ResultFormat.JSON, rdf=None)
        # The one worker answers again while no part of the first answer has been read.
        second = pool.answer("ASK {}", options=QueryOptions(), results=ResultFormat.JSON, rdf=None)
        assert second.parts is None and second.body is not None  # a small answer comes whole
        assert json.loads(second.body) == {"head": {}, "boolean": True}
        assert first.body is None and first.parts is not None  # 4,500 rows of JSON: past STREAM_AFTER
        parts = list(first.parts)
        body = b"".join(parts)
        assert (first.head.kind, first.head.truncated) == ("solutions", True)
        assert len(parts) == -(-len(body) // PART_BYTES) > 1  # written by pyoxigraph, sent in parts of 1 MiB
        document = json.loads(body)
        assert document["head"] == {"vars": ["s", "o"], "link": [INCOMPLETE_LINK]}
        assert document["incomplete"]["limit"] == 4500
        rows = document["results"]["bindings"]
        assert len(rows) == 4500 and rows[0]["o"]["value"] == f"v0 {'x' * 200}"
        # A query's error before its first part is raised by answer itself.
        with pytest.raises(QueryError):
            pool.answer("SELECT WHERE", options=QueryOptions(), results=ResultFormat.JSON, rdf=None)
    finally:
        pool.close()
