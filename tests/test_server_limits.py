"""The limits of the server's writer and its CORS preflight, on real `clustergraph serve` processes:
validate and ingest stop at the time limit (503, nothing written) and the writer answers again
after; a request past --max-triples is refused (400, nothing written); preflight requests are
answered for read paths only. A long soak (16 clients for 30 s, an ingest every 2 s) is marked slow.
Bounds on time are generous: this is about behaviour, not speed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from server_app import SERVER_FIXTURE, TOKEN, served, server_settings

AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
#: Enough generated triples that validating them in the context of the store takes far more than the
#: 1 s limit below (tens of seconds without a limit on this machine), in a body under --max-body.
MANY = 300_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A 1 s time limit, a 64 MiB body limit, at most 1000 triples per validate/ingest."""
    tmp = tmp_path_factory.mktemp("limits")
    with served(server_settings(tmp), tmp / "serve.log", "--workers", "2", "--timeout", "1", "--max-body", "64M",
                "--max-triples", "1000", token=TOKEN) as base:
        yield base


@pytest.fixture(scope="module")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A 1 s time limit and room for many triples per request."""
    tmp = tmp_path_factory.mktemp("slow-writes")
    with served(server_settings(tmp), tmp / "serve.log", "--workers", "2", "--timeout", "1", "--max-body", "64M",
                token=TOKEN) as base:
        yield base


def many_triples(n: int) -> bytes:
    return b"".join(b'<urn:x:s%d> <urn:x:p> "%d" .\n' % (i, i) for i in range(n))


def dump(base: str) -> set[ox.Quad]:
    answer = httpx.get(f"{base}/rdf-graphs", params={"default": ""}, headers={"Accept": "application/n-triples"},
                       timeout=60)
    assert answer.status_code == 200, answer.text
    return set(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))


def graphs(base: str) -> set[str]:
    answer = httpx.get(f"{base}/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"},
                       headers=JSON, timeout=30)
    assert answer.status_code == 200, answer.text
    return {row["g"]["value"] for row in answer.json()["results"]["bindings"]}


@pytest.mark.parametrize("path,params", [("/api/validate", {}), ("/api/ingest", {"by": "limits"})])
def test_a_write_past_the_time_limit_is_503_and_writes_nothing(slow_server: str, path: str,
                                                               params: dict[str, str]) -> None:
    before, named = dump(slow_server), graphs(slow_server)
    started = time.monotonic()
    answer = httpx.post(f"{slow_server}{path}", params={**params, "name": "many.nt"}, content=many_triples(MANY),
                        headers={**AUTH, "Content-Type": "application/n-triples"}, timeout=120)
    took = time.monotonic() - started
    assert answer.status_code == 503, answer.text[:500]
    assert "time limit" in answer.json()["error"]
    assert took < 60, f"answered after {took:.1f} s with a 1 s limit"
    assert dump(slow_server) == before and graphs(slow_server) == named  # no triple, no batch, no scratch graph
    # The writer was stopped and started again: the next write goes through.
    fact = "<urn:x:after> <urn:x:p> \"written\""
    written = httpx.post(f"{slow_server}/sparql/update", content=f"INSERT DATA {{ {fact} }}".encode(), timeout=30,
                         headers={**AUTH, "Content-Type": "application/sparql-update"})
    assert written.status_code in (200, 204), written.text  # 200 with its batch once writes are guarded
    seen = httpx.get(f"{slow_server}/sparql", params={"query": f"ASK {{ {fact} }}"}, headers=JSON, timeout=30)
    assert seen.json()["boolean"] is True


@pytest.mark.parametrize("path,params", [("/api/validate", {}), ("/api/ingest", {"by": "limits"})])
def test_a_request_past_max_triples_is_400_and_writes_nothing(server: str, path: str, params: dict[str, str]) -> None:
    before, named = dump(server), graphs(server)
    answer = httpx.post(f"{server}{path}", params={**params, "name": "many.nt"}, content=many_triples(1001),
                        headers={**AUTH, "Content-Type": "application/n-triples"}, timeout=60)
    assert answer.status_code == 400, answer.text[:500]
    assert "1,000 triples" in answer.json()["error"]
    assert dump(server) == before and graphs(server) == named
    # At the limit it is accepted (validate: 200 with the report).
    if path == "/api/validate":
        fine = httpx.post(f"{server}{path}", params={"name": "few.nt"}, content=many_triples(1000),
                          headers={**AUTH, "Content-Type": "application/n-triples"}, timeout=60)
        assert fine.status_code == 200, fine.text[:500]


def test_preflight_is_answered_for_reads_and_never_for_writes(server: str) -> None:
    def preflight(path: str, method: str) -> httpx.Response:
        return httpx.options(f"{server}{path}", timeout=30, headers={
            "Origin": "https://elsewhere.example", "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "Content-Type"})

    for path, method in [("/sparql", "POST"), ("/sparql", "GET"), ("/api/queries", "GET"),
                         ("/rdf-graphs", "GET")]:
        answer = preflight(path, method)
        assert answer.status_code == 204, (path, method, answer.status_code)
        assert answer.headers["access-control-allow-origin"] == "*"
        assert method in answer.headers["access-control-allow-methods"]
    for path, method in [("/sparql/update", "POST"), ("/rdf-graphs", "PUT"), ("/rdf-graphs", "DELETE"),
                         ("/api/ingest", "POST"), ("/api/validate", "POST")]:
        answer = preflight(path, method)
        assert "access-control-allow-origin" not in answer.headers, (path, method)


@pytest.mark.slow
def test_a_long_soak_gives_no_5xx_and_exactly_the_expected_dump(tmp_path: Path) -> None:
    """16 readers for 30 s with an ingest every 2 s; then the N-Quads dump is the build's plus the batches'."""
    soak(tmp_path, readers=16, seconds=30, every=2, at_least=10)


def soak(tmp_path: Path, *, readers: int, seconds: float, every: float, at_least: int) -> None:
    """`readers` clients read for `seconds` while /api/ingest runs every `every` s: no 5xx, at least
    `at_least` batches, and afterwards the N-Quads dump is exactly the build's plus the batches'."""
    good = (SERVER_FIXTURE / "steward" / "good.ttl").read_bytes()
    good_triples = {q.triple for q in ox.parse(good, format=ox.RdfFormat.TURTLE)}
    with served(server_settings(tmp_path), tmp_path / "soak.log", "--queue", "64", token=TOKEN) as base:
        before = _all_quads(base)
        statuses: list[int] = []
        batches: list[str] = []
        stop = time.monotonic() + seconds

        def read() -> None:
            with httpx.Client(base_url=base, timeout=60) as client:
                while time.monotonic() < stop:
                    statuses.append(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 50"},
                                               headers=JSON).status_code)
                    statuses.append(client.get("/api/queries").status_code)

        threads = [threading.Thread(target=read) for _ in range(readers)]
        for thread in threads:
            thread.start()
        while time.monotonic() < stop:
            answer = httpx.post(f"{base}/api/ingest", params={"by": "soak", "name": "good.ttl"}, content=good,
                                headers={**AUTH, "Content-Type": "text/turtle"}, timeout=60)
            statuses.append(answer.status_code)
            if answer.status_code == 201:
                batches.append(answer.json()["batch"]["graph"])
            time.sleep(every)
        for thread in threads:
            thread.join()
        after = _all_quads(base)
    assert statuses and not [s for s in statuses if s >= 500]
    assert len(batches) >= at_least
    assert before <= after  # nothing of the build was lost or changed
    new = after - before
    # The new quads are exactly the batches: in their graphs and no other, each the ingested triples
    # and its record, of the same size for every batch (the same document, ingested the same way).
    assert {q.graph_name for q in new} == {ox.NamedNode(b) for b in batches}
    per_batch = [{q.triple for q in new if q.graph_name == ox.NamedNode(b)} for b in batches]
    assert all(good_triples <= triples for triples in per_batch)
    assert len({len(triples) for triples in per_batch}) == 1


def _all_quads(base: str) -> set[ox.Quad]:
    """Every quad in the store, graph by graph, as N-Quads."""
    quads: set[ox.Quad] = set()
    for graph in sorted(graphs(base)):
        answer = httpx.get(f"{base}/rdf-graphs", params={"graph": graph}, headers={"Accept": "application/n-triples"},
                           timeout=60)
        assert answer.status_code == 200, answer.text[:300]
        quads |= {ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
                  for t in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)}
    return quads
