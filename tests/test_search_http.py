"""Text search over HTTP, in process: /api/search, /api/complete, the /search page, the OpenAPI
entry, and an ingested word found at once and gone after retract (through the store's worker)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from clustergraph.services.steward.ingest import retract
from server_app import TOKEN, AppClient, client_for, server_settings

AUTH = {"Authorization": f"Bearer {TOKEN}"}
CGD = "https://w3id.org/clustergraph/id/"
LABELLED = b"""
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix cgd: <https://w3id.org/clustergraph/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
# Test fixture, not domain data.
cgd:claim\\/delta-eu a cg:ChainInsertion ;
    rdfs:label "Delta in the zeppelin chain"@en ;
    cg:cluster cgd:cluster\\/delta ;
    prov:wasDerivedFrom cgd:publication\\/placeholder-2001 .
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppClient]:
    app = client_for(server_settings(tmp_path_factory.mktemp("search"), write_token=TOKEN))
    yield app
    app.close()


def test_api_search_ranks_hits_with_kind_snippet_and_link(client: AppClient) -> None:
    response = client.get("/api/search", params={"q": "footwear"})
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert {(h["kind"], h["label"], h["href"]) for h in hits} == {
        ("cluster", "Gamma footwear cluster", "/id/cluster/gamma"),
        ("chain", "US footwear chain", "/id/chain/us-footwear")}
    assert all(set(h) == {"subject", "kind", "label", "snippet", "property", "score", "href"} for h in hits)


def test_api_search_filters_by_kind(client: AppClient) -> None:
    hits = client.get("/api/search", params={"q": "footwear", "kind": "chain"}).json()["hits"]
    assert [h["subject"] for h in hits] == [CGD + "chain/us-footwear"]


@pytest.mark.parametrize(("params", "message"), [
    ({"q": '"footwear'}, 'search: the quote before "footwear" is not closed'),
    ({"q": "-footwear"}, "search: a search needs at least one word to find, not only excluded ones"),
    ({"q": "footwear", "kind": "shoe"}, "search: unknown kind 'shoe'"),
    ({"q": "footwear", "limit": "0"}, "search: limit must be a whole number from 1 to 500, got '0'"),
    ({}, "search: give the words to find in ?q="),
])
def test_api_search_answers_400_with_one_line(client: AppClient, params: dict[str, str], message: str) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)


def test_api_complete_offers_labels_by_prefix(client: AppClient) -> None:
    hits = client.get("/api/complete", params={"q": "gam"}).json()["hits"]
    assert [(h["label"], h["href"]) for h in hits] == [("Gamma footwear cluster", "/id/cluster/gamma")]
    assert client.get("/api/complete", params={"q": ""}).json() == {"hits": []}


def test_search_page_lists_hits_with_highlighted_words_and_links(client: AppClient) -> None:
    html = client.get("/search", params={"q": "tile"}).text
    assert re.findall(r'class="hit-label" href="([^"]+)">([^<]+)</a>', html) == [
        ("/id/cluster/delta", "Delta tile cluster")]
    assert "Delta <mark>tile</mark> cluster" in html


def test_search_page_shows_a_bad_query_as_one_line(client: AppClient) -> None:
    response = client.get("/search", params={"q": '"tile'})
    assert response.status_code == 400
    assert '<p class="error" id="search-error">search: the quote before &#34;tile&#34; is not closed</p>' \
        in response.text


def test_every_page_has_the_search_box(client: AppClient) -> None:
    for path in ("/", "/catalogue", "/search"):
        assert 'id="header-search"' in client.get(path).text


def test_openapi_documents_the_search_api(client: AppClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    assert paths["/api/search"]["get"]["operationId"] == "search"
    assert [p["name"] for p in paths["/api/search"]["get"]["parameters"]] == ["q", "kind", "limit"]


def test_sparql_endpoint_answers_search_matches(client: AppClient) -> None:
    query = ('PREFIX search: <https://w3id.org/clustergraph/search#> '
             'PREFIX cg: <https://w3id.org/clustergraph/ontology#> '
             'SELECT ?c WHERE { ?c search:matches "footwear" . ?c a cg:Cluster }')
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert [b["c"]["value"] for b in response.json()["results"]["bindings"]] == [CGD + "cluster/gamma"]


def test_an_ingested_word_is_found_at_once_and_gone_after_retract(client: AppClient) -> None:
    assert client.get("/api/search", params={"q": "zeppelin"}).json()["hits"] == []
    response = client.post("/api/ingest?by=tester", content=LABELLED,
                           headers={"Content-Type": "text/turtle", **AUTH})
    assert response.status_code == 201
    hits = client.get("/api/search", params={"q": "zeppelin"}).json()["hits"]
    assert [h["subject"] for h in hits] == [CGD + "claim/delta-eu"]
    # the writer process retracts; every read worker then reopens, and each search reads the index afresh
    client.app.state.writer.run(retract, client.app.state.settings.shapes_dir, response.json()["batch"]["id"])
    assert client.get("/api/search", params={"q": "zeppelin"}).json()["hits"] == []
