"""validate: files checked in the context of the store, labels, report formats, bad input, the CLI."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import CG, CGD, GRAPH, PROV
from clustergraph.core import EmbeddedStore
from clustergraph.core.rdfio import parse_text
from clustergraph.services.validation import Limits, RdfInput, load_shapes, rdf_triples, validate
from clustergraph.services.validation.report import Origin, Report, Severity, to_json, to_markdown, to_turtle
from conftest import Cli

STEWARD = Path(__file__).parent / "fixtures" / "steward"
SHAPES = STEWARD / "shapes"
CLUSTER_A, CLUSTER_B = CGD["cluster/a"], CGD["cluster/b"]


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    """A store with the fixture clusters and one legacy cluster that has no label (pre-existing)."""
    with EmbeddedStore() as s:
        s.load(STEWARD / "data" / "clusters.ttl", graph=GRAPH["data/clusters"])
        s.load(STEWARD / "extra" / "legacy.ttl", graph=GRAPH["data/legacy"])
        yield s


@pytest.fixture
def clean() -> Iterator[EmbeddedStore]:
    """A store with the fixture clusters only: it conforms."""
    with EmbeddedStore() as s:
        s.load(STEWARD / "data" / "clusters.ttl", graph=GRAPH["data/clusters"])
        yield s


def turtle(text: str, name: str = "claim.ttl") -> RdfInput:
    prefixes = ("@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
                "@prefix cgd: <https://w3id.org/clustergraph/id/> .\n"
                "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
                "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                "@prefix sh: <http://www.w3.org/ns/shacl#> .\n")
    return RdfInput(name=name, data=(prefixes + text).encode(), fmt=RdfFormat.TURTLE)


def nquads(store: EmbeddedStore) -> bytes:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return out.getvalue()


def rows(report: Report) -> set[tuple[object, ...]]:
    return {(r.focus_node, r.path, r.value, r.level, r.origin) for r in report.results}


# -- in context ---------------------------------------------------------------------------------

def test_a_claim_on_an_existing_cluster_conforms_only_in_the_context_of_the_store(clean: EmbeddedStore) -> None:
    claim = STEWARD / "claims" / "good.ttl"
    in_context = validate(clean, SHAPES, [claim])
    assert (in_context.conforms, in_context.results, in_context.checked) == (True, (), (str(claim),))
    with EmbeddedStore() as empty:
        alone = validate(empty, SHAPES, [claim])
    assert rows(alone) == {(CGD["insertion/2"], CG.cluster, CLUSTER_A, Severity.VIOLATION, Origin.INTRODUCED)}


def test_validate_never_changes_the_store(store: EmbeddedStore) -> None:
    before = nquads(store)
    validate(store, SHAPES, [STEWARD / "claims" / "bad.ttl"])
    assert nquads(store) == before


def test_the_whole_store_without_files_labels_every_result_pre_existing(store: EmbeddedStore) -> None:
    report = validate(store, SHAPES)
    assert rows(report) == {(CLUSTER_B, RDFS.label, None, Severity.VIOLATION, Origin.PRE_EXISTING)}
    assert (report.conforms, report.checked, report.failed()) == (False, (), True)


def test_bad_claim_results_are_introduced_with_every_field(store: EmbeddedStore) -> None:
    report = validate(store, SHAPES, [STEWARD / "claims" / "bad.ttl"])
    by_shape = {r.source_shape: r for r in report.results}
    cls = by_shape[CG["ChainInsertionShape-cluster"]]
    assert (cls.focus_node, cls.path, cls.value, cls.severity, cls.constraint, cls.origin, cls.message) == (
        CGD["insertion/3"], CG.cluster, CGD["cluster/nowhere"], SH.Violation, SH.ClassConstraintComponent,
        Origin.INTRODUCED, "A chain insertion must name exactly one cluster of the graph (cg:cluster).")
    source = by_shape[CG["ChainInsertionShape-source"]]
    assert (source.focus_node, source.path, source.value, source.constraint, source.origin) == (
        CGD["insertion/3"], PROV.wasDerivedFrom, None, SH.MinCountConstraintComponent, Origin.INTRODUCED)
    legacy = by_shape[CG["ClusterShape-label"]]
    assert (legacy.focus_node, legacy.origin) == (CLUSTER_B, Origin.PRE_EXISTING)
    assert len(report.results) == 3
    assert [r.origin for r in report.failing()] == [Origin.INTRODUCED, Origin.INTRODUCED]


def test_a_file_touching_an_old_problem_leaves_it_pre_existing_and_owns_what_it_adds(store: EmbeddedStore) -> None:
    claim = turtle('cgd:cluster\\/b rdfs:seeAlso cgd:cluster\\/a .\ncgd:cluster\\/a rdfs:label "second label" .')
    report = validate(store, SHAPES, [claim])
    assert rows(report) == {
        (CLUSTER_B, RDFS.label, None, Severity.VIOLATION, Origin.PRE_EXISTING),
        (CLUSTER_A, RDFS.label, None, Severity.VIOLATION, Origin.INTRODUCED),  # maxCount 1, now two
    }


def test_a_new_triple_can_break_an_existing_node_it_points_at(clean: EmbeddedStore) -> None:
    report = validate(clean, SHAPES, [turtle("cgd:thing\\/x cg:cluster cgd:cluster\\/a .")])
    [result] = report.results
    assert (result.focus_node, result.value, result.source_shape, result.origin) == (
        CLUSTER_A, CGD["thing/x"], CG["ClusterShape-insertions"], Origin.INTRODUCED)
    assert result.path_triples == ((result.path, SH.inversePath, CG.cluster),)


def test_labels_match_a_full_validation_of_the_store_alone(store: EmbeddedStore) -> None:
    """The narrowed re-check of the store gives the labels two full validations would."""
    claim = turtle("cgd:thing\\/x cg:cluster cgd:cluster\\/b .\n"
                   "cgd:cluster\\/b rdfs:comment \"x\" .\n"
                   "cgd:insertion\\/9 a cg:ChainInsertion ; cg:cluster cgd:cluster\\/b , cgd:cluster\\/a .")
    before = {r.key for r in validate(store, SHAPES).results}
    report = validate(store, SHAPES, [claim])
    assert len(report.results) == 4
    assert [(r.key in before) for r in report.results] == [r.origin is Origin.PRE_EXISTING for r in report.results]
    assert sum(r.origin is Origin.PRE_EXISTING for r in report.results) == 1


def test_warnings_fail_only_when_strict(clean: EmbeddedStore) -> None:
    report = validate(clean, SHAPES, [STEWARD / "claims" / "warning.ttl"])
    assert rows(report) == {(CGD["cluster/c"], RDFS.comment, None, Severity.WARNING, Origin.INTRODUCED)}
    assert (report.conforms, report.failed(), report.failed(strict=True)) == (False, False, True)


def test_literals_reach_the_engine_as_written(clean: EmbeddedStore, tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:flag ;
            sh:property [ sh:path ex:flag ; sh:in ( "1"^^xsd:boolean ) ] ,
                        [ sh:path ex:n ; sh:maxInclusive 0 ] .""")
    data = ('@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
            'ex:a ex:flag "1"^^xsd:boolean . ex:b ex:flag "true"^^xsd:boolean ; ex:n "01"^^xsd:integer .')
    report = validate(clean, shapes, [RdfInput(name="lexical.ttl", data=data.encode(), fmt=RdfFormat.TURTLE)])
    values = {(r.focus_node, str(r.value), r.constraint) for r in report.results}
    assert values == {(URIRef("http://example.org/b"), "true", SH.InConstraintComponent),
                      (URIRef("http://example.org/b"), "01", SH.MaxInclusiveConstraintComponent)}
    [n] = [r.value for r in report.results if r.constraint == SH.MaxInclusiveConstraintComponent]
    assert (str(n), n.datatype) == ("01", XSD.integer)  # type: ignore[union-attr]


