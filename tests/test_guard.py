"""Guarded writes: a SPARQL update or Graph Store write checked like an ingest, kept as a batch of
the quads it added and removed, and retracted exactly."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from clustergraph.base.errors import NotConforming, QueryError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import GRAPH
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings, read_tokens
from clustergraph.core.store import Store
from clustergraph.services.steward.guard import guarded_drop, guarded_put, guarded_update, retract
from clustergraph.services.steward.ingest import batches
from server_app import SERVER_FIXTURE, TOKEN, client_for, server_settings
from test_ingest import SHAPES, STEWARD

AUTH = {"Authorization": f"Bearer {TOKEN}"}

CGD = "https://w3id.org/clustergraph/id/"
PREFIXES = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\n"
            "PREFIX cgd: <https://w3id.org/clustergraph/id/>\n"
            "PREFIX prov: <http://www.w3.org/ns/prov#>\n")
CLUSTERS = GRAPH["data/clusters"]


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    with EmbeddedStore() as s:
        s.load(STEWARD / "data" / "clusters.ttl", graph=CLUSTERS)
        yield s


def nquads(store: Store) -> list[bytes]:
    """The store's N-Quads dump, its lines sorted (the store's order follows its internal ids)."""
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())


def test_a_shape_breaking_update_is_refused_and_changes_nothing(store: EmbeddedStore) -> None:
    before = nquads(store)
    with pytest.raises(NotConforming) as refused:
        guarded_update(store, SHAPES, PREFIXES + "INSERT DATA { cgd:insertion\\/7 a cg:ChainInsertion ; "
                                                 "cg:cluster cgd:cluster\\/nowhere }", agent="alice")
    assert {r.message for r in refused.value.report.failing()} >= {
        "A chain insertion must name its source publication (prov:wasDerivedFrom)."}
    assert nquads(store) == before and batches(store) == []


def test_delete_where_removes_a_curated_fact_and_retract_puts_it_back(store: EmbeddedStore) -> None:
    before = nquads(store)
    done = guarded_update(store, SHAPES, PREFIXES + "DELETE WHERE { cgd:cluster\\/a <http://www.w3.org/2000/01/"
                                                    "rdf-schema#comment> ?c }", agent="alice")
    assert (done.added, done.removed) == (0, 1)
    assert not store.query(f"ASK {{ GRAPH <{CLUSTERS}> {{ <{CGD}cluster/a> "
                           "<http://www.w3.org/2000/01/rdf-schema#comment> ?c } }").value  # type: ignore[union-attr]
    [batch] = batches(store)
    assert batch.id == done.batch.id
    retract(store, SHAPES, batch.id)
    assert nquads(store) == before


def test_an_insert_goes_into_its_batch_and_retract_takes_it_out(store: EmbeddedStore) -> None:
    before = nquads(store)
    text = PREFIXES + ("INSERT { ?i prov:wasDerivedFrom cgd:publication\\/p3 } WHERE { ?i cg:cluster cgd:cluster\\/a }")
    done = guarded_update(store, SHAPES, text, agent="alice")
    assert (done.added, done.removed) == (1, 0)
    assert store.query(f"ASK {{ GRAPH <{done.batch.graph}> {{ <{CGD}insertion/1> ?p <{CGD}publication/p3> }} }}"
                       ).value  # type: ignore[union-attr]
    retract(store, SHAPES, done.batch.id)
    assert nquads(store) == before


def test_an_update_that_changes_nothing_is_refused(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError) as nothing:
        guarded_update(store, SHAPES, "DELETE DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", agent="alice")
    assert "changes nothing" in str(nothing.value)


def test_graph_store_put_and_delete_are_batches_retracted_exactly(store: EmbeddedStore) -> None:
    before = nquads(store)
    body = (b"<https://w3id.org/clustergraph/id/cluster/a> <http://www.w3.org/2000/01/rdf-schema#label> "
            b"\"cluster a (fixture)\" .\n")
    existed, put = guarded_put(store, SHAPES, "urn:x:g1", body, RdfFormat.N_TRIPLES, replace=True, agent="bob")
    assert (existed, put.added, put.removed) == (False, 1, 0)
    dropped = guarded_drop(store, SHAPES, "urn:x:g1", agent="bob")
    assert dropped is not None and dropped.removed == 1
    retract(store, SHAPES, dropped.batch.id)
    retract(store, SHAPES, put.batch.id)
    assert nquads(store) == before


def test_a_put_that_breaks_the_shapes_is_refused(store: EmbeddedStore) -> None:
    before = nquads(store)
    body = (f"<{CGD}insertion/8> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://w3id.org/clustergraph/ontology#ChainInsertion> .\n").encode()
    with pytest.raises(NotConforming):
        guarded_put(store, SHAPES, "urn:x:g2", body, RdfFormat.N_TRIPLES, replace=True, agent="bob")
    assert nquads(store) == before


def test_retract_refuses_when_a_later_batch_changed_the_same_triples(store: EmbeddedStore) -> None:
    comment = f"<{CGD}cluster/a> <http://www.w3.org/2000/01/rdf-schema#comment> \"A placeholder cluster.\""
    first = guarded_update(store, SHAPES, f"DELETE DATA {{ GRAPH <{CLUSTERS}> {{ {comment} }} }}", agent="a")
    guarded_update(store, SHAPES, f"INSERT DATA {{ GRAPH <{CLUSTERS}> {{ {comment} }} }}", agent="b")
    with pytest.raises(Exception) as later:
        retract(store, SHAPES, first.batch.id)
    assert "a later batch" in str(later.value)


# -- over HTTP: every write guarded, answered with what it added and removed -------------------------------

def _dump(settings: Settings) -> list[bytes]:
    with EmbeddedStore(settings.store_path) as s:
        return nquads(s)


def test_http_refuses_shape_breaking_update_and_put_with_422_and_the_dump_unchanged(tmp_path: Path) -> None:
    settings = server_settings(tmp_path, write_token=TOKEN)
    before = _dump(settings)
    app = client_for(settings)
    try:
        update = app.post("/sparql/update", content=(
            b"INSERT DATA { <https://w3id.org/clustergraph/id/claim/new> a <https://w3id.org/clustergraph/ontology#"
            b"ChainInsertion> ; <https://w3id.org/clustergraph/ontology#cluster> <urn:x:nowhere> }"),
            headers={"Content-Type": "application/sparql-update", **AUTH})
        put = app.put("/rdf-graphs", params={"graph": "urn:x:g1"}, headers={"Content-Type": "text/turtle", **AUTH},
                      content=(SERVER_FIXTURE / "steward" / "missing_source.ttl").read_bytes())
        assert (update.status_code, put.status_code) == (422, 422)
        assert update.json()["conforms"] is False
        assert any(r["origin"] == "introduced" for r in put.json()["results"])
    finally:
        app.close()
    assert _dump(settings) == before


def test_http_delete_where_on_a_curated_graph_is_a_batch_that_retract_undoes(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(f"maria {hashlib.sha256(b'maria-token').hexdigest()}\n", encoding="utf-8")
    settings = server_settings(tmp_path, write_token=TOKEN, agent_tokens=read_tokens(tokens))
    before = _dump(settings)
    app = client_for(settings)
    try:
        done = app.post("/sparql/update", content=b"DELETE WHERE { <https://w3id.org/clustergraph/id/cluster/delta> "
                                                  b"<http://www.w3.org/2000/01/rdf-schema#label> ?l }",
                        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer maria-token"})
        assert done.status_code == 200, done.text
        body = done.json()
        assert (body["added"], body["removed"], body["batch"]["agent"]) == (0, 1, "maria")
        gone = app.get("/sparql", params={"query": "ASK { <https://w3id.org/clustergraph/id/cluster/delta> "
                                                   "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"},
                       headers={"Accept": "application/sparql-results+json"})
        assert gone.json()["boolean"] is False
        listed = app.get("/sparql", params={"query": f"ASK {{ GRAPH <{body['batch']['graph']}> {{ ?s ?p ?o }} }}"},
                         headers={"Accept": "application/sparql-results+json"})
        assert listed.json()["boolean"] is True
        undone = app.post("/api/retract", params={"batch": body["batch"]["id"]}, headers=AUTH)
        assert undone.status_code == 200, undone.text
    finally:
        app.close()
    assert _dump(settings) == before
