"""The Python interface: clustergraph.open(...) with .query(name, **params), .sparql(text), .to_pandas()."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, XSD

import clustergraph
from clustergraph.api import Graph
from clustergraph.base.errors import ClusterGraphError, QueryError, StoreError
from clustergraph.core import EmbeddedStore, RemoteStore
from clustergraph.core.config import Endpoint, Settings
from clustergraph.services.build import build

CATALOGUE = Path(__file__).parent / "fixtures" / "catalogue"
CGD = "https://w3id.org/clustergraph/id/"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the catalogue fixture project."""
    folder = tmp_path / "project"
    shutil.copytree(CATALOGUE, folder)
    return folder


@pytest.fixture
def graph(root: Path) -> Iterator[Graph]:
    """An in-memory graph built from the catalogue fixture."""
    with clustergraph.open(None, root=root) as g:
        g.build()
        yield g


def test_open_is_exported_by_the_package() -> None:
    assert "open" in clustergraph.__all__
    assert isinstance(clustergraph.open(), Graph)


def test_a_named_query_gives_rows_of_rdflib_terms(graph: Graph) -> None:
    result = graph.query("items_by_colour", colour="cgs:Green")
    assert result.variables == ("item", "label")
    assert result.rows == [{"item": URIRef(CGD + "item/b"), "label": Literal("item b")}]
    assert list(result) == result.rows
    assert len(result) == 1
    assert result.truncated is False


def test_parameters_may_be_ints_rdflib_terms_or_none(graph: Graph) -> None:
    assert [r["item"] for r in graph.query("items_with_min_count", min=5)] == [URIRef(CGD + "item/b")]
    assert len(graph.query("items_with_min_count", min=None)) == 2
    assert [r["year"] for r in graph.query("items_since_year", since=2004)] == [
        Literal("2004", datatype=XSD.gYear)]
    about_c = graph.query("item_graph", item=URIRef(CGD + "item/c"))
    assert {(r["predicate"], r["object"]) for r in about_c if r["predicate"] == RDFS.label} == {
        (RDFS.label, Literal("item c"))}
    assert about_c.variables == ("subject", "predicate", "object")
    assert len(about_c) == 3


def test_a_value_outside_the_scheme_is_a_query_error(graph: Graph) -> None:
    with pytest.raises(QueryError) as err:
        graph.query("items_by_colour", colour="cgs:Round")
    assert err.value.detail == ("parameter 'colour' must be a concept of cgs:FixtureColour, got 'cgs:Round'; "
                                "allowed: cgs:Blue, cgs:Green, cgs:Red")


def test_a_hostile_value_is_bound_as_a_literal(graph: Graph) -> None:
    size = len(graph)
    value = 'x" } ; DROP ALL #\n'
    assert graph.query("echo_literal", value=value).rows == [
        {"value": Literal(value), "length": Literal(str(len(value)), datatype=XSD.integer)}]
    assert len(graph) == size


def test_a_parameter_called_name_does_not_clash_with_the_query_name(root: Path) -> None:
    (root / "queries" / "named.rq").write_text("#+ summary: echo\nSELECT ?n WHERE { BIND(?_name AS ?n) }\n")
    with clustergraph.open(root=root) as g:
        assert g.query("named", name="x").rows == [{"n": Literal("x")}]


def test_unknown_query_and_parameter_are_query_errors(graph: Graph) -> None:
    with pytest.raises(QueryError) as err:
        graph.query("nope")
    assert err.value.status == 404
    with pytest.raises(QueryError) as err:
        graph.query("echo_literal", value="a", colour="b")
    assert err.value.detail == "unknown parameter 'colour' (parameters: value)"


def test_queries_lists_the_catalogue(graph: Graph) -> None:
    assert [q.name for q in graph.queries()][:2] == ["any_items", "echo_literal"]


def test_sparql_runs_ad_hoc_queries_and_ask_gives_a_boolean(graph: Graph) -> None:
    assert graph.sparql("ASK { ?s <http://example.org/colour> ?c }").boolean is True
    assert graph.sparql("ASK { ?s <http://example.org/nothing> ?c }").boolean is False
    rows = graph.sparql("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l").rows
    assert [r["l"] for r in rows] == [Literal("item a"), Literal("item b"), Literal("item c")]
    with pytest.raises(QueryError) as err:
        _ = graph.sparql("SELECT * WHERE {}").boolean
    assert err.value.detail == "only an ASK query has a true/false answer; use .rows"
    with pytest.raises(QueryError) as err:
        graph.sparql("SELECT * WHERE { ?s ?p }")
    assert err.value.query == "sparql"


# -- stores -------------------------------------------------------------------------------------
def test_open_a_path_uses_the_on_disk_store_and_releases_it(root: Path) -> None:
    path = root / ".clustergraph" / "store"
    with EmbeddedStore(path) as store:
        build(store, Settings(root=root))
    with clustergraph.open(path, root=root) as g:
        assert [r["label"] for r in g.query("items_by_colour")] == [Literal("item a"), Literal("item c")]
    with clustergraph.open(str(path), root=root) as again:  # the lock went with close()
        assert len(again) == 27


