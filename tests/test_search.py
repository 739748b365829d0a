"""Full-text search: the index kept with the store (core/textindex.py), its query language
(base/textquery.py), search:matches inside SPARQL, and the CLI. Texts here are illustrative."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from clustergraph.base.errors import QueryError, StoreError
from clustergraph.base.textquery import TextQuery, parse_text_query
from clustergraph.core.config import Endpoint
from clustergraph.core.remote.client import RemoteStore
from clustergraph.core.store import EmbeddedStore, QueryOptions
from clustergraph.core.textindex import index_path

EX = "https://w3id.org/clustergraph/id/"
G = ox.NamedNode("https://w3id.org/clustergraph/graph/test")
TTL = """
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ex: <https://w3id.org/clustergraph/id/> .
cg:Cluster a <http://www.w3.org/2002/07/owl#Class> .
cg:Chapter rdfs:subClassOf cg:Publication .
ex:alpha a cg:Cluster ; rdfs:label "Alpha tile cluster" ; rdfs:comment "Firms were upgrading their kilns." .
ex:beta a cg:Cluster ; rdfs:label "Beta cluster in Ribeirão" ; rdfs:comment "Leather footwear makers." .
ex:gamma a cg:Cluster ; rdfs:label "Gamma footwear cluster" ; rdfs:comment "Rules on child labour came in." .
ex:delta a cg:Chapter ; dcterms:title "Labour by a child and other chapters" .
ex:claim-1 a cg:AttributeClaim ; cg:statement "Certification spread among the alpha firms." ;
    cg:claimSubject ex:alpha .
