"""The core commands on real files: build, query, export, stats; and what bad input gets."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from clustergraph.core import EmbeddedStore
from conftest import Cli

GRAPHS = {
    "https://w3id.org/clustergraph/graph/ontology/mini": 5,
    "https://w3id.org/clustergraph/graph/data/minimal": 11,
    "https://w3id.org/clustergraph/graph/data/extra": 5,
}


def graph_sizes(project: Path) -> dict[str, int]:
    with EmbeddedStore(project / ".clustergraph" / "store") as store:
        return {str(g): n for g, n in store.graph_sizes().items()}


def test_build_loads_each_file_into_its_own_graph_and_summarises(cli: Cli, project: Path) -> None:
    result = cli("build")
    assert result.exit_code == 0, result.output
    assert "3 files, 21 triples" in result.stderr
    assert graph_sizes(project) == GRAPHS


def test_build_twice_replaces_instead_of_duplicating(cli: Cli, project: Path) -> None:
    cli("build")
    (project / "data" / "extra.ttl").unlink()
    result = cli("build")
    assert result.exit_code == 0
    assert "removed graph https://w3id.org/clustergraph/graph/data/extra" in result.stderr
    assert graph_sizes(project) == {k: v for k, v in GRAPHS.items() if not k.endswith("extra")}


def test_build_keeps_graphs_it_did_not_load(cli: Cli, project: Path) -> None:
    cli("build")
    other = "https://w3id.org/clustergraph/graph/batch/test"
    with EmbeddedStore(project / ".clustergraph" / "store") as store:
        store.update(f"INSERT DATA {{ GRAPH <{other}> {{ <http://e/a> <http://e/b> <http://e/c> }} }}")
    assert cli("build").exit_code == 0
    assert graph_sizes(project)[other] == 1


def test_build_with_a_broken_file_exits_2_names_it_and_changes_nothing(cli: Cli, project: Path,
                                                                       fixtures: Path) -> None:
    cli("build")
    before = graph_sizes(project)
    shutil.copy(fixtures / "broken_syntax.ttl", project / "data" / "zz_broken.ttl")
    (project / "data" / "minimal.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n")
    result = cli("build")
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"error: {project / 'data' / 'zz_broken.ttl'}:3:11: "
                                     "Unexpected end of file; nothing was loaded")
    assert "Traceback" not in result.output
    assert graph_sizes(project) == before


def test_memory_build_reports_without_touching_disk(cli: Cli, project: Path) -> None:
    result = cli("--memory", "build")
    assert result.exit_code == 0
    assert not (project / ".clustergraph").exists()


def test_query_expression_as_csv(cli: Cli) -> None:
    cli("build")
    result = cli("query", "-f", "csv", "-e",
                 "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                 "SELECT ?s ?l WHERE { ?s a <https://w3id.org/clustergraph/ontology#Cluster> ; rdfs:label ?l "
                 "FILTER(LANG(?l) = 'en') } ORDER BY ?s")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows == [["s", "l"],
                    ["https://w3id.org/clustergraph/id/cluster/alpha", "alpha cluster"],
                    ["https://w3id.org/clustergraph/id/cluster/beta", "beta cluster"]]


@pytest.mark.parametrize("fmt,check", [
    ("json", lambda out: json.loads(out)["results"]["bindings"][0]["n"]["value"] == "2"),
    ("tsv", lambda out: out.splitlines()[0] == "?n"
     and out.splitlines()[1] == '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("xml", lambda out: "<variable name=\"n\"/>" in out and ">2</literal>" in out),
    ("table", lambda out: "│ 2 " in out),
])
def test_query_result_formats(cli: Cli, fmt: str, check: object) -> None:
    cli("build")
    result = cli("query", "-f", fmt, "-e",
                 "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/clustergraph/ontology#Cluster> }")
    assert result.exit_code == 0, result.output
    assert check(result.stdout)  # type: ignore[operator]


def test_ask_query(cli: Cli) -> None:
    cli("build")
    result = cli("query", "-f", "json", "-e", "ASK { ?s a <https://w3id.org/clustergraph/ontology#Cluster> }")
    assert json.loads(result.stdout)["boolean"] is True


def test_construct_in_ntriples(cli: Cli) -> None:
    cli("build")
    result = cli("query", "-f", "ntriples", "-e",
                 "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c FILTER(?c = <https://w3id.org/clustergraph/ontology#Fixture>) }")
    assert result.exit_code == 0
    assert result.stdout.strip() == ("<https://w3id.org/clustergraph/id/fixture/one> "
                                     "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                                     "<https://w3id.org/clustergraph/ontology#Fixture> .")


def test_named_query_with_parameter(cli: Cli) -> None:
    cli("build")
    result = cli("query", "cluster_label", "-p", "cluster=cgd:cluster/beta", "-f", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["label", "beta cluster"]


def test_named_query_default_parameter_and_override(cli: Cli) -> None:
    cli("build")
    default = cli("query", "clusters_by_label", "-f", "csv")
    assert [r.split(",")[1] for r in default.stdout.splitlines()[1:]] == ["alpha cluster", "beta cluster"]
    german = cli("query", "clusters_by_label", "-p", "lang=de", "-f", "csv")
    assert [r.split(",")[1] for r in german.stdout.splitlines()[1:]] == ["Alpha-Cluster"]


def test_query_from_rq_file(cli: Cli, project: Path, tmp_path: Path) -> None:
    cli("build")
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    result = cli("query", str(path), "-f", "csv")
    assert result.stdout.splitlines() == ["n", "21"]


def test_sparql_syntax_error_exits_2_with_position(cli: Cli) -> None:
    cli("build")
    result = cli("query", "-e", "SELECT * WHERE { ?s ?p }")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: -e: SPARQL syntax error at line 1:25: expected one of LATERAL, SERVICE, [_]"


def test_unknown_named_query_lists_known_ones(cli: Cli) -> None:
    result = cli("query", "no_such_query")
    assert result.exit_code == 2
    assert "no_such_query: no such query in queries/ (known: cluster_label, clusters_by_label)" in result.stderr


def test_parameter_of_wrong_type_names_query_and_value(cli: Cli) -> None:
    cli("build")
    result = cli("query", "cluster_label", "-p", "cluster=not an iri")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: queries/cluster_label.rq: parameter 'cluster' needs an IRI, got 'not an iri'"


def test_missing_rq_file_exits_2(cli: Cli, tmp_path: Path) -> None:
    result = cli("query", str(tmp_path / "nope.rq"))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'nope.rq'}: no such file"


def test_unknown_export_format_is_a_usage_error(cli: Cli) -> None:
    result = cli("export", "-f", "yaml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_export_of_unknown_graph_names_the_graphs_held(cli: Cli) -> None:
    cli("build")
    result = cli("export", "-g", "data/nope")
    assert result.exit_code == 2
    assert "the store holds no graph 'data/nope' (graphs: data/extra, data/minimal, ontology/mini)" in result.stderr


def test_export_chosen_graph_to_file(cli: Cli, tmp_path: Path) -> None:
    cli("build")
    out = tmp_path / "extra.nt"
    result = cli("export", "-g", "data/extra", "-f", "nt", "-o", str(out))
    assert result.exit_code == 0
    assert len(out.read_text().strip().splitlines()) == 5
    assert not out.with_name("extra.nt.part").exists()


def test_stats_counts_graphs_and_classes(cli: Cli) -> None:
    cli("build")
    result = cli("stats")
    assert result.exit_code == 0
    assert "cgg:data/minimal" in result.stdout and "│ 11 " in result.stdout
    assert "cg:Cluster" in result.stdout and "│ 2 " in result.stdout
    assert "│ 21 " in result.stdout


def test_remote_endpoint_that_does_not_answer_names_the_url(cli: Cli) -> None:
    from processes import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    result = cli("--endpoint", url, "query", "-e", "ASK {}")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {url}: the endpoint does not answer")


def test_locked_store_is_reported_for_writes(cli: Cli, project: Path) -> None:
    cli("build")
    with EmbeddedStore(project / ".clustergraph" / "store"):
        result = cli("build")
    assert result.exit_code == 2
    assert "the store is locked by another process" in result.stderr


def test_queries_against_a_held_store_point_at_the_server(cli: Cli, project: Path) -> None:
    cli("build")
    with EmbeddedStore(project / ".clustergraph" / "store"):
        result = cli("query", "-e", "ASK {}")
    assert result.exit_code == 2
    assert "query it with --endpoint http://127.0.0.1:8000/sparql" in result.stderr