def test_open_a_missing_path_is_an_error_unless_create(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        clustergraph.open(tmp_path / "typo")
    assert str(err.value) == (f"{tmp_path / 'typo'}: no store here; build one with 'clustergraph build', "
                              "or pass create=True")
    assert not (tmp_path / "typo").exists()
    with clustergraph.open(tmp_path / "new", create=True) as g:
        assert len(g) == 0
    assert (tmp_path / "new").is_dir()


def test_open_an_endpoint_queries_a_real_sparql_server(oxigraph_server: Endpoint, root: Path) -> None:
    remote = RemoteStore(oxigraph_server)
    build(remote, Settings(root=root))
    remote.close()
    with clustergraph.open(oxigraph_server.query_url, root=root) as g:
        assert [r["item"] for r in g.query("items_by_colour", colour="cgs:Green")] == [URIRef(CGD + "item/b")]
        with pytest.raises(QueryError) as err:
            g.query("items_by_colour", colour="cgs:Round")
        assert err.value.detail.endswith("allowed: cgs:Blue, cgs:Green, cgs:Red")


# -- DataFrames ---------------------------------------------------------------------------------
TYPED = """
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?int ?dec ?dbl ?bool ?date ?dt ?year ?iri ?str ?lang WHERE {
  VALUES (?int ?dec ?dbl ?bool ?date ?dt ?year ?iri ?str ?lang) {
    ("01"^^xsd:integer "1.5"^^xsd:decimal "2.5E0"^^xsd:double true "1999-05-01"^^xsd:date
     "2001-02-03T04:05:06"^^xsd:dateTime "1999"^^xsd:gYear <http://example.org/a> "text" "hallo"@de)
    (UNDEF UNDEF UNDEF "0"^^xsd:boolean UNDEF UNDEF "-0050"^^xsd:gYear UNDEF UNDEF UNDEF)
  }
}
"""


def test_to_pandas_types_each_column_from_its_datatype(graph: Graph) -> None:
    frame = graph.sparql(TYPED).to_pandas()
    assert list(frame.columns) == ["int", "dec", "dbl", "bool", "date", "dt", "year", "iri", "str", "lang"]
    assert {c: str(frame[c].dtype) for c in ("int", "dec", "dbl", "bool", "year", "iri", "str", "lang")} == {
        "int": "Int64", "dec": "float64", "dbl": "float64", "bool": "boolean", "year": "Int64",
        "iri": "string", "str": "string", "lang": "string"}
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert pd.api.types.is_datetime64_any_dtype(frame["dt"])
    first, second = frame.iloc[0], frame.iloc[1]
    assert (first["int"], first["dec"], first["dbl"], first["bool"], first["year"]) == (1, 1.5, 2.5, True, 1999)
    assert (first["date"], first["dt"]) == (pd.Timestamp("1999-05-01"), pd.Timestamp("2001-02-03 04:05:06"))
    assert (first["iri"], first["str"], first["lang"]) == ("http://example.org/a", "text", "hallo")
    assert (second["bool"], second["year"]) == (False, -50)
    assert pd.isna(second["int"]) and pd.isna(second["dec"]) and pd.isna(second["date"]) and pd.isna(second["iri"])


def test_to_pandas_keeps_mixed_or_ill_typed_columns_as_text(graph: Graph) -> None:
    frame = graph.sparql("""
        PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        SELECT ?mixed ?bad ?zoned WHERE { VALUES (?mixed ?bad ?zoned) {
          (1 "abc"^^xsd:integer "2001-02-03T04:05:06Z"^^xsd:dateTime)
          ("one" "2"^^xsd:integer "2001-02-03T05:05:06+01:00"^^xsd:dateTime) } }""").to_pandas()
    assert (str(frame["mixed"].dtype), str(frame["bad"].dtype)) == ("string", "string")
    assert list(frame["mixed"]) == ["1", "one"]
    assert list(frame["bad"]) == ["abc", "2"]
    assert str(frame["zoned"].dt.tz) == "UTC"
    assert frame["zoned"].iloc[0] == frame["zoned"].iloc[1] == pd.Timestamp("2001-02-03 04:05:06", tz="UTC")


def test_to_pandas_of_a_named_query_and_of_no_rows(graph: Graph) -> None:
    frame = graph.query("items_with_min_count").to_pandas()
    assert list(frame["item"]) == [CGD + "item/a", CGD + "item/b"]
    assert list(frame["count"]) == [3, 10] and str(frame["count"].dtype) == "Int64"
    empty = graph.query("items_since_year", since=3000).to_pandas()
    assert (list(empty.columns), len(empty)) == (["item", "year"], 0)


def test_to_pandas_without_pandas_says_how_to_install_it(graph: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    result = graph.query("items_by_colour")
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` raise ImportError
    with pytest.raises(ClusterGraphError) as err:
        result.to_pandas()
    assert str(err.value) == "to_pandas() needs pandas; install it with: pip install 'clustergraph[pandas]'"
