"""The remote store against a real `oxigraph serve` on 127.0.0.1: the same answers as embedded."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from clustergraph.adapters.cli import main
from clustergraph.base.errors import InputError, LoadInterrupted, NotConforming, QueryError, StoreError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.sparql import keywords
from clustergraph.base.terms import GRAPH, JOURNAL
from clustergraph.core import EmbeddedStore, RemoteStore
from clustergraph.core.config import Endpoint, Settings
from clustergraph.core.remote.build import journal
from clustergraph.core.results import Boolean, Solutions, Triples, ox_format
from clustergraph.core.store import STAGING_PREFIX, QueryOptions, Store
from clustergraph.services.build import build
from clustergraph.services.stats import stats
from clustergraph.services.steward.ingest import batches, ingest, retract
from conftest import FIXTURES, Cli
from processes import free_port
from server_app import BASE, client_for

COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def ntriples_graph(store: Store) -> Graph:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_TRIPLES)
    return Graph().parse(data=out.getvalue().decode(), format="nt")


def test_build_through_the_graph_store_protocol_matches_embedded(oxigraph_server: Endpoint, project: Path) -> None:
    settings = Settings(root=project)
    with RemoteStore(oxigraph_server) as remote, EmbeddedStore() as local:
        remote_report = build(remote, settings)
        local_report = build(local, settings)
        assert remote_report.triples == local_report.triples == 21
        assert remote.graph_sizes() == local.graph_sizes()
        assert isomorphic(ntriples_graph(remote), ntriples_graph(local))


def test_remote_queries_give_the_embedded_rows(oxigraph_server: Endpoint, project: Path) -> None:
    settings = Settings(root=project)
    text = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s ?l WHERE { ?s rdfs:label ?l "
            "FILTER(LANG(?l) = ?lang) } ORDER BY ?s ?l")
    with RemoteStore(oxigraph_server) as remote, EmbeddedStore() as local:
        build(remote, settings)
        build(local, settings)
        for lang in ("en", "de"):
            r = remote.query(text, bindings={"lang": Literal(lang)})
            e = local.query(text, bindings={"lang": Literal(lang)})
            assert isinstance(r, Solutions) and isinstance(e, Solutions)
            assert r.variables == e.variables
            assert [tuple(map(str, row)) for row in r.rows] == [tuple(map(str, row)) for row in e.rows]
        assert remote.query("ASK { ?s ?p ?o }") == Boolean(True)
        constructed = remote.query("CONSTRUCT { ?s a ?c } WHERE { ?s a ?c }")
        assert isinstance(constructed, Triples) and len(constructed) == 6


def test_remote_rebuild_replaces_graphs(oxigraph_server: Endpoint, project: Path) -> None:
    settings = Settings(root=project)
    with RemoteStore(oxigraph_server) as remote:
        build(remote, settings)
        (project / "data" / "extra.ttl").unlink()
        report = build(remote, settings)
        assert [str(g) for g in report.dropped] == ["https://w3id.org/clustergraph/graph/data/extra"]
        assert len(remote) == 16


def test_remote_build_with_broken_file_changes_nothing(oxigraph_server: Endpoint, project: Path,
                                                      fixtures: Path) -> None:
    settings = Settings(root=project)
    with RemoteStore(oxigraph_server) as remote:
        build(remote, settings)
        before = remote.graph_sizes()
        (project / "data" / "zz.ttl").write_bytes((fixtures / "broken_syntax.ttl").read_bytes())
        with pytest.raises(InputError) as err:
            build(remote, settings)
        assert err.value.path is not None and (err.value.path.name, err.value.line) == ("zz.ttl", 3)
        assert remote.graph_sizes() == before


def test_remote_syntax_error_is_a_query_error(oxigraph_server: Endpoint) -> None:
    with RemoteStore(oxigraph_server) as remote:
        with pytest.raises(QueryError) as err:
            remote.query("SELECT * WHERE { ?s ?p }")
    assert "the endpoint rejected the query" in err.value.detail


def test_remote_service_is_refused_before_sending(oxigraph_server: Endpoint) -> None:
    with RemoteStore(oxigraph_server) as remote:
        with pytest.raises(QueryError) as err:
            remote.query("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    assert err.value.status == 403


def test_remote_update_and_remove_graph(oxigraph_server: Endpoint) -> None:
    g = URIRef("https://w3id.org/clustergraph/graph/test")
    with RemoteStore(oxigraph_server) as remote:
        remote.update(f"INSERT DATA {{ GRAPH <{g}> {{ <http://e/a> <http://e/b> <http://e/c> }} }}")
        assert remote.graph_sizes() == {g: 1}
        remote.remove_graph(g)
        assert remote.graph_sizes() == {}


def test_cli_against_the_endpoint(oxigraph_server: Endpoint, cli: Cli) -> None:
    args = ["--endpoint", oxigraph_server.query_url, "--update-url", str(oxigraph_server.update_url),
            "--gsp-url", str(oxigraph_server.gsp_url)]
    assert cli(*args, "build").exit_code == 0
    result = cli(*args, "query", "-f", "csv", "-e", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.stdout.splitlines() == ["n", "21"]
    exported = cli(*args, "export", "-f", "nq")
    assert len(exported.stdout.strip().splitlines()) == 21


def test_build_without_gsp_url_says_what_to_give(oxigraph_server: Endpoint, project: Path) -> None:
    endpoint = Endpoint(oxigraph_server.query_url, oxigraph_server.update_url, None)
    with RemoteStore(endpoint) as remote:
        with pytest.raises(StoreError) as err:
            build(remote, Settings(root=project))
    assert "no Graph Store Protocol URL is set; give --gsp-url" in err.value.detail


# -- chunked, resumable build ----------------------------------------------------------------------

class Oxigraph:
    """An `oxigraph serve` that a test can kill and start again on the same folder and port."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        base = f"http://127.0.0.1:{self.port}"
        self.endpoint = Endpoint(query_url=f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store",
                                 timeout_s=10)

    def start(self) -> None:
        exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        self.proc = subprocess.Popen([exe, "serve", "--location", str(self.folder), "--bind",
                                      f"127.0.0.1:{self.port}", "--union-default-graph"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                httpx.get(self.endpoint.query_url, params={"query": "ASK {}"}, timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("oxigraph serve did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Oxigraph]:
    server = Oxigraph(tmp_path / "oxigraph-store")
    server.start()
    yield server
    server.kill()


def write_big_file(path: Path, n: int) -> None:
    """`n` plain triples and, at the end, blank nodes whose triples span more than one chunk."""
    lines = [f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" ." for i in range(n)]
    lines += [f"_:b{i} <http://example.org/next> _:b{i + 1} ." for i in range(12)]
    lines += ["<http://example.org/s0> <http://example.org/list> _:b0 ."]
    path.write_text("\n".join(lines) + "\n")


def remote(endpoint: Endpoint, **options: Any) -> RemoteStore:
    return RemoteStore(endpoint, **{"chunk_triples": 50, "retries": 1, "backoff_s": 0.01, **options})


def test_chunked_build_keeps_blank_nodes_whole_and_matches_embedded(oxigraph: Oxigraph, project: Path) -> None:
    write_big_file(project / "data" / "zz-big.nt", 200)
    settings = Settings(root=project)
    phases: list[tuple[str, str, int]] = []
    with remote(oxigraph.endpoint, chunk_triples=5) as store, EmbeddedStore() as local:
        build(store, settings, progress=lambda path, phase, n: phases.append((path.name, phase, n)))
        build(local, settings)
        assert store.graph_sizes() == local.graph_sizes()
        # blank nodes sent in two requests would be two nodes: the graphs would not be isomorphic
        assert isomorphic(ntriples_graph(store), ntriples_graph(local))
        assert JOURNAL not in store.graph_sizes()
    big = [n for name, phase, n in phases if name == "zz-big.nt" and phase == "chunk"]
    assert sum(big) == 213 and max(big) == 13 and len(big) == 41  # 40 plain chunks, one of the blank-node chain


def test_build_killed_mid_way_says_what_is_loaded_and_resumes(oxigraph: Oxigraph, project: Path) -> None:
    write_big_file(project / "data" / "zz-big.nt", 200)
    settings = Settings(root=project)

    def kill_at_first_chunk_of_big(path: Path, phase: str, n: int) -> None:
        if path.name == "zz-big.nt" and phase == "chunk":
            oxigraph.kill()

    with remote(oxigraph.endpoint) as store:
        with pytest.raises(LoadInterrupted) as err:
            build(store, settings, progress=kill_at_first_chunk_of_big)
    assert (err.value.files, err.value.total_files) == (3, 4)
    assert (err.value.triples, err.value.total_triples) == (21, 234)
    assert err.value.location == oxigraph.endpoint.gsp_url
    assert ("while loading zz-big.nt into <https://w3id.org/clustergraph/graph/data/zz-big> after 1 chunk "
            "(50 of 213 triples); loaded 3 of 4 files, 21 of 234 triples; run build again to resume") in str(err.value)

    (project / "data" / "extra.ttl").write_text((project / "data" / "extra.ttl").read_text()
                                                + "\n<http://example.org/new> <http://example.org/p> 1 .\n")
    oxigraph.start()
    endpoint = oxigraph.endpoint
    shown = Cli(project)("--endpoint", endpoint.query_url, "--update-url", str(endpoint.update_url), "stats")
    assert "an interrupted build left <https://w3id.org/clustergraph/graph/build/journal>" in shown.stderr
    with remote(oxigraph.endpoint) as store, EmbeddedStore() as local:
        assert set(journal(store)) == {GRAPH["ontology/mini"], GRAPH["data/extra"], GRAPH["data/minimal"]}
        report = build(store, settings)
        kept = {load.path.name for load in report.loads if load.skipped}
        assert kept == {"mini.ttl", "minimal.ttl"}  # extra.ttl changed since, so it is loaded again
        build(local, settings)
        assert store.graph_sizes() == local.graph_sizes()
        assert isomorphic(ntriples_graph(store), ntriples_graph(local))
        assert journal(store) == {}
        again = build(store, settings)  # a finished build leaves no journal: the next one replaces all
        assert not any(load.skipped for load in again.loads)


def test_build_against_a_dead_endpoint_is_one_line_exit_2(cli: Cli) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    result = cli("--endpoint", f"{base}/query", "--update-url", f"{base}/update", "--gsp-url", f"{base}/store",
                 "build")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {base}/query: the endpoint does not answer")


# -- export, stats, validate -----------------------------------------------------------------------

def per_graph(data: bytes, fmt: RdfFormat) -> dict[str, Graph]:
    graphs: dict[str, Graph] = {}
    for quad in ox.parse(data, format=ox_format(fmt)):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        graphs.setdefault(name, Graph()).parse(data=str(quad.triple) + " .\n", format="nt")
    return graphs


@pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.label)
def test_streamed_export_gives_the_embedded_graphs(oxigraph: Oxigraph, project: Path, fmt: RdfFormat) -> None:
    settings = Settings(root=project)
    with remote(oxigraph.endpoint) as store, EmbeddedStore() as local:
        build(store, settings)
        build(local, settings)
        out_remote, out_local = io.BytesIO(), io.BytesIO()
        store.dump(out_remote, fmt)
        local.dump(out_local, fmt)
    mine, theirs = per_graph(out_remote.getvalue(), fmt), per_graph(out_local.getvalue(), fmt)
    assert sorted(mine) == sorted(theirs) and len(mine) == (3 if fmt.is_dataset and fmt is not RdfFormat.JSON_LD else 1)
    assert all(isomorphic(mine[g], theirs[g]) for g in mine)


def test_triple_syntax_export_holds_a_triple_of_two_graphs_once(oxigraph: Oxigraph) -> None:
    triple = "<http://example.org/a> <http://example.org/b> <http://example.org/c>"
    with remote(oxigraph.endpoint) as store:
        store.update(f"INSERT DATA {{ GRAPH <{GRAPH['x']}> {{ {triple} }} GRAPH <{GRAPH['y']}> {{ {triple} }} }}")
        nt, nq = io.BytesIO(), io.BytesIO()
        store.dump(nt, RdfFormat.N_TRIPLES)
        store.dump(nq, RdfFormat.N_QUADS)
    assert nt.getvalue().decode().splitlines() == [f"{triple} ."]
    assert len(nq.getvalue().decode().splitlines()) == 2


def test_stats_and_dataset_options_over_remote(oxigraph: Oxigraph, project: Path) -> None:
    settings = Settings(root=project)
    with remote(oxigraph.endpoint) as store, EmbeddedStore() as local:
        build(store, settings)
        build(local, settings)
        assert stats(store) == stats(local)
        only = QueryOptions(default_graphs=(str(GRAPH["data/extra"]),))
        text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        r, e = store.query(text, options=only), local.query(text, options=only)
        assert isinstance(r, Solutions) and isinstance(e, Solutions)
        assert str(r.rows[0][0].value) == str(e.rows[0][0].value) == "5"  # type: ignore[union-attr]
        named = QueryOptions(named_graphs=(str(GRAPH["data/extra"]), str(GRAPH["ontology/mini"])))
        text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        r, e = store.query(text, options=named), local.query(text, options=named)
        assert isinstance(r, Solutions) and isinstance(e, Solutions) and len(r.rows) == 2
        assert [tuple(map(str, row)) for row in r.rows] == [tuple(map(str, row)) for row in e.rows]


def server_project(tmp_path: Path, endpoint: Endpoint) -> Settings:
    root = tmp_path / "server-project"
    shutil.copytree(FIXTURES / "server", root)
    settings = Settings(root=root, endpoint=endpoint, base_url=BASE)
    with RemoteStore(endpoint) as store:
        build(store, settings)
    return settings


def test_validate_with_endpoint_gives_the_embedded_report(oxigraph: Oxigraph, tmp_path: Path) -> None:
    settings = server_project(tmp_path, oxigraph.endpoint)
    endpoint = oxigraph.endpoint
    args = ["--root", str(settings.root), "--endpoint", endpoint.query_url, "--update-url", str(endpoint.update_url),
            "--gsp-url", str(endpoint.gsp_url)]
    local = ["--root", str(settings.root), "--memory"]
    runner = CliRunner()
    bad = str(settings.root / "steward" / "missing_source.ttl")
    remote_result = runner.invoke(main, [*args, "validate", "-f", "json", bad])
    assert remote_result.exit_code == 1, remote_result.output
    assert "prov:wasDerivedFrom" in remote_result.stdout
    with EmbeddedStore(tmp_path / "local") as store:
        build(store, settings.with_store(tmp_path / "local"))
    local_result = runner.invoke(main, [*local[:2], "--store", str(tmp_path / "local"), "validate", "-f", "json", bad])
    assert local_result.exit_code == 1
    assert remote_result.stdout == local_result.stdout
    assert runner.invoke(main, [*args, "validate"]).exit_code == 0


# -- ingest and retract ----------------------------------------------------------------------------

def nquads(store: RemoteStore) -> list[str]:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(out.getvalue().decode().splitlines())


class FailingStore(RemoteStore):
    """The real endpoint, but the client fails at one chosen step (the network or the engine going away)."""

    fail_at: str = ""
    requests = 0

    def _gsp(self, method: str, graph: URIRef, body: bytes) -> None:
        self.requests += 1
        if self.fail_at == "second chunk" and self.requests == 2:
            raise StoreError(str(self.endpoint.gsp_url), "the endpoint does not answer (injected)")
        super()._gsp(method, graph, body)

    def _update(self, sparql: str) -> None:
        if self.fail_at == "swap" and "ADD" in keywords(sparql):
            raise StoreError(str(self.endpoint.update_url), "HTTP 503: injected")
        super()._update(sparql)


@pytest.mark.parametrize("inline", [10_000, 0], ids=["insert-data", "staged"])
def test_ingest_and_retract_over_remote(oxigraph: Oxigraph, tmp_path: Path, inline: int) -> None:
    settings = server_project(tmp_path, oxigraph.endpoint)
    with remote(oxigraph.endpoint, inline_triples=inline, chunk_triples=2) as store:
        before = nquads(store)
        done = ingest(store, settings.shapes_dir, settings.root / "steward" / "good.ttl", agent="Test Steward")
        assert [b.id for b in batches(store)] == [done.batch.id]
        assert not any(str(g).startswith(STAGING_PREFIX) for g in store.graph_sizes())
        held = store.count(done.batch.graph)
        assert held == done.batch.triples + 18  # the file's triples and the batch's PROV-O record (18 triples)
        retract(store, settings.shapes_dir, done.batch.id)
        assert nquads(store) == before


@pytest.mark.parametrize("fail_at", ["second chunk", "swap"])
def test_failed_staged_ingest_leaves_the_remote_store_as_before(oxigraph: Oxigraph, tmp_path: Path,
                                                                fail_at: str) -> None:
    settings = server_project(tmp_path, oxigraph.endpoint)
    store = FailingStore(oxigraph.endpoint, inline_triples=0, chunk_triples=1, retries=0)
    store.fail_at = fail_at
    with store:
        before = nquads(store)
        with pytest.raises(StoreError) as err:
            ingest(store, settings.shapes_dir, settings.root / "steward" / "good.ttl", agent="Test Steward")
        assert "injected" in str(err.value)
        assert nquads(store) == before
        assert batches(store) == []


def test_a_small_write_with_blank_nodes_goes_through_a_staging_graph(oxigraph: Oxigraph) -> None:
    graph = ox.NamedNode(str(GRAPH["batch/x"]))
    node = ox.BlankNode()
    quads = [ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"), node, graph),
             ox.Quad(node, ox.NamedNode("http://example.org/q"), ox.Literal("v"), graph)]
    store = FailingStore(oxigraph.endpoint)
    with store:
        store.add_quads(quads)
        assert store.requests == 1  # one Graph Store Protocol upload, not INSERT DATA (Virtuoso refuses blank nodes there)
        assert store.graph_sizes() == {GRAPH["batch/x"]: 2}
        linked = store.query("ASK { <http://example.org/a> <http://example.org/p> ?b . ?b <http://example.org/q> 'v' }")
        assert linked == Boolean(True)


def test_refused_ingest_over_remote_changes_nothing(oxigraph: Oxigraph, tmp_path: Path) -> None:
    settings = server_project(tmp_path, oxigraph.endpoint)
    with remote(oxigraph.endpoint) as store:
        before = nquads(store)
        with pytest.raises(NotConforming):
            ingest(store, settings.shapes_dir, settings.root / "steward" / "missing_source.ttl", agent="Test")
        assert nquads(store) == before


# -- serve -----------------------------------------------------------------------------------------

def test_serve_fronts_the_remote_engine(oxigraph: Oxigraph, tmp_path: Path) -> None:
    settings = server_project(tmp_path, oxigraph.endpoint)
    app = client_for(settings)
    try:
        answer = app.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"})
        with RemoteStore(oxigraph.endpoint) as store:
            assert answer.json()["results"]["bindings"][0]["n"]["value"] == str(len(store))
        clusters = app.get("/api/queries/clusters", headers={"Accept": "application/sparql-results+json"})
        assert app.get("/catalogue/clusters").status_code == 200
        assert clusters.status_code == 200 and clusters.json()["results"]["bindings"]
        page = app.get("/id/cluster/gamma", headers={"Accept": "text/turtle"})
        assert page.status_code == 200
        assert any(str(s).endswith("/id/cluster/gamma") for s in Graph().parse(data=page.text, format="turtle").subjects())
    finally:
        app.close()