# -- report formats -----------------------------------------------------------------------------

def test_json_report_has_terms_in_ntriples_and_origins(store: EmbeddedStore) -> None:
    body = json.loads(to_json(validate(store, SHAPES, [STEWARD / "claims" / "bad.ttl"])))
    assert (body["conforms"], len(body["results"])) == (False, 3)
    assert body["summary"] == "3 violations (2 introduced, 1 pre-existing)"
    assert body["results"][0] == {
        "focus_node": "<https://w3id.org/clustergraph/id/cluster/b>",
        "path": "<http://www.w3.org/2000/01/rdf-schema#label>",
        "value": None,
        "message": "A cluster must have exactly one label (rdfs:label).",
        "severity": "Violation",
        "source_shape": "<https://w3id.org/clustergraph/ontology#ClusterShape-label>",
        "constraint": "<http://www.w3.org/ns/shacl#MinCountConstraintComponent>",
        "origin": "pre-existing",
    }


def test_json_report_writes_a_complex_path_in_sparql_syntax(clean: EmbeddedStore) -> None:
    body = json.loads(to_json(validate(clean, SHAPES, [turtle("cgd:thing\\/x cg:cluster cgd:cluster\\/a .")])))
    assert body["results"][0]["path"] == "^<https://w3id.org/clustergraph/ontology#cluster>"
    assert body["results"][0]["value"] == "<https://w3id.org/clustergraph/id/thing/x>"


