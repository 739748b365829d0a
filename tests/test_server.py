"""The SPARQL 1.1 Protocol server in process: query forms and formats, the dataset parameters, the
service description, limits, SERVICE/LOAD refusal, bearer-token writes, the Graph Store Protocol."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from server_app import BASE, TOKEN, AppClient, client_for, server_settings

CG = "https://w3id.org/clustergraph/ontology#"
CGD = "https://w3id.org/clustergraph/id/"
DATA_GRAPH = "https://w3id.org/clustergraph/graph/data/chains"
ONTOLOGY_GRAPH = "https://w3id.org/clustergraph/graph/ontology/mini"
SD = "http://www.w3.org/ns/sparql-service-description#"
CLUSTERS = f"PREFIX cg: <{CG}> SELECT ?c WHERE {{ ?c a cg:Cluster }} ORDER BY ?c"
GAMMA, DELTA = CGD + "cluster/gamma", CGD + "cluster/delta"
LIMIT = 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
#: Three-way cross product of every triple: far past the time limit on any machine.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppClient]:
    """One read-only app for the module's read tests (token set, so writes can be refused or not)."""
    settings = server_settings(tmp_path_factory.mktemp("server"), write_token=TOKEN, result_limit=LIMIT,
                               query_timeout_s=2.0)
    app = client_for(settings)
    yield app
    app.close()


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[AppClient]:
    """A fresh app over a fresh store, for tests of the protocols' writes as such: unguarded
    (`serve --unguarded-writes`), so a write is applied as sent; tests/test_guard.py checks them guarded."""
    app = client_for(server_settings(tmp_path, write_token=TOKEN, result_limit=LIMIT, guarded_writes=False))
    yield app
    app.close()


def select_column(response_body: bytes, fmt: ox.QueryResultsFormat, variable: str) -> list[str]:
    if fmt == ox.QueryResultsFormat.CSV:  # lossy, so pyoxigraph does not read it
        return [row[variable] for row in csv.DictReader(io.StringIO(response_body.decode("utf-8")))]
    solutions = ox.parse_query_results(response_body, format=fmt)
    assert isinstance(solutions, ox.QuerySolutions)
    return [s[variable].value for s in solutions]


def graph_of(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(body, format=fmt)}


def count_clusters(client: AppClient) -> int:
    response = client.get("/sparql", params={"query": f"PREFIX cg: <{CG}> SELECT (COUNT(*) AS ?n) "
                                                      "WHERE { ?c a cg:Cluster }"})
    return int(json.loads(response.text)["results"]["bindings"][0]["n"]["value"])


# -- the three ways of sending a query -----------------------------------------------------------------
def test_get_query_answers_in_sparql_json_by_default(client: AppClient) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert json.loads(response.text) == {"head": {"vars": ["c"]}, "results": {"bindings": [
        {"c": {"type": "uri", "value": DELTA}}, {"c": {"type": "uri", "value": GAMMA}}]}}
    assert "x-clustergraph-truncated" not in response.headers


def test_post_form_and_post_body_give_the_same_answer(client: AppClient) -> None:
    form = client.post("/sparql", data={"query": CLUSTERS})
    body = client.post("/sparql", content=CLUSTERS, headers={"Content-Type": "application/sparql-query"})
    assert form.status_code == body.status_code == 200
    assert json.loads(form.text) == json.loads(body.text)
    assert select_column(form.content, ox.QueryResultsFormat.JSON, "c") == [DELTA, GAMMA]


@pytest.mark.parametrize(("accept", "fmt"), [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
])
def test_select_in_every_result_format_by_accept(client: AppClient, accept: str, fmt: ox.QueryResultsFormat) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert response.headers["vary"] == "Accept"
    assert select_column(response.content, fmt, "c") == [DELTA, GAMMA]


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", '{"head": {}, "boolean": true}'),
    ("text/csv", "_askResult\r\ntrue\r\n"),
])
def test_ask_answers_true(client: AppClient, accept: str, expected: str) -> None:
    response = client.get("/sparql", params={"query": f"ASK {{ <{GAMMA}> ?p ?o }}"}, headers={"Accept": accept})
    assert (response.status_code, response.text) == (200, expected)


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", ox.RdfFormat.RDF_XML),
])
def test_construct_in_every_rdf_syntax_by_accept(client: AppClient, accept: str, fmt: ox.RdfFormat) -> None:
    query = f"CONSTRUCT {{ ?c <{CG}country> ?k }} WHERE {{ ?c <{CG}country> ?k }}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    country = ox.NamedNode(CG + "country")
    assert graph_of(response.content, fmt) == {
        ox.Triple(ox.NamedNode(GAMMA), country, ox.NamedNode(CGD + "place/country-br")),
        ox.Triple(ox.NamedNode(DELTA), country, ox.NamedNode(CGD + "place/country-it")),
    }


