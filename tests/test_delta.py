"""Delta validation (services/validation/delta.py): only the focus nodes a change can affect, on the store.

Each change is checked two ways: by delta validation, and by a full validation of the store with
and without the change (the compiled engine on an in-memory copy, or pyshacl). The results the
change introduces must be the same; delta validation's pre-existing results are a part of the
full ones. Changes reach their focus nodes through inverse, sequence and nested paths, class
targets (rdf:type and rdfs:subClassOf), SPARQL constraints that join other nodes, and removals.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef

from bench import bench_module
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import GRAPH
from clustergraph.core import EmbeddedStore
from clustergraph.core.rdfio import parse_text
from clustergraph.core.store import SCRATCH_GRAPHS
from clustergraph.services.validation import Engine, RdfInput, Shapes, load_shapes, read_quads, validate, validate_delta
from clustergraph.services.validation.delta import Scratch
from clustergraph.services.validation.fastvalidation import validate_with_sparql
from clustergraph.services.validation.report import Origin, Report, nt
from test_fastvalidation import curated_store

REPO = Path(__file__).parent.parent
PREFIXES = """
@prefix cg: <https://w3id.org/clustergraph/ontology#> . @prefix cgs: <https://w3id.org/clustergraph/concept/> .
@prefix cgd: <https://w3id.org/clustergraph/id/> . @prefix claim: <https://w3id.org/clustergraph/id/claim/> .
@prefix cluster: <https://w3id.org/clustergraph/id/cluster/> . @prefix chain: <https://w3id.org/clustergraph/id/chain/> .
@prefix pub: <https://w3id.org/clustergraph/id/publication/> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
Key = tuple[str | None, ...]


@pytest.fixture(scope="module")
def shapes() -> Shapes:
    return load_shapes(REPO / "shapes")


def quads(text: str) -> list[ox.Quad]:
    return parse_text((PREFIXES + text).encode(), RdfFormat.TURTLE, name="batch.ttl")


def keys(report: Report, origin: Origin) -> set[Key]:
    return {tuple(nt(t) for t in r.key) for r in report.results if r.origin is origin}


def dump(store: EmbeddedStore) -> list[bytes]:
    """The store's quads, sorted (the order of graphs in a dump is not fixed)."""
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return sorted(out.getvalue().splitlines())


def check_added(store: EmbeddedStore, shapes: Shapes, added: list[ox.Quad]) -> Report:
    """Delta validation of `added` agrees with a full validation; returns the delta report."""
    before = dump(store)
    delta = validate_delta(store, shapes, added, checked=("batch.ttl",))
    assert dump(store) == before  # unchanged, no scratch graph left
    full = validate_with_sparql(store, shapes, added, ("batch.ttl",))
    assert keys(delta, Origin.INTRODUCED) == keys(full, Origin.INTRODUCED)
    assert keys(delta, Origin.PRE_EXISTING) <= keys(full, Origin.PRE_EXISTING)
    return delta


def check_removed(store: EmbeddedStore, shapes: Shapes, graph: URIRef) -> Report:
    """Delta validation of removing `graph` agrees with full validations with and without it."""
    before = dump(store)
    delta = validate_delta(store, shapes, removed_graphs=[graph], checked=("retract",))
    assert dump(store) == before
    with EmbeddedStore() as without:
        without.add_quads([q for q in store.quads() if q.graph_name != ox.NamedNode(str(graph))])
        after = {k for k in keys(validate(without, shapes, engine=Engine.SPARQL), Origin.PRE_EXISTING)}
    had = keys(validate(store, shapes, engine=Engine.SPARQL), Origin.PRE_EXISTING)
    assert keys(delta, Origin.INTRODUCED) == after - had
    return delta


def components(report: Report) -> set[tuple[str, str]]:
    return {(str(r.focus_node).rsplit("/", 1)[-1], str(r.constraint).rsplit("#", 1)[-1])
            for r in report.results if r.origin is Origin.INTRODUCED}


@pytest.fixture(scope="module")
def curated() -> EmbeddedStore:
    return curated_store()


def test_a_new_edge_into_a_scheme_breaks_the_scheme_through_an_inverse_path(curated: EmbeddedStore,
                                                                            shapes: Shapes) -> None:
    report = check_added(curated, shapes, quads("cgd:sector\\/x skos:inScheme cgs:IsicRev4 ."))
    assert ("IsicRev4", "NodeConstraintComponent") in components(report)


def test_a_new_value_two_hops_away_breaks_the_focus_node_through_a_nested_shape(curated: EmbeddedStore,
                                                                                shapes: Shapes) -> None:
    report = check_added(curated, shapes, quads('cgs:isic-1520 skos:notation "9999" .'))
    assert components(report) == {("IsicRev4", "NodeConstraintComponent")}


def test_a_new_type_makes_an_existing_node_a_focus_node(curated: EmbeddedStore, shapes: Shapes) -> None:
    report = check_added(curated, shapes, quads("pub:bazan-navas-aleman-2003 a cg:ChainInsertion ."))
    assert ("bazan-navas-aleman-2003", "MinCountConstraintComponent") in components(report)


def test_a_new_subclass_makes_its_instances_focus_nodes(shapes: Shapes) -> None:
    with curated_store() as store:
        store.add_quads([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(GRAPH["data/extra"])))
                         for q in quads('cgd:thing\\/k a cgd:kind\\/special ; rdfs:label "k"@en .')])
        report = check_added(store, shapes, quads("cgd:kind\\/special rdfs:subClassOf cg:ChainInsertion ."))
    assert ("k", "MinCountConstraintComponent") in components(report)


