"""Readable SPARQL errors and the standard prefixes of ad-hoc queries (base/sparqlhelp.py), through the
CLI (`query -e`), the Python API and the /sparql endpoint the editor posts to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import clustergraph
from clustergraph.base.errors import QueryError
from clustergraph.base.sparqlhelp import HEADER_MARK, declared, explain, with_prefixes
from clustergraph.base.terms import PREFIXES
from clustergraph.core import EmbeddedStore
from conftest import Cli
from server_app import TOKEN, AppClient, client_for, server_settings

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LABELS = "SELECT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l LIMIT 1"


@pytest.mark.parametrize(("query", "line"), [
    ("SELECT * WHERE { ?s foo:label ?l }",
     "SPARQL syntax error at line 1:21: the prefix 'foo:' is not declared; add 'PREFIX foo: <...>' with its IRI "
     "before the query"),
    ("SELECT * WHERE {\n  ?s ?p ?l FILTER(STRLN(?l)) }",
     "SPARQL syntax error at line 2:19: unknown function 'STRLN'; did you mean STRLEN? (SPARQL 1.1 functions, "
     "or an IRI for an extension function)"),
    ("SELEC * WHERE { ?s ?p ?l }", "SPARQL syntax error at line 1:1: 'SELEC' is not a SPARQL keyword; did you mean SELECT?"),
    ("SELECT * WHERE {\n ?s ?p ?l OPTIONL { ?s ?p ?x } }",
     "SPARQL syntax error at line 2:11: 'OPTIONL' is not a SPARQL keyword; did you mean OPTIONAL?"),
    ("SELECT * WHERE { ?s ?p ?l", "SPARQL syntax error: the query ends with 1 '{' not closed; add the missing '}'"),
])
def test_each_mistake_is_one_line_with_where_and_what_to_do(query: str, line: str) -> None:
    with EmbeddedStore() as store, pytest.raises(QueryError) as err:
        store.query(query)
    assert err.value.detail == line


def test_an_unknown_extension_function_names_its_iri_and_position() -> None:
    with EmbeddedStore() as store, pytest.raises(QueryError) as err:
        store.query("SELECT * WHERE { ?s ?p ?l FILTER(<http://example.org/f>(?l)) }")
    assert err.value.detail.startswith("line 1:34: unknown function <http://example.org/f>")


def test_a_standard_prefix_is_explained_with_its_iri_when_not_added() -> None:
    assert explain("SELECT * WHERE { ?s rdfs:label ?l }", "error at 1:31: expected one of ['%']", PREFIXES) == (
        f"SPARQL syntax error at line 1:21: the prefix 'rdfs:' is not declared; add 'PREFIX rdfs: <{RDFS}>' "
        "before the query")


def test_positions_count_in_the_users_text_not_the_added_prefixes() -> None:
    text = with_prefixes("SELECT * WHERE {\n ?s rdfs:label ?l OPTIONL { } }", PREFIXES)
    assert text.startswith(HEADER_MARK)
    with EmbeddedStore() as store, pytest.raises(QueryError) as err:
        store.query(text)
    assert err.value.detail.startswith("SPARQL syntax error at line 2:19: 'OPTIONL'")


def test_only_used_and_undeclared_prefixes_are_added_and_own_declarations_win() -> None:
    assert with_prefixes("SELECT * WHERE { ?s ?p ?o }", PREFIXES) == "SELECT * WHERE { ?s ?p ?o }"
    own = "PREFIX rdfs: <http://example.org/> SELECT * WHERE { ?s rdfs:label ?l ; skos:x ?y . _:b ?p 'rdfs:no' }"
    added = with_prefixes(own, PREFIXES)
    assert added.splitlines()[1] == f"PREFIX skos: <{PREFIXES['skos']}>"
    assert added.endswith("\n" + own) and declared(own) == {"rdfs"}


@pytest.fixture
def built(cli: Cli) -> Cli:
    assert cli("build").exit_code == 0
    return cli


def test_cli_query_e_has_the_standard_prefixes(built: Cli) -> None:
    result = built("query", "-e", LABELS, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] != ""


def test_cli_query_e_with_its_own_declaration_uses_it(built: Cli) -> None:
    result = built("query", "-e", "PREFIX rdfs: <http://example.org/> " + LABELS, "-f", "csv")
    assert result.exit_code == 0 and result.stdout.strip() == "l"


def test_cli_undeclared_unknown_prefix_exits_2_with_one_line(built: Cli) -> None:
    result = built("query", "-e", "SELECT * WHERE { ?s nope:label ?l }")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: -e: SPARQL syntax error at line 1:21: the prefix 'nope:' is not declared; add 'PREFIX nope: <...>' "
        "with its IRI before the query"]


def test_python_api_sparql_has_the_standard_prefixes(project: Path) -> None:
    with clustergraph.open(root=project) as graph:
        graph.build()
        rows = graph.sparql(LABELS).rows
    assert len(rows) == 1 and rows[0]["l"] is not None


@pytest.fixture
def client(tmp_path: Path) -> Iterator[AppClient]:
    app = client_for(server_settings(tmp_path, write_token=TOKEN))
    yield app
    app.close()


def test_the_endpoint_the_editor_uses_has_the_standard_prefixes(client: AppClient) -> None:
    answer = client.get("/sparql", params={"query": "ASK { ?s rdfs:label ?l }"},
                        headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    wrong = client.get("/sparql", params={"query": "ASK { ?s nope:label ?l }"})
    assert wrong.status_code == 400
    assert wrong.json()["error"].startswith("query: SPARQL syntax error at line 1:10: the prefix 'nope:'")
