"""The catalogue as a web API: /api/queries, /api/queries/{name}, /api/openapi.json (in process).

The app runs in process over httpx's ASGI transport with its lifespan entered, which is what
starlette's TestClient does (TestClient now warns unless the separate httpx2 package is installed).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette

from clustergraph.adapters.server import create_app
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.services.build import build

CATALOGUE = Path(__file__).parent / "fixtures" / "catalogue"
CGD = "https://w3id.org/clustergraph/id/"
CGS = "https://w3id.org/clustergraph/concept/"
NAMES = ["any_items", "echo_literal", "item_by_label", "item_graph", "items_by_colour", "items_since_year",
         "items_with_min_count"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """A copy of the catalogue fixture with an on-disk store built from it."""
    root = tmp_path / "project"
    shutil.copytree(CATALOGUE, root)
    found = Settings(root=root, store_path=root / ".clustergraph" / "store")
    with EmbeddedStore(found.store_path) as store:
        build(store, found)
    return found


class AppClient:
    """A synchronous client for the app in process: its lifespan (opening the store) entered once."""

    def __init__(self, app: Starlette) -> None:
        self.loop = asyncio.Runner()
        self.lifespan = app.router.lifespan_context(app)
        self.loop.run(self.lifespan.__aenter__())
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")

    def get(self, url: str, **kwargs: object) -> httpx.Response:
        return self.loop.run(self.http.get(url, **kwargs))  # type: ignore[arg-type]

    def __enter__(self) -> AppClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.loop.run(self.http.aclose())
        self.loop.run(self.lifespan.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[AppClient]:
    with AppClient(create_app(settings)) as test_client:
        yield test_client


def rows(response_text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response_text)))


# -- the listing --------------------------------------------------------------------------------
def test_the_listing_gives_every_query_with_its_url_and_typed_parameters(client: AppClient) -> None:
    response = client.get("/api/queries")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    listed = response.json()
    assert [q["name"] for q in listed] == NAMES
    by_name = {q["name"]: q for q in listed}
    assert by_name["items_by_colour"] == {
        "name": "items_by_colour", "summary": "Items of one colour, with their labels",
        "description": "One row per item of the given colour, ordered by item.", "tags": ["fixture"],
        "form": "SELECT", "url": "/api/queries/items_by_colour",
        "parameters": [{"name": "colour", "type": "concept", "required": False, "default": "cgs:Red",
                        "variable": "?_colour_iri", "description": "The colour of the items.",
                        "scheme": CGS + "FixtureColour", "allowed": ["cgs:Blue", "cgs:Green", "cgs:Red"]}],
    }
    assert by_name["echo_literal"]["parameters"][0]["required"] is True


def test_a_query_file_added_while_serving_is_listed_at_once(client: AppClient, settings: Settings) -> None:
    (settings.queries_dir / "zz_count.rq").write_text("#+ summary: How many triples\n"
                                                     "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    assert [q["name"] for q in client.get("/api/queries").json()] == NAMES + ["zz_count"]
    assert rows(client.get("/api/queries/zz_count", headers={"Accept": "text/csv"}).text) == [["n"], ["27"]]


# -- running a query ----------------------------------------------------------------------------
def test_a_query_runs_with_its_defaults_as_sparql_json(client: AppClient) -> None:
    response = client.get("/api/queries/items_by_colour")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert response.headers["vary"] == "Accept"
    body = response.json()
    assert body["head"]["vars"] == ["item", "label"]
    assert [b["item"]["value"] for b in body["results"]["bindings"]] == [CGD + "item/a", CGD + "item/c"]


@pytest.mark.parametrize(("accept", "media"), [
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/html;q=0.9, text/csv;q=0.5", "text/csv"),
])
def test_content_negotiation_chooses_the_result_format(client: AppClient, accept: str, media: str) -> None:
    response = client.get("/api/queries/items_since_year", params={"since": "2004"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "item/c" in response.text and "item/b" not in response.text and "item/a" not in response.text


def test_parameters_come_from_the_url(client: AppClient) -> None:
    response = client.get("/api/queries/items_by_colour", params={"colour": "cgs:Green"},
                          headers={"Accept": "text/csv"})
    assert rows(response.text) == [["item", "label"], [CGD + "item/b", "item b"]]


def test_a_construct_query_answers_in_an_rdf_syntax(client: AppClient) -> None:
    response = client.get("/api/queries/item_graph", params={"item": "cgd:item/b"},
                          headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/n-triples")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == 4
    assert {t.subject.value for t in triples} == {CGD + "item/b"}


def test_an_ask_query_answers_true(client: AppClient) -> None:
    assert client.get("/api/queries/any_items").json() == {"head": {}, "boolean": True}


def test_a_hostile_value_over_http_is_bound_as_a_literal(client: AppClient) -> None:
    value = 'x" } ; DROP ALL #\n{'
    response = client.get("/api/queries/echo_literal", params={"value": value})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == [{
        "value": {"type": "literal", "value": value},
        "length": {"type": "literal", "value": str(len(value)),
                   "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
    count = client.get("/api/queries/items_since_year", params={"since": "1000"}, headers={"Accept": "text/csv"})
    assert len(rows(count.text)) == 4  # the header and all three items: nothing was dropped


# -- errors -------------------------------------------------------------------------------------
def test_an_unknown_query_is_404_naming_the_known_ones(client: AppClient) -> None:
    response = client.get("/api/queries/nope")
    assert response.status_code == 404
    assert response.json() == {"error": "nope: no such query in queries/ (known: " + ", ".join(NAMES) + ")"}


@pytest.mark.parametrize(("name", "params", "error"), [
    ("items_by_colour", {"colour": "cgs:Round"}, "queries/items_by_colour.rq: parameter 'colour' must be a "
     "concept of cgs:FixtureColour, got 'cgs:Round'; allowed: cgs:Blue, cgs:Green, cgs:Red"),
    ("items_since_year", {"since": "last year"}, "queries/items_since_year.rq: parameter 'since' needs a year "
     "of four digits, got 'last year'"),
    ("echo_literal", {}, "queries/echo_literal.rq: parameter 'value' is required (literal)"),
    ("echo_literal", {"value": "a", "format": "csv"}, "queries/echo_literal.rq: unknown parameter 'format' "
     "(parameters: value)"),
])
def test_a_bad_parameter_is_400_with_one_line(client: AppClient, name: str, params: dict[str, str],
                                              error: str) -> None:
    response = client.get(f"/api/queries/{name}", params=params)
    assert response.status_code == 400
    assert response.json() == {"error": error}


def test_a_parameter_given_twice_is_400(client: AppClient) -> None:
    response = client.get("/api/queries/items_with_min_count?min=1&min=2")
    assert response.status_code == 400
    assert response.json() == {"error": "queries/items_with_min_count.rq: parameter 'min' is given more than once"}


def test_an_unservable_accept_is_406(client: AppClient) -> None:
    response = client.get("/api/queries/items_by_colour", headers={"Accept": "text/turtle"})
    assert response.status_code == 406
    assert response.json()["error"].startswith("none of the Accept types can be served; offered: "
                                               "application/sparql-results+json")


# -- the OpenAPI document -----------------------------------------------------------------------
def test_the_openapi_document_is_valid_openapi_3_1(client: AppClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises if the document is not a valid OpenAPI 3.1 document
    assert sorted(document["paths"]) == ["/api/complete", "/api/queries"] + [f"/api/queries/{n}" for n in NAMES] + [
        "/api/search"]


def test_each_query_is_one_get_operation_with_typed_parameters(client: AppClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    colour = paths["/api/queries/items_by_colour"]["get"]
    assert (colour["operationId"], colour["summary"], colour["tags"]) == (
        "items_by_colour", "Items of one colour, with their labels", ["fixture"])
    assert colour["parameters"] == [{
        "name": "colour", "in": "query", "required": False,
        "description": "The colour of the items. A concept of cgs:FixtureColour "
                       f"(<{CGS}FixtureColour>); its full IRI is accepted too.",
        "schema": {"type": "string", "enum": ["cgs:Blue", "cgs:Green", "cgs:Red"], "default": "cgs:Red"}}]
    schemas = {name: paths[f"/api/queries/{name}"]["get"]["parameters"][0]["schema"]
               for name in ("echo_literal", "item_graph", "items_since_year", "items_with_min_count")}
    assert schemas == {
        "echo_literal": {"type": "string"},
        "item_graph": {"type": "string", "format": "iri-reference", "default": "cgd:item/a"},
        "items_since_year": {"type": "string", "pattern": "^-?[0-9]{4,}$", "default": "2000"},
        "items_with_min_count": {"type": "integer"},
    }
    assert paths["/api/queries/echo_literal"]["get"]["parameters"][0]["required"] is True


def test_responses_list_the_media_types_of_the_query_form(client: AppClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    select = paths["/api/queries/items_by_colour"]["get"]["responses"]
    construct = paths["/api/queries/item_graph"]["get"]["responses"]
    assert sorted(select) == ["200", "400", "406"]
    assert "application/sparql-results+json" in select["200"]["content"]
    assert "text/csv" in select["200"]["content"]
    assert "text/turtle" not in select["200"]["content"]
    assert "text/turtle" in construct["200"]["content"]
    assert "application/sparql-results+json" not in construct["200"]["content"]
    assert select["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_operation_of_the_document_answers_as_it_says(client: AppClient) -> None:
    # Drive the API from its own document: each operation, with its required parameters from the schema.
    document = client.get("/api/openapi.json").json()
    for path, item in document["paths"].items():
        operation = item["get"]
        params = {p["name"]: "a value" for p in operation.get("parameters", []) if p["required"]}
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.text)
        media = response.headers["content-type"].split(";")[0]
        assert media in operation["responses"]["200"]["content"]
        if path == "/api/queries":
            assert (media, len(response.json())) == ("application/json", len(NAMES))
        elif path in ("/api/search", "/api/complete"):
            assert (media, type(response.json()["hits"])) == ("application/json", list)
        elif path.endswith("item_graph"):
            assert media == "text/turtle"
            assert len(list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))) == 4
        else:
            assert media == "application/sparql-results+json"
            assert {"results", "boolean"} & set(json.loads(response.text))


def test_the_enum_follows_the_store_at_request_time(settings: Settings) -> None:
    with EmbeddedStore(settings.store_path) as store:
        store.update("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX cgs: <" + CGS + "> "
                     "INSERT DATA { GRAPH <urn:test> { cgs:Amber a skos:Concept ; skos:inScheme cgs:FixtureColour } }")
    with AppClient(create_app(settings)) as client:
        paths = client.get("/api/openapi.json").json()["paths"]
        enum = paths["/api/queries/items_by_colour"]["get"]["parameters"][0]["schema"]["enum"]
        assert enum == ["cgs:Amber", "cgs:Blue", "cgs:Green", "cgs:Red"]
        assert client.get("/api/queries/items_by_colour", params={"colour": "cgs:Amber"}).status_code == 200