def test_markdown_report_has_one_table_per_focus_node(store: EmbeddedStore) -> None:
    text = to_markdown(validate(store, SHAPES, [STEWARD / "claims" / "bad.ttl"]))
    lines = text.splitlines()
    assert lines[2] == "**3 violations (2 introduced, 1 pre-existing)**"
    assert [line for line in lines if line.startswith("#### ")] == ["#### cluster:b", "#### cgd:insertion/3"]
    assert ("| cg:cluster | cluster:nowhere | A chain insertion must name exactly one cluster of the graph "
            "(cg:cluster). | Violation | introduced | cg:ChainInsertionShape-cluster |") in lines


def test_turtle_report_is_a_w3c_validation_report(clean: EmbeddedStore) -> None:
    report = validate(clean, SHAPES, [turtle("cgd:thing\\/x cg:cluster cgd:cluster\\/a .")])
    triples = rdf_triples(parse_text(to_turtle(report), RdfFormat.TURTLE, name="report.ttl"))
    [root] = [s for s, p, o in triples if (p, o) == (RDF.type, SH.ValidationReport)]
    assert (root, SH.conforms, Literal("false", datatype=XSD.boolean)) in triples
    [result] = [o for s, p, o in triples if (s, p) == (root, SH.result)]
    facts = {p: o for s, p, o in triples if s == result}
    assert (facts[SH.focusNode], facts[SH.value], facts[SH.sourceShape], facts[SH.resultSeverity]) == (
        CLUSTER_A, CGD["thing/x"], CG["ClusterShape-insertions"], SH.Violation)
    assert (facts[SH.resultPath], SH.inversePath, CG.cluster) in triples


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text", "detail"), [
    ("broken.ttl", "cgd:a cgd:b cgd:c .\ncgd:d cgd:e \"unterminated .\n", ("broken.ttl", 8)),  # 6 prefix lines
    ("relative.ttl", "cgd:a cgd:b <relative/iri> .\n", ("relative.ttl", 7)),
    ("malformed.ttl", "cgd:a cgd:b <http://exa mple.org/x> .\n", ("malformed.ttl", 7)),
])
def test_syntax_errors_name_file_line_and_column(clean: EmbeddedStore, name: str, text: str,
                                                 detail: tuple[str, int]) -> None:
    with pytest.raises(InputError) as err:
        validate(clean, SHAPES, [turtle(text, name)])
    assert (str(err.value.path), err.value.line) == detail
    assert err.value.column is not None


def test_ill_typed_literal_is_refused(clean: EmbeddedStore) -> None:
    with pytest.raises(InputError) as err:
        validate(clean, SHAPES, [turtle('cgd:a cgd:n "abc"^^xsd:integer .')])
    assert "'abc' is not a valid xsd:integer" in err.value.detail


def test_empty_file_is_refused(clean: EmbeddedStore) -> None:
    with pytest.raises(InputError) as err:
        validate(clean, SHAPES, [STEWARD / "claims" / "empty.ttl"])
    assert err.value.detail == "the file holds no triples"


def test_unknown_syntax_is_refused(clean: EmbeddedStore, tmp_path: Path) -> None:
    odd = tmp_path / "claim.xyz"
    odd.write_text("whatever")
    with pytest.raises(InputError) as err:
        validate(clean, SHAPES, [odd])
    assert err.value.detail.startswith("unknown RDF file suffix '.xyz'")


def test_a_file_past_the_limits_is_refused_while_streaming(clean: EmbeddedStore, tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    big.write_text("".join(f"<https://example.org/s{i}> <https://example.org/p> \"{i}\" .\n" for i in range(100)))
    with pytest.raises(InputError) as err:
        validate(clean, SHAPES, [big], limits=Limits(max_triples=10))
    assert err.value.detail == "more triples is more than the 10 triples one check holds in memory"
    with pytest.raises(InputError) as err:
        validate(clean, SHAPES, [big], limits=Limits(max_bytes=100))
    assert err.value.detail == f"{big.stat().st_size:,} bytes is more than the 100 bytes one check holds in memory"


def test_a_misspelt_shacl_term_names_the_shapes_file_and_the_shape() -> None:
    with pytest.raises(InputError) as err:
        load_shapes(STEWARD / "bad_shapes" / "misspelt.ttl")
    assert err.value.path == STEWARD / "bad_shapes" / "misspelt.ttl"
    assert err.value.detail == "cg:ClusterShape-label uses sh:minCont, which is not SHACL (did you mean sh:minCount?)"


def test_shapes_that_break_shacl_for_shacl_are_refused() -> None:
    with pytest.raises(InputError) as err:
        load_shapes(STEWARD / "bad_shapes" / "not_shacl.ttl")
    assert err.value.path == STEWARD / "bad_shapes" / "not_shacl.ttl"
    assert err.value.detail.startswith("cg:ClusterShape-label (sh:minCount) is not valid SHACL")


def test_a_folder_without_shapes_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_shapes(tmp_path)
    assert (err.value.path, err.value.detail) == (tmp_path, "no shapes files (*.ttl) here")


# -- the command line ---------------------------------------------------------------------------

@pytest.fixture
def steward(tmp_path: Path) -> Cli:
    """A project folder copied from fixtures/steward (data/, shapes/, claims/), built."""
    root = tmp_path / "steward"
    shutil.copytree(STEWARD, root)
    cli = Cli(root)
    assert cli("build").exit_code == 0
    return cli


def test_cli_validate_exits_0_when_the_files_conform(steward: Cli) -> None:
    result = steward("validate", str(steward.root / "claims" / "good.ttl"))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "conforms: no results\n")