ex:claim-2 a cg:AttributeClaim ; cg:statement "No certification was found." ; cg:claimSubject ex:gamma .
ex:wp a cg:Chapter ; dcterms:title "Working Paper 152" .
"""


def _store(ttl: str = TTL) -> EmbeddedStore:
    store = EmbeddedStore()
    store.add_quads([ox.Quad(t.subject, t.predicate, t.object, G) for t in ox.parse(ttl, format=ox.RdfFormat.TURTLE)])
    # cg:AttributeClaim is a claim only through the ontology: give it its superclass here
    return store


@pytest.fixture
def store() -> EmbeddedStore:
    return _store(TTL + "<https://w3id.org/clustergraph/ontology#AttributeClaim> "
                        "<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
                        "<https://w3id.org/clustergraph/ontology#Claim> .")


def found(store: EmbeddedStore, words: str, **kw: object) -> set[str]:
    return {h.subject.removeprefix(EX) for h in store.search(words, limit=None, **kw)}  # type: ignore[arg-type]


def test_stemming_finds_other_forms_of_a_word(store: EmbeddedStore) -> None:
    assert found(store, "upgrade") == {"alpha"}
    assert found(store, "kiln") == {"alpha"}
    assert found(store, "potter") == set()


def test_accents_are_folded_both_ways(store: EmbeddedStore) -> None:
    assert found(store, "Ribeirao") == {"beta"}
    assert found(store, "ribeirão") == {"beta"}


def test_every_word_must_match(store: EmbeddedStore) -> None:
    assert found(store, "footwear") == {"beta", "gamma"}
    assert found(store, "footwear leather") == {"beta"}


def test_a_phrase_needs_its_words_in_order(store: EmbeddedStore) -> None:
    assert found(store, '"child labour"') == {"gamma"}
    assert found(store, "child labour") == {"gamma", "delta"}


def test_an_excluded_word_removes_hits(store: EmbeddedStore) -> None:
    assert found(store, "footwear -leather") == {"gamma"}
    assert found(store, 'labour -"child labour"') == {"delta"}


def test_kind_comes_from_the_class_tree(store: EmbeddedStore) -> None:
    kinds = {h.subject.removeprefix(EX): h.kind for h in store.search("certification child labour footwear paper"
                                                                      .split()[0], limit=None)}
    assert kinds == {"claim-1": "claim", "claim-2": "claim"}
    assert found(store, "labour kind:publication") == {"delta"}
    assert found(store, "labour", kind="cluster") == {"gamma"}


def test_numbers_are_words_of_their_own(store: EmbeddedStore) -> None:
    assert found(store, "152") == {"wp"}
    assert found(store, "paper 152") == {"wp"}
    assert found(store, "15") == set()


def test_hits_carry_label_and_marked_snippet(store: EmbeddedStore) -> None:
    [hit] = store.search("kilns")
    assert hit.label == "Alpha tile cluster"
    assert ("kilns", True) in hit.snippet_parts()
    assert hit.plain_snippet == "Firms were upgrading their kilns."


def test_completion_matches_label_prefixes_only(store: EmbeddedStore) -> None:
    assert [h.subject.removeprefix(EX) for h in store.complete("gam")] == ["gamma"]
    assert [h.subject.removeprefix(EX) for h in store.complete("beta clu")] == ["beta"]
    assert store.complete("kil") == []  # "kilns" is in a comment, not a label


@pytest.mark.parametrize(("text", "message"), [
    ('"child labour', 'the quote before "child labour" is not closed'),
    ("-leather", "a search needs at least one word to find, not only excluded ones"),
    ("kind:tile alpha", "unknown kind 'tile'"),
    ("  ", "the search has no word to find"),
    ("* ( )", "the search has no word to find"),
])
def test_a_malformed_query_is_one_line(store: EmbeddedStore, text: str, message: str) -> None:
    with pytest.raises(QueryError) as err:
        store.search(text)
    assert message in err.value.message
    assert "\n" not in err.value.message


def test_fts5_syntax_in_words_is_only_text() -> None:
    parsed = parse_text_query('NEAR(a b) OR x* "q"')
    assert isinstance(parsed, TextQuery)
    assert parsed.fts5() == '"NEAR(a" AND "b)" AND "OR" AND "x*" AND "q"'


def test_a_word_added_is_found_at_once_and_gone_after_the_graph_is_removed(store: EmbeddedStore) -> None:
    batch = ox.NamedNode("https://w3id.org/clustergraph/graph/batch/b1")
    store.add_quads([ox.Quad(ox.NamedNode(EX + "eps"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                             ox.Literal("Epsilon glaze makers"), batch)])
    assert found(store, "glaze") == {"eps"}
    store.remove_graph(batch.value)  # type: ignore[arg-type]
    assert found(store, "glaze") == set()


def test_sparql_updates_keep_the_index_in_step(store: EmbeddedStore) -> None:
    store.update(f'INSERT DATA {{ GRAPH <{G.value}> {{ <{EX}alpha> <http://www.w3.org/2000/01/rdf-schema#comment> '
                 '"Glaze came from abroad." } }')
    assert found(store, "glaze") == {"alpha"}
    store.update(f'DELETE DATA {{ GRAPH <{G.value}> {{ <{EX}alpha> <http://www.w3.org/2000/01/rdf-schema#comment> '
                 '"Firms were upgrading their kilns." } }')
    assert found(store, "kilns") == set()
    assert found(store, "glaze") == {"alpha"}


SPARQL = """
PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX search: <https://w3id.org/clustergraph/search#>
SELECT ?cluster ?claim WHERE {
  ?claim search:matches "certification" .
  ?claim cg:claimSubject ?cluster .
  ?cluster rdfs:label ?label .
  FILTER(CONTAINS(?label, "tile"))
} ORDER BY ?claim
"""


def test_search_matches_combines_with_graph_patterns(store: EmbeddedStore) -> None:
    result = store.query(SPARQL)
    assert [tuple(t.value.removeprefix(EX) for t in row) for row in result.rows] == [("alpha", "claim-1")]  # type: ignore[union-attr]
    both = store.query(SPARQL.replace('  FILTER(CONTAINS(?label, "tile"))\n', ""))
    assert len(both.rows) == 2  # type: ignore[union-attr]


def test_search_matches_with_no_hit_gives_no_rows(store: EmbeddedStore) -> None:
    result = store.query(SPARQL.replace("certification", "zeppelin"))
    assert result.rows == []  # type: ignore[union-attr]


def test_search_matches_in_a_string_or_comment_is_left_alone(store: EmbeddedStore) -> None:
    result = store.query('SELECT ?x WHERE { BIND("?a search:matches \\"x\\"" AS ?x) } # ?b search:matches "y"')
    assert len(result.rows) == 1  # type: ignore[union-attr]


def test_a_misused_search_matches_is_one_line(store: EmbeddedStore) -> None:
    with pytest.raises(QueryError) as err:
        store.query('PREFIX search: <https://w3id.org/clustergraph/search#> '
                    'SELECT * WHERE { ?a search:matches ?b }', options=QueryOptions(name="mine"))
    assert err.value.message.startswith("mine: text search: use search:matches as")
    with pytest.raises(QueryError) as bad:
        store.query(SPARQL.replace("certification", '\\"open'))
    assert "is not closed" in bad.value.message


def test_an_external_endpoint_says_text_search_needs_the_local_index() -> None:
    remote = RemoteStore(Endpoint("http://127.0.0.1:9/sparql"))
    with pytest.raises(QueryError) as err:
        remote.query(SPARQL)
    assert "text search (search:matches) needs the local text index" in err.value.message
    with pytest.raises(QueryError):
        remote.search("glaze")


def test_on_disk_index_lives_beside_the_store_and_survives_reopening(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        store.add_quads([ox.Quad(t.subject, t.predicate, t.object, G) for t in ox.parse(TTL, format=ox.RdfFormat.TURTLE)])
    assert index_path(tmp_path / "store").is_file()
    with EmbeddedStore(tmp_path / "store", read_only=True) as reader:
        assert found(reader, "upgrade") == {"alpha"}


def test_a_missing_index_is_one_line_until_reindex(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        store.add_quads([ox.Quad(t.subject, t.predicate, t.object, G) for t in ox.parse(TTL, format=ox.RdfFormat.TURTLE)])
    for suffix in ("", "-wal", "-shm"):
        Path(str(index_path(tmp_path / "store")) + suffix).unlink(missing_ok=True)
    with EmbeddedStore(tmp_path / "store") as store:
        with pytest.raises(StoreError) as err:
            store.search("upgrade")
        assert err.value.message.endswith("no text index for this store (built by an older version?); "
                                          "run 'clustergraph reindex'")
        assert store.reindex() == 10  # 3 clusters x 2 texts, 2 titles, 2 statements
        assert found(store, "upgrade") == {"alpha"}


def test_a_write_killed_before_the_index_caught_up_is_redone_on_open(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "store") as store:
        store.add_quads([ox.Quad(t.subject, t.predicate, t.object, G) for t in ox.parse(TTL, format=ox.RdfFormat.TURTLE)])
        # what remove_graph does, stopped after the store's write and before the index's
        store.index.begin([G.value])
        store._store.remove_graph(G)
        assert found(store, "upgrade") == {"alpha"}
    with EmbeddedStore(tmp_path / "store") as store:
        assert found(store, "upgrade") == set()
        assert store.index.pending() is False


def test_wp_finds_a_working_paper_by_its_number(store: EmbeddedStore) -> None:
    assert found(store, "WP 152") == {"wp"}
    assert found(store, "wp 15") == set()


def test_graph_search_gives_rows_ready_for_a_dataframe(store: EmbeddedStore) -> None:
    from clustergraph.api import Graph

    rows = Graph(store, Path(".")).search("kilns")
    assert rows == [{"subject": EX + "alpha", "kind": "cluster", "label": "Alpha tile cluster",
                     "snippet": "Firms were upgrading their kilns.",
                     "property": "http://www.w3.org/2000/01/rdf-schema#comment", "score": rows[0]["score"]}]
    assert isinstance(rows[0]["score"], float) and rows[0]["score"] > 0
