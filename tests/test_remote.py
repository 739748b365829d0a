"""The remote store against a real `oxigraph serve` on 127.0.0.1: the same answers as embedded."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from clustergraph.base.errors import InputError, QueryError, StoreError
from clustergraph.base.formats import RdfFormat
from clustergraph.core import EmbeddedStore, RemoteStore
from clustergraph.core.config import Endpoint, Settings
from clustergraph.core.results import Boolean, Solutions, Triples
from clustergraph.services.build import build
from conftest import Cli

COUNT = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def ntriples_graph(store: EmbeddedStore | RemoteStore) -> Graph:
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
        assert (err.value.path.name, err.value.line) == ("zz.ttl", 3)
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