def test_cli_validate_exits_1_on_violations_with_a_table_grouped_by_focus_node(steward: Cli) -> None:
    result = steward("validate", str(steward.root / "claims" / "bad.ttl"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "cgd:insertion/3"
    assert sum(1 for line in lines if "cgd:insertion/3" in line) == 1
    assert [line.split()[0] for line in lines if "Violation" in line] == ["cg:cluster", "prov:wasDerivedFrom"]
    assert result.stderr == "2 violations (2 introduced, 0 pre-existing)\n"


def test_cli_validate_warnings_exit_0_unless_strict(steward: Cli) -> None:
    claim = str(steward.root / "claims" / "warning.ttl")
    assert steward("validate", claim).exit_code == 0
    assert steward("validate", "--strict", claim).exit_code == 1


def test_cli_validate_pre_existing_violations_do_not_fail_a_file(steward: Cli) -> None:
    shutil.copy(STEWARD / "extra" / "legacy.ttl", steward.root / "data")
    assert steward("build").exit_code == 0
    assert steward("validate", str(steward.root / "claims" / "good.ttl")).exit_code == 0
    whole = steward("validate", "-f", "json")
    assert whole.exit_code == 1
    assert [r["origin"] for r in json.loads(whole.stdout)["results"]] == ["pre-existing"]


@pytest.mark.parametrize(("fmt", "start"), [("json", "{"), ("markdown", "### SHACL validation of"),
                                            ("turtle", "@prefix")])
def test_cli_validate_formats(steward: Cli, fmt: str, start: str) -> None:
    result = steward("validate", "--format", fmt, str(steward.root / "claims" / "bad.ttl"))
    assert result.exit_code == 1
    assert result.stdout.startswith(start)
    assert "nowhere" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["claims/missing.ttl"], "error: claims/missing.ttl: no such file\n"),
    (["claims/empty.ttl"], "error: claims/empty.ttl: the file holds no triples; nothing was loaded\n"),
    (["--shapes", "bad_shapes/misspelt.ttl", "claims/good.ttl"],
     "error: bad_shapes/misspelt.ttl: cg:ClusterShape-label uses sh:minCont, which is not SHACL "
     "(did you mean sh:minCount?); nothing was checked\n"),
    (["--max-triples", "2", "claims/good.ttl"],
     "error: claims/good.ttl: more triples is more than the 2 triples one check holds in memory; "
     "split it into smaller files; nothing was loaded\n"),
])
def test_cli_validate_exits_2_on_bad_input_with_one_line(steward: Cli, monkeypatch: pytest.MonkeyPatch,
                                                         args: list[str], message: str) -> None:
    monkeypatch.chdir(steward.root)
    result = steward("validate", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message)


def test_blank_node_focus_nodes_are_labelled_too() -> None:
    """The narrowed re-check targets blank nodes as well (pyshacl's focus_nodes option drops them)."""
    with EmbeddedStore() as s:
        s.load(STEWARD / "extra" / "legacy.ttl", graph=GRAPH["data/legacy"])
        s.update("INSERT DATA { GRAPH <https://w3id.org/clustergraph/graph/data/x> { "
                 "_:old a <https://w3id.org/clustergraph/ontology#Cluster> ; "
                 "<http://www.w3.org/2000/01/rdf-schema#comment> \"old\" } }")
        report = validate(s, SHAPES, [turtle('[] a cg:Cluster ; rdfs:comment "new" .')])
    origins = sorted((type(r.focus_node).__name__, r.origin.value) for r in report.results)
    assert origins == [("BNode", "introduced"), ("BNode", "pre-existing"), ("URIRef", "pre-existing")]