def test_describe_gives_the_resource_triples_in_turtle(client: AppClient) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE <{DELTA}>"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = graph_of(response.content, ox.RdfFormat.TURTLE)
    assert ox.Triple(ox.NamedNode(DELTA), ox.NamedNode(CG + "country"), ox.NamedNode(CGD + "place/country-it")) \
        in triples
    assert {t.subject for t in triples} == {ox.NamedNode(DELTA)}


def test_unservable_accept_is_406_naming_the_offers(client: AppClient) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.json()["error"]


# -- the dataset: default-graph-uri, named-graph-uri, FROM --------------------------------------------------
def test_default_graph_uri_restricts_the_default_graph(client: AppClient) -> None:
    query = f"SELECT ?c WHERE {{ ?c a <{CG}Class> }}".replace(CG + "Class", "http://www.w3.org/2002/07/owl#Class")
    union = client.get("/sparql", params={"query": query})
    data_only = client.get("/sparql", params={"query": query, "default-graph-uri": DATA_GRAPH})
    ontology_only = client.get("/sparql", params={"query": query, "default-graph-uri": ONTOLOGY_GRAPH})
    assert len(select_column(union.content, ox.QueryResultsFormat.JSON, "c")) == 10
    assert select_column(data_only.content, ox.QueryResultsFormat.JSON, "c") == []
    assert len(select_column(ontology_only.content, ox.QueryResultsFormat.JSON, "c")) == 10


