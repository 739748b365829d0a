"""Repository checks (STYLE.md §10) on small projects: each check lists every offender, one line each."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustergraph.base.errors import InputError
from clustergraph.core.config import Settings
from clustergraph.services.checks import Check, check_repository, load_repository, messages, punning, query_terms
from conftest import ontology_project

CG = "https://w3id.org/clustergraph/ontology#"


def findings_of(root: Path) -> list[str]:
    return messages(check_repository(load_repository(Settings(root=root))))


def test_the_valid_fixture_passes_every_check(tmp_path: Path) -> None:
    assert findings_of(ontology_project(tmp_path / "p")) == []


def test_undeclared_terms_are_listed_with_file_and_line(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p", "data/undeclared.ttl", "queries/undeclared.rq")
    assert findings_of(root) == [
        "data/undeclared.ttl:5: cg:Clustr is not declared in ontology/ (misspelt?)",
        "data/undeclared.ttl:6: cgs:Shoes is not declared in ontology/ or data/ (misspelt?)",
        "data/undeclared.ttl:6: cg:sectr is not declared in ontology/ (misspelt?)",
        "queries/undeclared.rq:7: cg:Firms is not declared in ontology/ (misspelt?)",
    ]


def test_a_cg_term_typed_only_in_data_is_still_undeclared(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p")
    (root / "data" / "sneaky.ttl").write_text(
        "@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "cg:Sneaky a owl:Class .\n", encoding="utf-8")
    assert findings_of(root) == ["data/sneaky.ttl:3: cg:Sneaky is not declared in ontology/ (misspelt?)"]


def test_query_terms_read_each_files_prefixes_full_iris_and_header_defaults(tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text(
        "#+ summary: Clusters of a sector: see https://example.org/x\n"
        "#+ defaults:\n"
        "#+   - sector: cgs:Footwear\n"
        "PREFIX o: <https://w3id.org/clustergraph/ontology#>\n"
        "SELECT * WHERE {\n"
        "  ?x a o:Cluster ; <https://w3id.org/clustergraph/ontology#sector> ?s .  # cg:Comment\n"
        '  FILTER(?s != "o:InString")\n'
        "}\n", encoding="utf-8")
    assert list(query_terms(tmp_path)) == [
        (tmp_path / "q.rq", 6, CG + "Cluster"),
        (tmp_path / "q.rq", 6, CG + "sector"),
        (tmp_path / "q.rq", 3, "https://w3id.org/clustergraph/concept/Footwear"),
    ]


def test_duplicate_labels_are_found_per_language_and_per_scheme(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p", "ontology/duplicate_label.ttl")
    assert findings_of(root) == [
        '"cluster"@en: label of more than one term: cg:Agglomeration, cg:Cluster',
        '"footwear"@en: label of more than one term in cgs:SectorScheme: cgs:Footwear, cgs:Shoes',
    ]


def test_missing_and_bad_documentation_lists_every_offender(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p", "ontology/undocumented.ttl")
    found = check_repository(load_repository(Settings(root=root)))
    assert sorted((f.message, f.check) for f in found) == sorted(((m, c) for c, m in [
        (Check.SOURCE, "cg:Bare: needs dcterms:source"),
        (Check.LABEL, "cg:Bare: needs rdfs:label"),
        (Check.DEFINITION, "cg:Bare: needs skos:definition"),
        (Check.SOURCE, "cg:Unsourced: needs dcterms:source"),
        (Check.LABEL, "cgs:Nameless: needs skos:prefLabel"),
        (Check.DEFINITION, 'cg:Echo: skos:definition "An echo." only repeats the label "echo"'),
        (Check.DEFINITION, 'cg:NoPeriod: skos:definition "A fixture class whose definition does not end with a '
                           'period" must end with a period'),
        (Check.DEPRECATION, "cg:Retired: deprecated without dcterms:isReplacedBy (name the term that replaces it)"),
    ]))


def test_a_deprecated_term_with_a_replacement_needs_no_definition(tmp_path: Path) -> None:
    # cg:oldSector of the valid fixture is deprecated, replaced, and has no definition or source.
    root = ontology_project(tmp_path / "p")
    assert "cg:oldSector" in (root / "ontology" / "core.ttl").read_text(encoding="utf-8")
    assert findings_of(root) == []


def test_punning_names_every_punned_iri_and_its_roles(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p", "ontology/punning.ttl")
    found = punning(load_repository(Settings(root=root)).store)
    assert [(f.check, f.subject) for f in found] == [(Check.PUNNING, "cg:Firm"), (Check.PUNNING, "cg:Textiles")]
    assert found[0].message.startswith(
        "cg:Firm: used as a class (declared owl:Class) and as a property (declared owl:ObjectProperty); ")
    assert found[1].message.startswith(
        "cg:Textiles: used as a class (declared owl:Class) and as an individual (the value of cg:sector); ")


def test_shapes_are_not_read_as_punning(tmp_path: Path) -> None:
    # cg:ClusterShape is an individual of sh:NodeShape and names cg:Cluster as its target class.
    root = ontology_project(tmp_path / "p")
    assert punning(load_repository(Settings(root=root)).store) == []


def test_a_file_that_does_not_parse_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p")
    (root / "shapes" / "broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n\nsh:x sh:y sh:z .\nnope\n",
                                                encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_repository(Settings(root=root))
    assert (err.value.path, err.value.line) == (root / "shapes" / "broken.ttl", 4)