def test_removing_a_graph_breaks_what_pointed_at_it_and_a_sparql_join_that_used_it(shapes: Shapes) -> None:
    base = GRAPH["data/extra"]
    batch = GRAPH["batch/b"]
    with curated_store() as store:
        for graph, text in ((base, """
                claim:a a cg:ChainInsertion ; rdfs:label "a"@en ; cg:cluster cluster:sinos-valley ;
                    cg:chain chain:t ; prov:wasDerivedFrom pub:x ; cg:evidenceStatus cgs:Verified ."""),
                            (batch, """
                claim:b a cg:ChainInsertion ; rdfs:label "b"@en ; cg:cluster cluster:sinos-valley ;
                    cg:chain chain:t ; cg:governanceType cgs:Network ;
                    prov:wasDerivedFrom pub:bazan-navas-aleman-2003 ; cg:evidenceStatus cgs:Verified .
                pub:x a cg:WorkingPaper ; rdfs:label "x"@en .""")):
            store.add_quads([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(str(graph))) for q in quads(text)])
        report = check_removed(store, shapes, batch)
    found = components(report)
    assert ("a", "ClassConstraintComponent") in found  # pub:x is no longer a source
    assert ("a", "SPARQLConstraintComponent") in found  # no insertion of its chain gives a governance type


def test_a_sequence_path_and_an_inverse_path_reach_the_focus_node() -> None:
    shapes = load_shapes([RdfInput(name="s.ttl", data=b"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:A ;
            sh:property [ sh:path ( ex:p ex:q ) ; sh:class ex:C ; sh:maxCount 1 ] ;
            sh:property [ sh:path [ sh:inversePath ex:r ] ; sh:minCount 1 ; sh:node ex:N ] .
        ex:N a sh:NodeShape ; sh:property [ sh:path ex:s ; sh:maxCount 1 ] .""")])
    data = b"""@prefix ex: <http://example.org/> .
        ex:a a ex:A ; ex:p ex:m . ex:m ex:q ex:c . ex:c a ex:C . ex:z ex:r ex:a ; ex:s 1 .
        ex:b a ex:A ; ex:p ex:n . ex:n ex:q ex:d . ex:d a ex:C . ex:y ex:r ex:b ; ex:s 1 ."""
    with EmbeddedStore() as store:
        store.add_quads([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://example.org/g"))
                         for q in ox.parse(data, ox.RdfFormat.TURTLE)])
        batch = [q for q in ox.parse(b"""@prefix ex: <http://example.org/> .
            ex:m ex:q ex:e . ex:z ex:s 2 . ex:d a ex:Other .""", ox.RdfFormat.TURTLE)]
        report = check_added(store, shapes, batch)
    assert {(str(r.focus_node)[-1], str(r.constraint).rsplit("#", 1)[-1]) for r in report.results} == {
        ("a", "ClassConstraintComponent"), ("a", "MaxCountConstraintComponent"), ("a", "NodeConstraintComponent")}


def test_a_generated_batch_introduces_exactly_its_manifest_as_pyshacl_finds(shapes: Shapes, tmp_path: Path) -> None:
    generate = bench_module("generate")
    data, _ = generate.write(tmp_path / "store", 2000, 3)
    batch, manifest = generate.write(tmp_path / "batch", 1000, 4, start=1_000_000)
    want = {(v["focus_node"], v["path"], v["value"], v["severity"], v["source_shape"], v["constraint"])
            for v in json.loads(manifest.read_text(encoding="utf-8"))["violations"]}
    with curated_store(data) as store:
        delta = validate_delta(store, shapes, read_quads(batch))
        reference = validate(store, shapes, [batch])  # pyshacl, the whole store with the batch
        assert not [g for g in store.graph_sizes() if str(g).startswith(SCRATCH_GRAPHS)]
    assert keys(delta, Origin.INTRODUCED) == keys(reference, Origin.INTRODUCED) == want
    assert len(want) == 4


def test_a_shape_the_compiler_hands_to_pyshacl_is_checked_on_the_affected_nodes() -> None:
    shapes = load_shapes([RdfInput(name="s.ttl", data=b"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        ex:Closed a sh:NodeShape ; sh:targetClass ex:Thing ; sh:closed true ;
            sh:ignoredProperties ( rdf:type ) ; sh:property [ sh:path ex:name ; sh:maxCount 1 ] .""")])
    data = b"""@prefix ex: <http://example.org/> . ex:a a ex:Thing ; ex:name "a" . ex:b a ex:Thing ; ex:name "b" ."""
    with EmbeddedStore() as store:
        store.add_quads([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode("http://example.org/g"))
                         for q in ox.parse(data, ox.RdfFormat.TURTLE)])
        batch = list(ox.parse(b"""@prefix ex: <http://example.org/> . ex:a ex:extra 1 . ex:c a ex:Thing ; ex:name "c" .""",
                              ox.RdfFormat.TURTLE))
        report = check_added(store, shapes, batch)
    assert [(str(r.focus_node), str(r.constraint).rsplit("#", 1)[-1], r.origin) for r in report.results] == [
        ("http://example.org/a", "ClosedConstraintComponent", Origin.INTRODUCED)]


def test_an_on_disk_store_drops_the_scratch_graphs_a_killed_check_left(tmp_path: Path) -> None:
    data = ox.NamedNode(str(GRAPH["data/x"]))
    left = Scratch.new()
    batch, focus = ox.NamedNode(str(left.batch)), ox.NamedNode(str(left.focus))
    with EmbeddedStore(tmp_path / "store") as store:
        store.add_quads([ox.Quad(batch, focus, ox.Literal("x"), graph) for graph in (batch, focus, data)])
    with EmbeddedStore(tmp_path / "store") as reopened:
        assert set(reopened.graph_sizes()) == {GRAPH["data/x"]}