def test_named_graph_uri_lists_the_named_graphs(client: AppClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    both = client.post("/sparql", data={"query": query, "named-graph-uri": [DATA_GRAPH, ONTOLOGY_GRAPH]})
    one = client.post("/sparql?named-graph-uri=" + DATA_GRAPH, content=query,
                      headers={"Content-Type": "application/sparql-query"})
    assert sorted(select_column(both.content, ox.QueryResultsFormat.JSON, "g")) == [DATA_GRAPH, ONTOLOGY_GRAPH]
    assert select_column(one.content, ox.QueryResultsFormat.JSON, "g") == [DATA_GRAPH]


def test_from_in_the_query_is_honoured_and_the_protocol_overrides_it(client: AppClient) -> None:
    query = f"SELECT ?c FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?c a <{CG}Cluster> }}"
    from_only = client.get("/sparql", params={"query": query})
    overridden = client.get("/sparql", params={"query": query, "default-graph-uri": DATA_GRAPH})
    assert select_column(from_only.content, ox.QueryResultsFormat.JSON, "c") == []
    assert sorted(select_column(overridden.content, ox.QueryResultsFormat.JSON, "c")) == [DELTA, GAMMA]


# -- the service description ------------------------------------------------------------------------------
def test_no_query_gives_the_service_description_in_turtle(client: AppClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    triples = graph_of(response.content, ox.RdfFormat.TURTLE)
    service = ox.NamedNode(f"{BASE}/sparql")
    assert ox.Triple(service, ox.NamedNode(SD + "endpoint"), service) in triples
    assert ox.Triple(service, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Query")) in triples
    assert ox.Triple(service, ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "UnionDefaultGraph")) in triples
    assert ox.Triple(service, ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "BasicFederatedQuery")) not in triples
    names = {t.object.value for t in triples if t.predicate == ox.NamedNode(SD + "name")}
    assert names == {DATA_GRAPH, ONTOLOGY_GRAPH}
    update = ox.NamedNode(f"{BASE}/sparql/update")
    assert ox.Triple(update, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Update")) in triples


def test_service_description_in_json_ld_and_a_browser_is_sent_to_the_editor(client: AppClient) -> None:
    jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    browser = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert jsonld.status_code == 200
    assert ox.NamedNode(SD + "Service") in {t.object for t in graph_of(jsonld.content, ox.RdfFormat.JSON_LD)}
    assert (browser.status_code, browser.headers["location"]) == (303, f"{BASE}/editor")


# -- bad requests: one clear line, never a traceback ------------------------------------------------------------
def test_syntax_error_is_400_with_one_line(client: AppClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith("query: SPARQL syntax error")
    assert "\n" not in error and "Traceback" not in response.text


@pytest.mark.parametrize(("request_kwargs", "status", "message"), [
    ({"params": {"query": [CLUSTERS, CLUSTERS]}}, 400, "give exactly one 'query' parameter, not 2"),
    ({"method": "POST", "content": CLUSTERS, "headers": {"Content-Type": "text/plain"}}, 415,
     "unsupported content type 'text/plain'; use application/sparql-query or a form"),
    ({"method": "POST", "data": {"default-graph-uri": DATA_GRAPH}}, 400, "give a SPARQL query"),
])
def test_malformed_protocol_requests(client: AppClient, request_kwargs: dict[str, object], status: int,
                                     message: str) -> None:
    method = str(request_kwargs.pop("method", "GET"))
    response = client.request(method, "/sparql", **request_kwargs)
    assert response.status_code == status
    assert response.json()["error"].startswith(message)


def test_an_update_sent_to_the_query_endpoint_is_refused(client: AppClient) -> None:
    insert = f"INSERT DATA {{ <{GAMMA}> <{CG}country> <{CGD}place/x> }}"
    as_body = client.post("/sparql", content=insert, headers={"Content-Type": "application/sparql-update", **AUTH})
    as_form = client.post("/sparql", data={"update": insert}, headers=AUTH)
    as_query = client.get("/sparql", params={"query": insert})
    assert (as_body.status_code, as_form.status_code) == (403, 403)
    assert "/sparql/update" in as_body.json()["error"]
    assert as_query.status_code == 400
    assert as_query.json()["error"] == "query: this is a SPARQL update, not a query"


def test_a_bug_is_a_plain_500_without_details(client: AppClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(client.app.state.store, "query", broken)
    monkeypatch.setattr(client.app.state.store, "answer", broken)  # /sparql's answers are written by a worker
    response = client.get("/sparql", params={"query": CLUSTERS})
    assert (response.status_code, response.json()) == (500, {"error": "internal server error"})
    assert "secret" not in response.text


# -- limits: rows and time; no partial answer looks complete ---------------------------------------------------
def test_row_limit_cuts_json_and_says_so_in_header_and_body(client: AppClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["x-clustergraph-truncated"] == f"true; limit={LIMIT}; the answer is incomplete"
    document = json.loads(response.text)
    assert document["incomplete"] == {"reason": "row limit", "limit": LIMIT,
                                      "message": f"incomplete: the answer was cut at the row limit of {LIMIT} rows"}
    assert document["head"]["link"] == ["urn:clustergraph:incomplete:row-limit"]
    assert len(select_column(response.content, ox.QueryResultsFormat.JSON, "s")) == LIMIT  # still valid


def test_row_limit_in_xml_csv_and_turtle_keeps_each_format_valid(client: AppClient) -> None:
    select = {"query": "SELECT * WHERE { ?s ?p ?o }"}
    xml = client.get("/sparql", params=select, headers={"Accept": "application/sparql-results+xml"})
    text = client.get("/sparql", params=select, headers={"Accept": "text/csv"})
    turtle = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                        headers={"Accept": "text/turtle"})
    assert all(r.headers["x-clustergraph-truncated"].startswith("true") for r in (xml, text, turtle))
    assert '<link href="urn:clustergraph:incomplete:row-limit"/>' in xml.text
    assert len(select_column(xml.content, ox.QueryResultsFormat.XML, "s")) == LIMIT
    assert len(list(csv.reader(io.StringIO(text.text)))) == LIMIT + 1
    assert turtle.text.startswith(f"# incomplete: the answer was cut at the limit of {LIMIT} triples\n")
    assert len(graph_of(turtle.content, ox.RdfFormat.TURTLE)) == LIMIT


def test_query_past_the_time_limit_is_stopped_with_503_and_the_server_recovers(client: AppClient) -> None:
    response = client.get("/sparql", params={"query": ENDLESS})
    assert response.status_code == 503
    body = response.json()
    assert body["incomplete"] is True
    assert body["error"].startswith("query: stopped at the time limit of 2 s; no answer was sent")
    assert count_clusters(client) == 2


# -- SERVICE and LOAD ----------------------------------------------------------------------------------------------
def test_service_is_refused_without_reaching_the_network(client: AppClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert response.json()["error"] == ("query: SERVICE is not allowed here; the operator can allow "
                                        "federated queries")


def test_the_word_service_in_a_string_is_not_a_service_call(client: AppClient) -> None:
    response = client.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("SERVICE" AS ?x) }'})
    assert response.status_code == 200
    assert select_column(response.content, ox.QueryResultsFormat.JSON, "x") == ["SERVICE"]


def test_load_is_refused_even_with_the_token(writable: AppClient) -> None:
    response = writable.post("/sparql/update", data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"}, headers=AUTH)
    assert response.status_code == 403
    assert response.json()["error"].startswith("update: LOAD is not allowed here")


# -- writes: only with the operator's bearer token --------------------------------------------------------------------
INSERT = f"INSERT DATA {{ GRAPH <urn:test:g> {{ <{CGD}cluster/epsilon> a <{CG}Cluster> }} }}"


@pytest.mark.parametrize(("headers", "status", "message"), [
    ({}, 401, "writing needs the operator's token: send 'Authorization: Bearer <token>'"),
    ({"Authorization": "Bearer wrong"}, 403, "the bearer token is not the operator's write token"),
    ({"Authorization": f"Basic {TOKEN}"}, 401, "writing needs the operator's token"),
])
def test_update_without_the_right_token_is_refused_and_changes_nothing(
        client: AppClient, headers: dict[str, str], status: int, message: str) -> None:
    response = client.post("/sparql/update", data={"update": INSERT}, headers=headers)
    assert response.status_code == status
    assert response.json()["error"].startswith(message)
    if status == 401:
        assert response.headers["www-authenticate"] == 'Bearer realm="clustergraph"'
    assert count_clusters(client) == 2


def test_without_a_configured_token_every_write_is_refused(tmp_path: Path) -> None:
    app = client_for(server_settings(tmp_path))
    try:
        update = app.post("/sparql/update", data={"update": INSERT}, headers=AUTH)
        gsp = app.put("/rdf-graphs?graph=urn:test:g", content=b"", headers={"Content-Type": "text/turtle", **AUTH})
        assert (update.status_code, gsp.status_code) == (403, 403)
        assert update.json()["error"].startswith("this server is read-only")
        assert count_clusters(app) == 2
    finally:
        app.close()


def test_update_with_the_token_is_applied(writable: AppClient) -> None:
    form = writable.post("/sparql/update", data={"update": INSERT}, headers=AUTH)
    body = writable.post("/sparql/update", content=f"DELETE WHERE {{ GRAPH ?g {{ <{DELTA}> ?p ?o }} }}",
                         headers={"Content-Type": "application/sparql-update", **AUTH})
    assert (form.status_code, body.status_code) == (204, 204)
    listed = writable.get("/sparql", params={"query": CLUSTERS})
    assert select_column(listed.content, ox.QueryResultsFormat.JSON, "c") == [CGD + "cluster/epsilon", GAMMA]


def test_bad_update_is_400_and_changes_nothing(writable: AppClient) -> None:
    response = writable.post("/sparql/update", data={"update": INSERT + " ; INSERT DATA { oops }"}, headers=AUTH)
    assert response.status_code == 400
    assert response.json()["error"].startswith("update: SPARQL syntax error")
    assert count_clusters(writable) == 2


# -- the Graph Store Protocol ----------------------------------------------------------------------------------------
NEW_GRAPH = "https://w3id.org/clustergraph/graph/batch/test"
TURTLE = f"<{CGD}cluster/zeta> a <{CG}Cluster> .\n".encode()


def test_gsp_get_a_named_graph_and_404_for_an_unknown_one(client: AppClient) -> None:
    found = client.get("/rdf-graphs", params={"graph": DATA_GRAPH}, headers={"Accept": "application/n-triples"})
    missing = client.get("/rdf-graphs", params={"graph": "urn:none"})
    neither = client.get("/rdf-graphs")
    assert found.status_code == 200
    assert ox.Triple(ox.NamedNode(GAMMA), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                     ox.NamedNode(CG + "Cluster")) in graph_of(found.content, ox.RdfFormat.N_TRIPLES)
    assert (missing.status_code, missing.json()["error"]) == (404, "no graph <urn:none> in the store")
    assert (neither.status_code, neither.json()["error"]) == (400, "name the graph: give either ?graph=<IRI> or ?default")


def test_gsp_writes_need_the_token(writable: AppClient) -> None:
    response = writable.put("/rdf-graphs", params={"graph": NEW_GRAPH}, content=TURTLE,
                            headers={"Content-Type": "text/turtle"})
    assert response.status_code == 401
    assert writable.get("/rdf-graphs", params={"graph": NEW_GRAPH}).status_code == 404


def test_gsp_put_creates_then_replaces_post_adds_delete_removes(writable: AppClient) -> None:
    headers = {"Content-Type": "text/turtle", **AUTH}
    created = writable.put("/rdf-graphs", params={"graph": NEW_GRAPH}, content=TURTLE, headers=headers)
    replaced = writable.put("/rdf-graphs", params={"graph": NEW_GRAPH},
                            content=f"<{CGD}cluster/eta> a <{CG}Cluster> .".encode(), headers=headers)
    added = writable.post("/rdf-graphs", params={"graph": NEW_GRAPH}, content=TURTLE, headers=headers)
    assert (created.status_code, replaced.status_code, added.status_code) == (201, 204, 204)
    got = writable.get("/rdf-graphs", params={"graph": NEW_GRAPH}, headers={"Accept": "text/turtle"})
    assert {t.subject.value for t in graph_of(got.content, ox.RdfFormat.TURTLE)} == {
        CGD + "cluster/eta", CGD + "cluster/zeta"}
    deleted = writable.delete("/rdf-graphs", params={"graph": NEW_GRAPH}, headers=AUTH)
    assert deleted.status_code == 204
    assert writable.get("/rdf-graphs", params={"graph": NEW_GRAPH}).status_code == 404
    assert count_clusters(writable) == 2


def test_gsp_bad_body_names_line_and_column_and_changes_nothing(writable: AppClient) -> None:
    body = TURTLE + b"<urn:a> <urn:b> .\n"
    response = writable.put("/rdf-graphs", params={"graph": DATA_GRAPH}, content=body,
                            headers={"Content-Type": "text/turtle", **AUTH})
    assert response.status_code == 400
    assert response.json()["error"].startswith("request body:2:")
    assert response.json()["error"].endswith("; nothing was loaded")
    assert count_clusters(writable) == 2


@pytest.mark.parametrize(("params", "content_type", "status", "message"), [
    ({"default": ""}, "text/turtle", 405, "the default graph is the union of the named graphs"),
    ({"graph": NEW_GRAPH}, "application/x-unknown", 415, "send the graph as one of text/turtle"),
    ({"graph": "not an iri"}, "text/turtle", 400, "?graph= needs an absolute IRI, got 'not an iri'"),
])
def test_gsp_refusals(writable: AppClient, params: dict[str, str], content_type: str, status: int,
                      message: str) -> None:
    response = writable.put("/rdf-graphs", params=params, content=TURTLE,
                            headers={"Content-Type": content_type, **AUTH})
    assert response.status_code == status
    assert response.json()["error"].startswith(message)
    assert count_clusters(writable) == 2


def test_gsp_default_graph_reads_the_union(client: AppClient) -> None:
    response = client.get("/rdf-graphs?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    subjects = {t.subject for t in graph_of(response.content, ox.RdfFormat.N_TRIPLES)}
    assert {ox.NamedNode(GAMMA), ox.NamedNode(CG + "Cluster")} <= subjects


# -- the steward operations: the CLI's reports, token only ---------------------------------------------------------------
STEWARD = Path(__file__).parent / "fixtures" / "server" / "steward"
UNSOURCED = CGD + "claim/delta-unsourced"
INSERTIONS = f"SELECT ?i WHERE {{ ?i a <{CG}ChainInsertion> }} ORDER BY ?i"
TURTLE_BODY = {"Content-Type": "text/turtle"}


def test_steward_operations_need_the_token(client: AppClient) -> None:
    body = (STEWARD / "good.ttl").read_bytes()
    for path in ("/api/validate", "/api/ingest?by=tester"):
        response = client.post(path, content=body, headers=TURTLE_BODY)
        assert response.status_code == 401
    listed = client.get("/sparql", params={"query": INSERTIONS})
    assert select_column(listed.content, ox.QueryResultsFormat.JSON, "i") == [CGD + "claim/gamma-us"]


def test_validate_reports_a_missing_source_like_the_cli(client: AppClient) -> None:
    body = (STEWARD / "missing_source.ttl").read_bytes()
    response = client.post("/api/validate?name=missing_source.ttl", content=body, headers={**TURTLE_BODY, **AUTH})
    assert response.status_code == 200
    assert response.headers["x-clustergraph-conforms"] == "false"
    report = response.json()
    assert (report["conforms"], report["checked"]) == (False, ["missing_source.ttl"])
    assert [(r["focus_node"], r["path"], r["message"], r["severity"], r["origin"]) for r in report["results"]] == [
        (f"<{UNSOURCED}>", "<http://www.w3.org/ns/prov#wasDerivedFrom>",
         "A chain insertion must name its source publication (prov:wasDerivedFrom).", "Violation", "introduced")]
    markdown = client.post("/api/validate", content=body, headers={**TURTLE_BODY, **AUTH, "Accept": "text/markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert "A chain insertion must name its source publication (prov:wasDerivedFrom)." in markdown.text
    listed = client.get("/sparql", params={"query": INSERTIONS})
    assert select_column(listed.content, ox.QueryResultsFormat.JSON, "i") == [CGD + "claim/gamma-us"]


def test_validate_a_conforming_file(client: AppClient) -> None:
    response = client.post("/api/validate", content=(STEWARD / "good.ttl").read_bytes(),
                           headers={**TURTLE_BODY, **AUTH})
    assert (response.status_code, response.headers["x-clustergraph-conforms"]) == (200, "true")
    assert response.json()["results"] == []


def test_ingest_refuses_a_nonconforming_file_with_422_and_changes_nothing(writable: AppClient) -> None:
    response = writable.post("/api/ingest?by=tester", content=(STEWARD / "missing_source.ttl").read_bytes(),
                             headers={**TURTLE_BODY, **AUTH})
    assert response.status_code == 422
    assert response.json()["results"][0]["focus_node"] == f"<{UNSOURCED}>"
    listed = writable.get("/sparql", params={"query": INSERTIONS})
    assert select_column(listed.content, ox.QueryResultsFormat.JSON, "i") == [CGD + "claim/gamma-us"]


def test_ingest_commits_a_conforming_file_as_a_batch(writable: AppClient) -> None:
    response = writable.post("/api/ingest?by=tester&source=urn:test:source&name=good.ttl",
                             content=(STEWARD / "good.ttl").read_bytes(), headers={**TURTLE_BODY, **AUTH})
    assert response.status_code == 201
    batch = response.json()["batch"]
    assert (batch["agent"], batch["file"], batch["source"], batch["triples"]) == (
        "tester", "good.ttl", "urn:test:source", 3)
    assert response.headers["location"] == batch["graph"]
    assert batch["graph"].startswith("https://w3id.org/clustergraph/graph/batch/")
    listed = writable.get("/sparql", params={"query": INSERTIONS})
    assert select_column(listed.content, ox.QueryResultsFormat.JSON, "i") == [
        CGD + "claim/delta-eu", CGD + "claim/gamma-us"]


@pytest.mark.parametrize(("path", "body", "content_type", "status", "message"), [
    ("/api/ingest", b"", "text/turtle", 400, "say who ingests: ?by=<name or IRI>"),
    ("/api/validate", b"<urn:a> <urn:b> .", "text/turtle", 400, "request body:1:"),
    ("/api/validate", b"x", "image/png", 415, "send one RDF document or spreadsheet as one of"),
])
def test_steward_bad_requests(writable: AppClient, path: str, body: bytes, content_type: str, status: int,
                              message: str) -> None:
    response = writable.post(path, content=body, headers={"Content-Type": content_type, **AUTH})
    assert response.status_code == status
    assert response.json()["error"].startswith(message)


def test_gsp_head_gives_the_headers_of_get_without_a_body(client: AppClient) -> None:
    get = client.get("/rdf-graphs", params={"graph": DATA_GRAPH}, headers={"Accept": "text/turtle"})
    head = client.request("HEAD", "/rdf-graphs", params={"graph": DATA_GRAPH}, headers={"Accept": "text/turtle"})
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]
