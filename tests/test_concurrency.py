"""The server under many clients: a pool of query workers, one writer, bounded queues and bodies,
CORS on reads, and the SPARQL Protocol's base IRI, USING graphs and charsets. Real `clustergraph
serve` processes on 127.0.0.1; bounds on time are generous (this is about behaviour, not speed)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from server_app import TOKEN, served, server_settings
from test_server_limits import soak

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = {"Accept": "application/sparql-results+json"}
AUTH = {"Authorization": f"Bearer {TOKEN}"}
FACT = "<urn:x:s> <urn:x:p> \"seen\""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two query workers, a queue of one, a 3 s time limit, a 64 KiB body limit, the token set."""
    tmp = tmp_path_factory.mktemp("pool")
    with served(server_settings(tmp), tmp / "serve.log", "--workers", "2", "--queue", "1", "--timeout", "3",
                "--max-body", "64K", token=TOKEN) as base:
        yield base


def ask(base: str, pattern: str) -> bool:
    answer = httpx.get(f"{base}/sparql", params={"query": f"ASK {{ {pattern} }}"}, headers=JSON, timeout=30)
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["boolean"])


def update(base: str, text: str, **params: str) -> httpx.Response:
    return httpx.post(f"{base}/sparql/update", content=text.encode("utf-8"), params=params, timeout=30,
                      headers={**AUTH, "Content-Type": "application/sparql-update"})


def test_a_slow_query_holds_only_its_worker_and_the_worker_restarts(server: str) -> None:
    slow: list[httpx.Response] = []
    thread = threading.Thread(target=lambda: slow.append(
        httpx.get(f"{server}/sparql", params={"query": ENDLESS}, headers=JSON, timeout=30)))
    thread.start()
    time.sleep(0.5)  # the slow query is in its worker
    started = time.monotonic()
    assert ask(server, "") is True
    fast = time.monotonic() - started
    thread.join()
    assert fast < 2.0, f"ASK took {fast:.2f} s beside a slow query"  # alone: milliseconds; the limit: 3 s
    assert slow[0].status_code == 503 and slow[0].json()["incomplete"] is True
    # The stopped worker was started again: both workers answer.
    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(lambda _: ask(server, ""), range(8)))


def test_a_full_queue_answers_503_with_retry_after_at_once(server: str) -> None:
    held = [threading.Thread(target=lambda: httpx.get(f"{server}/sparql", params={"query": ENDLESS},
                                                      timeout=30)) for _ in range(3)]
    for thread in held:  # two workers busy, one request waiting: the queue (1) is full
        thread.start()
        time.sleep(0.3)
    started = time.monotonic()
    refused = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers=JSON, timeout=30)
    waited = time.monotonic() - started
    for thread in held:
        thread.join()
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) >= 1
    assert "busy" in refused.json()["error"]
    assert waited < 1.5, f"the refusal took {waited:.2f} s"


def test_a_write_is_seen_by_the_next_read_on_every_worker(server: str) -> None:
    with ThreadPoolExecutor(3) as pool:  # every worker opens its handle before the write (2 busy, 1 waiting)
        assert not any(pool.map(lambda _: ask(server, FACT), range(12)))
    assert update(server, f"INSERT DATA {{ GRAPH <urn:x:g> {{ {FACT} }} }}").status_code in (200, 204)
    with ThreadPoolExecutor(3) as pool:
        assert all(pool.map(lambda _: ask(server, FACT), range(12)))
    assert update(server, "DROP GRAPH <urn:x:g>").status_code in (200, 204)
    with ThreadPoolExecutor(3) as pool:
        assert not any(pool.map(lambda _: ask(server, FACT), range(12)))


def test_a_body_past_the_limit_is_413_declared_or_streamed(server: str) -> None:
    big = b"ASK {} #" + b"x" * (70 * 1024)
    declared = httpx.post(f"{server}/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert declared.status_code == 413
    assert "larger than the limit of 64 KiB" in declared.json()["error"]

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 8192):
            yield big[start:start + 8192]

    streamed = httpx.put(f"{server}/rdf-graphs", params={"graph": "urn:x:big"}, content=chunks(),
                         headers={**AUTH, "Content-Type": "text/turtle"})
    assert streamed.status_code == 413
    assert httpx.get(f"{server}/rdf-graphs", params={"graph": "urn:x:big"}).status_code == 404


