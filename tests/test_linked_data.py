"""Dereferenceable IRIs in process: HTML for browsers, RDF for machines by Accept or suffix, the
cluster page's chain diagram with sources, concept IRIs, the ontology at /ontology, the base URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from server_app import BASE, AppClient, client_for, server_settings

CG = "https://w3id.org/clustergraph/ontology#"
CGD = "https://w3id.org/clustergraph/id/"
GAMMA = CGD + "cluster/gamma"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppClient]:
    app = client_for(server_settings(tmp_path_factory.mktemp("ld")))
    yield app
    app.close()


def triples(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(body, format=fmt)}


def text_of(html: str) -> str:
    """The page's text without tags, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def section(html: str, ident: str) -> str:
    match = re.search(rf'<section id="{ident}">(.*?)</section>', html, re.DOTALL)
    assert match, f"no section {ident}"
    return match.group(1)


# -- machines: RDF by Accept or suffix ---------------------------------------------------------------
@pytest.mark.parametrize(("accept", "media", "fmt"), [
    (None, "text/turtle", ox.RdfFormat.TURTLE),
    ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_a_data_iri_gives_its_triples_by_accept(client: AppClient, accept: str | None, media: str,
                                                 fmt: ox.RdfFormat) -> None:
    response = client.get("/id/cluster/gamma", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["vary"] == "Accept"
    suffix = {ox.RdfFormat.TURTLE: ".ttl", ox.RdfFormat.JSON_LD: ".jsonld", ox.RdfFormat.N_TRIPLES: ".nt",
              ox.RdfFormat.RDF_XML: ".rdf"}[fmt]
    assert response.headers["content-location"] == "/id/cluster/gamma" + suffix
    found = triples(response.content, fmt)
    gamma = ox.NamedNode(GAMMA)
    assert ox.Triple(gamma, ox.NamedNode(CG + "country"), ox.NamedNode(CGD + "place/country-br")) in found
    # the links to it come too: the claim that names it
    assert ox.Triple(ox.NamedNode(CGD + "claim/gamma-us"), ox.NamedNode(CG + "cluster"), gamma) in found


def test_every_variant_is_linked_from_the_headers(client: AppClient) -> None:
    response = client.get("/id/cluster/gamma", headers={"Accept": "text/turtle"})
    links = response.headers["link"]
    for suffix, media in ((".ttl", "text/turtle"), (".jsonld", "application/ld+json"),
                          (".nt", "application/n-triples"), (".html", "text/html")):
        assert f'<{BASE}/id/cluster/gamma{suffix}>; rel="alternate"; type="{media}"' in links


@pytest.mark.parametrize(("suffix", "media", "fmt"), [
    (".ttl", "text/turtle", ox.RdfFormat.TURTLE),
    (".jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
    (".nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_a_format_suffix_picks_the_syntax_whatever_the_accept(client: AppClient, suffix: str, media: str,
                                                              fmt: ox.RdfFormat) -> None:
    response = client.get(f"/id/cluster/gamma{suffix}", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "vary" not in response.headers
    assert ox.NamedNode(GAMMA) in {t.subject for t in triples(response.content, fmt)}


def test_a_concept_iri_resolves(client: AppClient) -> None:
    response = client.get("/concept/QuasiHierarchy", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert ox.Triple(ox.NamedNode("https://w3id.org/clustergraph/concept/QuasiHierarchy"),
                     ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
                     ox.Literal("quasi-hierarchy", language="en")) in triples(response.content,
                                                                              ox.RdfFormat.N_TRIPLES)


def test_an_unknown_iri_is_404_for_machines_and_browsers(client: AppClient) -> None:
    machine = client.get("/id/cluster/nowhere", headers={"Accept": "text/turtle"})
    browser = client.get("/id/cluster/nowhere", headers={"Accept": BROWSER})
    assert (machine.status_code, machine.json()) == (404, {"error": f"<{CGD}cluster/nowhere> is not in the graph"})
    assert browser.status_code == 404
    assert f"&lt;{CGD}cluster/nowhere&gt; is not in the graph" in browser.text


def test_an_iri_that_closes_the_query_is_404_not_spliced_into_it(client: AppClient) -> None:
    # '%3E' decodes to '>': pasted into the query text, it ended the IRI and matched every triple.
    tail = "no-such-thing%3E%20%3Fp%20%3Fo%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D%20%23"
    answer = client.get(f"/id/{tail}", headers={"Accept": "text/turtle"})
    assert answer.status_code == 404
    assert answer.json()["error"].endswith("is not in the graph")


def test_an_unservable_accept_is_406(client: AppClient) -> None:
    assert client.get("/id/cluster/gamma", headers={"Accept": "image/png"}).status_code == 406


# -- people: the HTML page -------------------------------------------------------------------------------
def test_the_page_shows_label_types_properties_and_incoming_links(client: AppClient) -> None:
    response = client.get("/id/cluster/gamma", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-location"] == "/id/cluster/gamma.html"
    html = response.text
    assert '<h1 id="label">Gamma footwear cluster</h1>' in html
    assert '<a class="chip" href="/ontology#Cluster" title="' + CG + 'Cluster">cluster</a>' in html
    properties = text_of(section(html, "properties"))
    assert "has country Brazil" in properties
    assert "label Gamma footwear cluster @en" in properties
    assert '<a href="/id/place/country-br"' in section(html, "properties")
    incoming = text_of(section(html, "incoming"))
    assert incoming == "Links to it claim:gamma-us has cluster this"


def test_the_page_lists_the_claims_about_it_with_source_and_evidence(client: AppClient) -> None:
    html = client.get("/id/cluster/gamma", headers={"Accept": BROWSER}).text
    claims = section(html, "claims")
    row = text_of(claims)
    assert "claim:gamma-us via has cluster" in row
    assert "chain insertion" in row
    assert "A placeholder study of chains (2001) , p. 12" in row
    assert '<span class="status status-verified">verified in a source</span>' in claims
    assert '<a href="/id/publication/placeholder-2001"' in claims


def test_the_cluster_page_draws_its_chains_with_buyers_markets_governance_period_and_source(
        client: AppClient) -> None:
    html = client.get("/id/cluster/gamma", headers={"Accept": BROWSER}).text
    chains = section(html, "chains")
    svg = re.search(r"<svg class=\"chain-diagram\".*?</svg>", chains, re.DOTALL)
    assert svg, "no chain diagram"
    drawing = svg.group(0)
    labels = re.findall(r"<text[^>]*>(?:<a [^>]*>)?([^<]+)", drawing)
    assert labels == ["quasi-hierarchy, 1991\u20131999 \u00b7 US footwear chain",
                      "source: A placeholder study of chains (2001), p. 12 (verified)",
                      "Gamma footwear cluster", "Buyer One", "Buyer Two", "US mass market"]
    assert drawing.count('class="edge edge-governance"') == 2  # cluster -> each buyer
    assert drawing.count('class="edge edge-market"') == 2      # each buyer -> the end market
    assert '<a href="/id/organisation/buyer-one">' in drawing
    assert '<a href="/id/publication/placeholder-2001">' in drawing
    table = text_of(section(html, "chains").split('<table class="links" id="chain-links">')[1])
    assert ("US footwear chain Buyer One , Buyer Two US mass market quasi-hierarchy 1991\u20131999 "
            "A placeholder study of chains (2001) , p. 12 (claim) verified in a source") in table


def test_a_cluster_without_insertions_says_so_and_a_non_cluster_has_no_chain_section(client: AppClient) -> None:
    delta = client.get("/id/cluster/delta", headers={"Accept": BROWSER}).text
    buyer = client.get("/id/organisation/buyer-one", headers={"Accept": BROWSER}).text
    assert "No chain insertion of this cluster is recorded yet." in section(delta, "chains")
    assert 'id="chains"' not in buyer
    assert "claim:gamma-us has buyer this" in text_of(section(buyer, "incoming"))


# -- the ontology ---------------------------------------------------------------------------------------------
def test_ontology_docs_are_served_when_built(tmp_path: Path) -> None:
    settings = server_settings(tmp_path)
    page = settings.build_dir / "ontology" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html><body><h1>the built documentation</h1></body></html>")
    app = client_for(settings)
    try:
        response = app.get("/ontology", headers={"Accept": BROWSER})
        assert (response.status_code, response.text) == (200, page.read_text())
    finally:
        app.close()


def test_ontology_page_explains_how_to_build_the_docs_when_they_cannot_be_made(client: AppClient) -> None:
    # The fixture's stand-in ontology has no dcterms:title, so pyLODE refuses it.
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert "Build it with <code>clustergraph docs</code>" in response.text
    assert 'id="docs-error"' in response.text


def test_ontology_triples_by_accept_hold_only_the_ontology(client: AppClient) -> None:
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    found = triples(response.content, ox.RdfFormat.TURTLE)
    subjects = {t.subject for t in found}
    assert ox.NamedNode(CG + "Cluster") in subjects
    assert ox.NamedNode(GAMMA) not in subjects


# -- the base URL ---------------------------------------------------------------------------------------------
def test_links_follow_the_base_url(tmp_path: Path) -> None:
    app = client_for(server_settings(tmp_path, base_url="https://graph.example.org/cg"))
    try:
        page = app.get("/id/cluster/gamma", headers={"Accept": BROWSER})
        data = app.get("/id/cluster/gamma", headers={"Accept": "text/turtle"})
        assert '<a href="/cg/id/place/country-br"' in page.text
        assert '<link rel="stylesheet" href="/cg/static/clustergraph.css">' in page.text
        assert data.headers["content-location"] == "/cg/id/cluster/gamma.ttl"
        assert '<https://graph.example.org/cg/id/cluster/gamma.ttl>; rel="alternate"' in data.headers["link"]
    finally:
        app.close()
