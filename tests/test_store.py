"""The embedded store, on disk and in memory: loading, querying, dumping, and bad input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from clustergraph.base.errors import InputError, QueryError, StoreError
from clustergraph.base.formats import RdfFormat, ResultFormat
from clustergraph.base.terms import GRAPH
from clustergraph.core import EmbeddedStore
from clustergraph.core.rdfio import parse_file
from clustergraph.core.results import Boolean, Solutions, Triples, solution_parts, written_parts
from clustergraph.core.store import QueryOptions, Written

G = GRAPH["test/one"]
ALPHA = URIRef("https://w3id.org/clustergraph/id/cluster/alpha")


def test_load_puts_every_triple_of_the_file_in_its_named_graph(store: EmbeddedStore, fixtures: Path) -> None:
    count = store.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    assert count == 11
    assert store.graph_sizes() == {G: 11}
    assert len(store) == 11


def test_load_rejects_broken_turtle_with_line_and_column_and_changes_nothing(
    store: EmbeddedStore, fixtures: Path
) -> None:
    store.load(fixtures / "project" / "data" / "extra.ttl", graph=G)
    before = len(store)
    with pytest.raises(InputError) as err:
        store.load(fixtures / "broken_syntax.ttl", graph=GRAPH["test/broken"])
    assert (err.value.path.name, err.value.line, err.value.column) == ("broken_syntax.ttl", 3, 11)
    assert str(err.value).startswith(f"{fixtures / 'broken_syntax.ttl'}:3:11: ")
    assert str(err.value).endswith("; nothing was loaded")
    assert len(store) == before


def test_load_rejects_an_ill_typed_literal_naming_the_value(store: EmbeddedStore, fixtures: Path) -> None:
    with pytest.raises(InputError) as err:
        store.load(fixtures / "ill_typed.ttl", graph=G)
    assert "'abc' is not a valid xsd:integer" in str(err.value)
    assert len(store) == 0


def test_load_rejects_a_relative_iri(store: EmbeddedStore, fixtures: Path) -> None:
    with pytest.raises(InputError) as err:
        store.load(fixtures / "relative_iri.ttl", graph=G)
    assert err.value.line == 2
    assert "absolute IRI" in err.value.detail
    assert len(store) == 0


def test_load_of_a_missing_file_names_it(store: EmbeddedStore, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        store.load(tmp_path / "nope.ttl", graph=G)
    assert err.value.path == tmp_path / "nope.ttl"
    assert err.value.detail == "no such file"


def test_unknown_suffix_is_an_input_error(store: EmbeddedStore, tmp_path: Path) -> None:
    path = tmp_path / "data.xyz"
    path.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    with pytest.raises(InputError) as err:
        store.load(path, graph=G)
    assert "unknown RDF file suffix '.xyz'" in str(err.value)


def test_the_parser_keeps_lexical_forms_as_written(fixtures: Path) -> None:
    # The store keeps values (Oxigraph stores "01"^^xsd:integer as 1); SHACL input must come
    # from the parser, which keeps what the file says.
    values = {q.object.value for q in parse_file(fixtures / "project" / "data" / "minimal.ttl")
              if q.predicate.value in ("http://example.org/code", "http://example.org/flag")}
    assert values == {"01", "2", "1"}


def test_queries_see_all_named_graphs_as_the_default_graph(store: EmbeddedStore, fixtures: Path) -> None:
    store.load(fixtures / "project" / "data" / "minimal.ttl", graph=GRAPH["a"])
    store.load(fixtures / "project" / "data" / "extra.ttl", graph=GRAPH["b"])
    result = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(result, Solutions)
    assert result.rows[0][0].value == "16"  # type: ignore[union-attr]


def test_bindings_are_bound_as_terms(store: EmbeddedStore, fixtures: Path) -> None:
    store.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    text = "SELECT ?label WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = ?lang) }"
    result = store.query(text, bindings={"c": ALPHA, "lang": Literal("de")})
    assert isinstance(result, Solutions)
    assert [t.value for t in result.column("label")] == ["Alpha-Cluster"]  # type: ignore[union-attr]


def test_ask_and_construct_give_their_own_result_kinds(store: EmbeddedStore, fixtures: Path) -> None:
    store.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    assert store.query(f"ASK {{ <{ALPHA}> ?p ?o }}") == Boolean(True)
    triples = store.query(f"CONSTRUCT {{ <{ALPHA}> ?p ?o }} WHERE {{ <{ALPHA}> ?p ?o }}")
    assert isinstance(triples, Triples) and len(triples) == 6


def test_the_typed_methods_give_each_form_its_own_result(store: EmbeddedStore, fixtures: Path) -> None:
    store.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    rows = store.select("SELECT ?p WHERE { ?s ?p ?o FILTER(?s = ?c) }", bindings={"c": ALPHA})
    assert isinstance(rows, Solutions) and len(rows) == 6
    assert store.ask(f"ASK {{ <{ALPHA}> ?p ?o }}") is True
    assert store.ask("ASK { ?s ?p ?o FILTER(?s = ?c) }", bindings={"c": URIRef("urn:x-nothing")}) is False
    triples = store.construct(f"CONSTRUCT {{ <{ALPHA}> ?p ?o }} WHERE {{ <{ALPHA}> ?p ?o }}",
                              options=QueryOptions(limit=2))
    assert isinstance(triples, Triples) and (len(triples), triples.truncated) == (2, True)
    assert len(store.construct(f"DESCRIBE <{ALPHA}>")) == 7  # and the triple of its blank node


@pytest.mark.parametrize(("method", "text", "said"), [
    ("select", "ASK { ?s ?p ?o }", "expected a SELECT query, but this is an ASK query"),
    ("ask", "SELECT * WHERE { ?s ?p ?o }", "expected an ASK query, but this is a SELECT query"),
    ("construct", "SELECT * WHERE { ?s ?p ?o }", "expected a CONSTRUCT or DESCRIBE query, but this is a SELECT query"),
    ("select", "CONSTRUCT WHERE { ?s ?p ?o }", "expected a SELECT query, but this is a CONSTRUCT or DESCRIBE query"),
])
def test_a_typed_method_given_another_form_says_which(store: EmbeddedStore, method: str, text: str,
                                                      said: str) -> None:
    with pytest.raises(QueryError) as err:
        getattr(store, method)(text, options=QueryOptions(name="mine"))
    assert (err.value.query, err.value.detail) == ("mine", said)


def test_row_limit_truncates_and_says_so(store: EmbeddedStore, fixtures: Path) -> None:
    store.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    result = store.query("SELECT * WHERE { ?s ?p ?o }", options=QueryOptions(limit=5))
    assert isinstance(result, Solutions)
    assert (len(result), result.truncated) == (5, True)
    full = store.query("SELECT * WHERE { ?s ?p ?o }", options=QueryOptions(limit=11))
    assert (len(full), full.truncated) == (11, False)


def test_sparql_syntax_error_names_the_query_and_position(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError) as err:
        store.query("SELECT * WHERE { ?s ?p }", options=QueryOptions(name="mine"))
    assert err.value.query == "mine"
    assert "at line 1:25" in err.value.detail


def test_service_is_refused_unless_allowed(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError) as err:
        store.query("SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }")
    assert "SERVICE is not allowed" in err.value.detail and err.value.status == 403


def test_service_inside_a_string_or_iri_is_not_refused(store: EmbeddedStore) -> None:
    result = store.query('SELECT ?x WHERE { BIND("SERVICE <x>" AS ?x) FILTER(?x != <http://e/SERVICE>) }')
    assert isinstance(result, Solutions) and len(result) == 1


def test_update_text_given_as_query_is_refused(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError) as err:
        store.query("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")
    assert "SPARQL update, not a query" in err.value.detail
    assert len(store) == 0


def test_load_keyword_in_updates_is_refused(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError) as err:
        store.update("LOAD <http://127.0.0.1:1/data.ttl>")
    assert err.value.status == 403


def test_on_disk_store_keeps_its_data_after_closing(tmp_path: Path, fixtures: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore(path) as disk:
        disk.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    with EmbeddedStore(path) as again:
        assert again.graph_sizes() == {G: 11}


def test_a_second_writer_is_told_the_store_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore(path):
        with pytest.raises(StoreError) as err:
            EmbeddedStore(path)
    assert err.value.location == str(path)
    assert "locked by another process" in err.value.detail


def test_a_closed_store_can_be_opened_read_only(tmp_path: Path, fixtures: Path) -> None:
    path = tmp_path / "store"
    with EmbeddedStore(path) as writer:
        writer.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    with EmbeddedStore(path, read_only=True) as reader:
        assert len(reader) == 11


def test_dump_of_triple_syntax_merges_the_chosen_graphs(store: EmbeddedStore, fixtures: Path) -> None:
    store.load(fixtures / "project" / "data" / "minimal.ttl", graph=GRAPH["a"])
    store.load(fixtures / "project" / "data" / "extra.ttl", graph=GRAPH["b"])
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_TRIPLES, graphs=[GRAPH["b"]])
    lines = [line for line in out.getvalue().decode().splitlines() if line]
    assert len(lines) == 5
    assert all("example.org/code" not in line for line in lines)


def test_replace_graphs_is_all_or_nothing(store: EmbeddedStore, fixtures: Path) -> None:
    store.load(fixtures / "project" / "data" / "extra.ttl", graph=GRAPH["b"])
    with pytest.raises(InputError):
        store.replace_graphs([(fixtures / "project" / "data" / "minimal.ttl", GRAPH["a"]),
                              (fixtures / "broken_syntax.ttl", GRAPH["broken"])], drop=[GRAPH["b"]])
    assert store.graph_sizes() == {GRAPH["b"]: 5}


def test_typed_literal_binding_keeps_datatype(store: EmbeddedStore) -> None:
    result = store.query("SELECT ?y WHERE { BIND(?v AS ?y) }", bindings={"v": Literal("1999", datatype=XSD.gYear)})
    assert isinstance(result, Solutions)
    assert result.rows[0][0].datatype.value == str(XSD.gYear)  # type: ignore[union-attr]


HOSTILE = ['"', "'", "}", "{ ?s ?p ?o }", '} ; DROP ALL #', "a\nb", '\\"} UNION { ?s ?p ?o } #', "<http://e/x>"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_bound_as_literals_and_cannot_change_the_query(
    store: EmbeddedStore, fixtures: Path, value: str
) -> None:
    store.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    text = "SELECT ?s ?v WHERE { ?s ?p ?o . BIND(?x AS ?v) FILTER(STR(?o) = ?x) }"
    result = store.query(text, bindings={"x": Literal(value)})
    assert isinstance(result, Solutions) and len(result) == 0
    echo = store.query("SELECT ?v WHERE { BIND(?x AS ?v) }", bindings={"x": Literal(value)})
    assert isinstance(echo, Solutions)
    assert echo.rows[0][0].value == value  # type: ignore[union-attr]
    assert len(store) == 11


def test_bindings_reach_the_where_group_of_a_construct(store: EmbeddedStore, fixtures: Path) -> None:
    store.load(fixtures / "project" / "data" / "minimal.ttl", graph=G)
    result = store.query("CONSTRUCT { ?c ?p ?o } WHERE { ?c ?p ?o }", bindings={"c": ALPHA})
    assert isinstance(result, Triples) and len(result) == 6


# -- updates with bindings, and quads written as data ----------------------------------------------

@pytest.mark.parametrize("value", HOSTILE)
def test_an_update_binding_puts_the_term_where_the_variable_stands(store: EmbeddedStore, value: str) -> None:
    text = "# ?x in a comment, and \"?x\" in a string, stay\nINSERT DATA { GRAPH ?g { ?s <urn:x:p> ?x, \"?x\" } }"
    store.update(text, bindings={"g": G, "s": ALPHA, "x": Literal(value)})
    assert store.graph_sizes() == {G: 2}
    echo = store.query("SELECT ?o WHERE { ?s <urn:x:p> ?o } ORDER BY ?o", bindings={"s": ALPHA})
    assert isinstance(echo, Solutions)
    assert sorted(r[0].value for r in echo.rows) == sorted([value, "?x"])  # type: ignore[union-attr]
    store.update("DROP SILENT GRAPH ?graph", bindings={"graph": G})
    assert store.graph_sizes() == {}


def test_an_update_binding_of_a_variable_the_update_lacks_is_refused(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError, match=r"no variable \?grpah"):
        store.update("DROP SILENT GRAPH ?graph", bindings={"graph": G, "grpah": G})


def test_change_quads_drops_removes_and_adds_in_one_update(store: EmbeddedStore) -> None:
    g, other = ox.NamedNode(str(G)), ox.NamedNode(str(GRAPH["test/two"]))
    s, p = ox.NamedNode(str(ALPHA)), ox.NamedNode("urn:x:p")
    hostile = [ox.Quad(s, p, ox.Literal(v), g) for v in HOSTILE] + [ox.Quad(s, p, ox.Literal("x", language="load"), g)]
    store.add_quads([ox.Quad(s, p, ox.Literal("old"), other), ox.Quad(s, p, ox.Literal("gone"), g)])
    store.change_quads(drop=[URIRef(other.value)], remove=[ox.Quad(s, p, ox.Literal("gone"), g)], add=hostile)
    assert store.graph_sizes() == {G: len(hostile)}
    assert set(store.quads()) == set(hostile)
    with pytest.raises(ValueError):  # an IRI that is not one is refused before anything changes
        store.change_quads(drop=[URIRef("not an iri")], add=[ox.Quad(s, p, ox.Literal("new"), g)])
    assert store.graph_sizes() == {G: len(hostile)}


_XSD = "http://www.w3.org/2001/XMLSchema#"
_OX_RESULTS = {ResultFormat.JSON: ox.QueryResultsFormat.JSON, ResultFormat.XML: ox.QueryResultsFormat.XML,
               ResultFormat.TSV: ox.QueryResultsFormat.TSV}


@pytest.mark.parametrize("limit", [None, 3, 9])
@pytest.mark.parametrize("fmt", list(ResultFormat), ids=lambda f: f.name)
def test_rows_written_by_pyoxigraph_equal_the_rows_written_in_python(fmt: ResultFormat, limit: int | None) -> None:
    """EmbeddedStore.written (the server's workers: pyoxigraph writes, the row limit counts TSV lines) gives
    the rows, the cut and its marks that query() and solution_parts give, for terms that are hard to write."""
    objects = [ox.Literal('a\tb\nc "q" \\ é'), ox.Literal("x", language="en-GB"),
               ox.Literal("01", datatype=ox.NamedNode(_XSD + "integer")),
               ox.Literal("1.50", datatype=ox.NamedNode(_XSD + "decimal")),
               ox.Literal("true", datatype=ox.NamedNode(_XSD + "boolean")), ox.BlankNode("b1"),
               ox.NamedNode("urn:o"), ox.Literal("2020", datatype=ox.NamedNode(_XSD + "gYear")),
               ox.Literal("")]
    store = EmbeddedStore()
    store.add_quads([ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), o, ox.NamedNode("urn:g"))
                     for i, o in enumerate(objects)])
    query = "SELECT ?s ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?none } } ORDER BY ?s"
    written = store.written(query, options=QueryOptions(limit=limit), fmt=fmt)
    collected = store.query(query, options=QueryOptions(limit=limit))
    assert isinstance(written, Written) and isinstance(collected, Solutions)
    assert written.truncated is collected.truncated is (limit == 3)
    cut_at = limit if written.truncated else None
    ours = b"".join(written_parts(written.body, fmt, cut_at=cut_at))
    python = b"".join(solution_parts(collected, fmt, cut_at=cut_at))
    if fmt is ResultFormat.JSON:
        assert json.loads(ours) == json.loads(python)
    elif fmt is ResultFormat.CSV:
        assert ours == python
    else:
        rows = [list(r) for r in ox.parse_query_results(ours, format=_OX_RESULTS[fmt])]  # type: ignore[union-attr]
        assert rows == [list(r) for r in ox.parse_query_results(python, format=_OX_RESULTS[fmt])]  # type: ignore[union-attr]
        assert len(rows) == min(limit or 9, 9)
    if fmt is ResultFormat.XML and cut_at:
        assert b"<!-- incomplete" in ours and b'<link href="urn:clustergraph:incomplete:row-limit"/>' in ours