def test_reads_carry_cors_and_writes_never(server: str) -> None:
    read = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={**JSON, "Origin": "http://other"})
    assert read.headers["Access-Control-Allow-Origin"] == "*"
    listed = httpx.get(f"{server}/api/queries", headers={"Origin": "http://other"})
    assert listed.headers["Access-Control-Allow-Origin"] == "*"
    preflight = httpx.options(f"{server}/sparql", headers={
        "Origin": "http://other", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    written = update(server, "INSERT DATA { GRAPH <urn:x:c> { <urn:x:c> <urn:x:c> 1 } }")
    assert written.status_code in (200, 204) and "Access-Control-Allow-Origin" not in written.headers
    write_preflight = httpx.options(f"{server}/sparql/update", headers={
        "Origin": "http://other", "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in write_preflight.headers
    put = httpx.put(f"{server}/rdf-graphs", params={"graph": "urn:x:c"}, content=b"<urn:x:c> <urn:x:c> \"2\" .",
                    headers={**AUTH, "Content-Type": "application/n-triples", "Origin": "http://other"})
    assert put.status_code in (200, 201, 204) and "Access-Control-Allow-Origin" not in put.headers


def test_relative_iris_resolve_against_the_endpoint(server: str) -> None:
    built = httpx.get(f"{server}/sparql", params={"query": "CONSTRUCT { <s> <p> 1 } WHERE {}"},
                      headers={"Accept": "application/n-triples"})
    assert built.status_code == 200
    assert f"<{server}/s> <{server}/p>" in built.text
    assert update(server, "INSERT DATA { GRAPH <urn:x:rel> { <s> <p> 1 } }").status_code in (200, 204)
    assert ask(server, f"GRAPH <urn:x:rel> {{ <{server}/s> <{server}/p> 1 }}")


def test_using_graph_uri_is_the_update_dataset(server: str) -> None:
    assert update(server, "INSERT DATA { GRAPH <urn:x:src> { <urn:x:a> <urn:x:p> 7 } }").status_code in (200, 204)
    copy = "INSERT { GRAPH <urn:x:dst> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
    assert update(server, copy, **{"using-graph-uri": "urn:x:src"}).status_code in (200, 204)
    dump = httpx.get(f"{server}/rdf-graphs", params={"graph": "urn:x:dst"}, headers={"Accept": "application/n-triples"})
    assert dump.text.strip() == "<urn:x:a> <urn:x:p> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> ."
    both = update(server, "INSERT { GRAPH <urn:x:dst> { ?s ?p ?o } } USING <urn:x:src> WHERE { ?s ?p ?o }",
                  **{"using-graph-uri": "urn:x:src"})
    assert both.status_code == 400 and "USING or WITH" in both.json()["error"]
    # A using-graph-uri is an IRI, checked: one that would close the clause and add an operation is refused.
    hostile = update(server, "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                     **{"using-graph-uri": "urn:x:none> WHERE {} ; DROP ALL ; INSERT { <urn:x:q> <urn:x:q> 1 }"})
    assert hostile.status_code == 400 and "is not an IRI" in hostile.json()["error"]
    dump = httpx.get(f"{server}/rdf-graphs", params={"graph": "urn:x:dst"}, headers={"Accept": "application/n-triples"})
    assert dump.text.strip() == "<urn:x:a> <urn:x:p> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> ."


def test_a_body_is_decoded_by_its_charset_and_refused_when_not_text(server: str) -> None:
    latin = 'ASK { FILTER("café" = "café") }'.encode("latin-1")
    declared = httpx.post(f"{server}/sparql", content=latin, headers={
        **JSON, "Content-Type": "application/sparql-query; charset=ISO-8859-1"})
    assert declared.status_code == 200 and declared.json()["boolean"] is True
    undeclared = httpx.post(f"{server}/sparql", content=latin, headers={
        **JSON, "Content-Type": "application/sparql-query"})
    assert undeclared.status_code == 400 and "not utf-8 text" in undeclared.json()["error"]


def test_a_bounded_soak_gives_no_5xx_and_the_expected_dump(tmp_path: Path) -> None:
    """8 readers for about 8 s with an ingest every second (the slow-marked soak runs 16 for 30 s)."""
    soak(tmp_path, readers=8, seconds=8, every=1, at_least=5)


def test_a_large_answer_is_sent_in_parts_as_written(server: str) -> None:
    pad = "x" * 300  # 5,000 rows of over 300 bytes: past the 1 MiB up to which a worker's answer is sent whole
    query = f'SELECT ?s ?o ?pad WHERE {{ ?s ?p ?o . ?a ?b ?c BIND("{pad}" AS ?pad) }} LIMIT 5000'
    with httpx.stream("GET", f"{server}/sparql", params={"query": query}, headers=JSON, timeout=30) as answer:
        assert answer.status_code == 200
        assert "content-length" not in answer.headers and answer.headers["transfer-encoding"] == "chunked"
        body = b"".join(answer.iter_raw())
    rows = json.loads(body)["results"]["bindings"]
    assert len(rows) == 5000 and {row["pad"]["value"] for row in rows} == {pad}
    # A small answer still comes whole, with its length.
    small = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers=JSON, timeout=30)
    assert small.headers["content-length"] == str(len(small.content)) and small.json()["boolean"] is True
