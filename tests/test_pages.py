"""The web UI's pages in process: home counts, the catalogue and its forms, the map's data, the editor's
examples, and the bundled assets (served from the package, never a CDN)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from clustergraph.adapters.server.pages import STATIC, VENDOR_FILES
from server_app import AppClient, client_for, server_settings

CGD = "https://w3id.org/clustergraph/id/"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppClient]:
    app = client_for(server_settings(tmp_path_factory.mktemp("pages"), result_limit=1))
    yield app
    app.close()


def json_script(html: str, ident: str) -> object:
    match = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', html, re.DOTALL)
    assert match, f"no script {ident}"
    return json.loads(match.group(1))


def test_home_counts_clusters_actors_claims_and_publications(client: AppClient) -> None:
    html = client.get("/").text
    counts = dict(re.findall(r'<div class="count" id="count-(\w+)"><span class="n">(\d+)</span>', html))
    assert counts == {"clusters": "2", "actors": "2", "claims": "1", "publications": "1"}
    assert '<a href="/id/cluster/gamma">Gamma footwear cluster</a>' in html
    assert '<a href="/catalogue/chain_insertions">' in html


def test_catalogue_lists_every_named_query(client: AppClient) -> None:
    html = client.get("/catalogue").text
    assert re.findall(r'class="query-name" href="/catalogue/(\w+)"', html) == [
        "chain_insertions", "clusters", "clusters_in_country"]


def test_a_catalogue_query_shows_its_form_and_its_results(client: AppClient) -> None:
    form_only = client.get("/catalogue/clusters_in_country")
    ran = client.get("/catalogue/clusters_in_country", params={"code": "BR", "run": "1"})
    assert form_only.status_code == 200
    assert '<input type="text" name="code" value="" placeholder="IT"' in form_only.text
    assert 'id="results"' not in form_only.text
    assert ran.status_code == 200
    assert '<input type="text" name="code" value="BR"' in ran.text
    assert re.findall(r'<td><a href="(/id/[^"]+)"', ran.text) == ["/id/cluster/gamma"]


def test_a_cut_catalogue_answer_says_it_is_incomplete(client: AppClient) -> None:
    html = client.get("/catalogue/chain_insertions", params={"run": "1"}).text
    assert "1 rows" in html
    assert 'id="incomplete"' not in html  # one insertion: the limit of one row is not passed
    two = client.get("/catalogue/clusters", params={"run": "1"})
    assert 'id="incomplete">Incomplete: the answer was cut at the row limit of 1 rows.' in two.text


def test_an_unknown_catalogue_query_is_404(client: AppClient) -> None:
    response = client.get("/catalogue/no_such_query")
    assert response.status_code == 404
    assert response.json()["error"].startswith("no_such_query: no such query")


def test_the_map_gets_every_cluster_with_its_country(client: AppClient) -> None:
    html = client.get("/map").text
    points = json_script(html, "map-data")
    assert points == [
        {"iri": CGD + "cluster/delta", "href": "/id/cluster/delta", "label": "Delta tile cluster",
         "alpha2": "IT", "country": "Italy", "lat": None, "lon": None},
        {"iri": CGD + "cluster/gamma", "href": "/id/cluster/gamma", "label": "Gamma footwear cluster",
         "alpha2": "BR", "country": "Brazil", "lat": None, "lon": None},
    ]
    assert '<script src="/static/vendor/d3-geo.min.js"></script>' in html


def test_the_editor_offers_the_catalogue_with_defaults_bound(client: AppClient) -> None:
    config = json_script(client.get("/editor", params={"query": "clusters_in_country"}).text, "editor-config")
    assert isinstance(config, dict)
    assert config["endpoint"] == "http://testserver/sparql"
    assert config["chosen"] == "clusters_in_country"
    examples = {e["name"]: e["text"] for e in config["examples"]}
    assert sorted(examples) == ["chain_insertions", "clusters", "clusters_in_country"]
    assert 'VALUES (?_code) { ("IT") }' in examples["clusters_in_country"]


@pytest.mark.skipif(not (STATIC / "vendor" / "VERSIONS.json").is_file(), reason="run make install to bundle")
@pytest.mark.parametrize("name", VENDOR_FILES)
def test_the_bundled_assets_are_served_from_the_package(client: AppClient, name: str) -> None:
    response = client.get(f"/static/vendor/{name}")
    assert response.status_code == 200
    assert response.content == (STATIC / "vendor" / name).read_bytes()


def test_no_page_loads_anything_from_another_host(client: AppClient) -> None:
    for path in ("/", "/editor", "/catalogue", "/map", "/id/cluster/gamma"):
        html = client.get(path, headers={"Accept": "text/html"}).text
        assert not re.findall(r'<(?:script|link|img|iframe)[^>]+(?:src|href)="(?:https?:)?//', html), path
