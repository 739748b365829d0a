"""HermiT through owlready2: consistency, unsatisfiable classes, culprits named, no network, no punning.

Each project is reasoned over once per module (HermiT starts a JVM per run).
"""

from __future__ import annotations

import socket
import tempfile
from pathlib import Path

import owlready2
import pytest

from clustergraph.base.errors import ClusterGraphError, InputError
from clustergraph.core.config import Settings
from clustergraph.core.store import Store
from clustergraph.services.checks import Check, load_repository
from clustergraph.services.reasoning import Culprit, ReasoningReport, parse_owl, reason
from conftest import ontology_project

CG = "https://w3id.org/clustergraph/ontology#"
CGS = "https://w3id.org/clustergraph/concept/"
ID = "https://w3id.org/clustergraph/id/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def repository(root: Path) -> Store:
    return load_repository(Settings(root=root)).store


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reasoning")


@pytest.fixture(scope="module")
def valid(projects: Path) -> ReasoningReport:
    return reason(repository(ontology_project(projects / "valid")))


@pytest.fixture(scope="module")
def contradiction(projects: Path) -> ReasoningReport:
    return reason(repository(ontology_project(projects / "contradiction", "data/contradiction.ttl")))


@pytest.fixture(scope="module")
def functional(projects: Path) -> ReasoningReport:
    return reason(repository(ontology_project(projects / "functional", "data/functional.ttl")))


def test_the_valid_fixture_is_consistent_with_no_unsatisfiable_class(valid: ReasoningReport) -> None:
    assert (valid.consistent, valid.unsatisfiable, valid.culprits, valid.findings) == (True, (), (), ())
    assert valid.hermit_runs == 1
    assert valid.hermit_seconds > 0


def test_literals_outside_the_owl2_datatype_map_are_reported_as_left_out(valid: ReasoningReport) -> None:
    assert valid.ignored_datatypes == (XSD + "gYear",)


def test_an_unsatisfiable_class_is_listed_by_name(tmp_path: Path) -> None:
    report = reason(repository(ontology_project(tmp_path / "p", "ontology/unsatisfiable.ttl")))
    assert (report.consistent, report.unsatisfiable) == (True, (CG + "ClusterFirm",))
    assert [(f.check, f.message) for f in report.findings] == [
        (Check.UNSATISFIABLE, "cg:ClusterFirm: unsatisfiable class (no individual can belong to it)")]


def test_an_individual_of_two_disjoint_classes_is_named(contradiction: ReasoningReport) -> None:
    assert contradiction.consistent is False
    assert contradiction.culprits == (
        Culprit((ID + "cluster/chimera",), "an instance of both cg:Actor (typed cg:Firm) and cg:Cluster, which are disjoint"),)
    assert contradiction.hermit_runs == 1  # found by SPARQL, no search with HermiT
    assert [f.check for f in contradiction.findings] == [Check.INCONSISTENT]


def test_a_type_by_the_domain_of_a_property_is_explained(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p")
    (root / "data" / "buyer.ttl").write_text(
        "@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "<https://w3id.org/clustergraph/id/firm/trader> a cg:Firm ;\n"
        "    cg:buyer <https://w3id.org/clustergraph/id/firm/big-buyer> .\n", encoding="utf-8")
    report = reason(repository(root))
    assert report.culprits == (Culprit(
        (ID + "firm/trader",),
        "an instance of both cg:Actor (typed cg:Firm) and cg:Cluster (by the domain of cg:buyer), which are disjoint"),)


def test_a_contradiction_no_query_explains_is_found_by_elimination(functional: ReasoningReport) -> None:
    # cg:buyer is functional, and the cluster has two buyers declared different: both are needed.
    assert functional.consistent is False
    assert [c.individuals for c in functional.culprits] == [(ID + "cluster/beta", ID + "firm/small-buyer")]
    assert functional.complete is True
    assert functional.hermit_runs > 2


def test_the_search_for_culprits_stops_at_its_run_limit(tmp_path: Path) -> None:
    report = reason(repository(ontology_project(tmp_path / "p", "data/functional.ttl")), max_runs=3)
    assert (report.consistent, report.complete, report.hermit_runs) == (False, False, 3)


def test_punning_is_refused_naming_every_iri(tmp_path: Path) -> None:
    store = repository(ontology_project(tmp_path / "p", "ontology/punning.ttl"))
    before = len(store)
    with pytest.raises(InputError) as err:
        reason(store)
    assert err.value.detail == (
        "cg:Firm: used as a class (declared owl:Class) and as a property (declared owl:ObjectProperty); "
        "cg:Textiles: used as a class (declared owl:Class) and as an individual (the value of cg:sector)")
    assert len(store) == before


def test_owlready2_reads_the_classes_properties_and_individuals_the_files_declare(tmp_path: Path) -> None:
    seen = parse_owl(repository(ontology_project(tmp_path / "p")))
    assert seen.classes == {CG + "Cluster", CG + "Actor", CG + "Firm", SKOS + "Concept", SKOS + "ConceptScheme"}
    assert seen.object_properties == {CG + "buyer", CG + "sector", CG + "oldSector"}
    assert seen.data_properties == {CG + "founded"}
    assert seen.individuals == {ID + "cluster/alpha", ID + "firm/big-buyer", ID + "firm/small-buyer",
                                CGS + "Footwear", CGS + "SectorScheme"}


_HOSTILE = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix owlready: <http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#> .
<https://w3id.org/clustergraph/ontology/extra> a owl:Ontology ;
    owl:imports <http://127.0.0.1:9/remote.owl> , <https://w3id.org/clustergraph/ontology/elsewhere> ;
    owlready:python_module "clustergraph_test_module_that_must_not_be_imported" .
"""


def test_imports_and_python_modules_are_never_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = ontology_project(tmp_path / "p")
    (root / "ontology" / "extra.ttl").write_text(_HOSTILE, encoding="utf-8")
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    report = reason(repository(root))
    assert (report.consistent, attempts) == (True, [])


def test_hermit_leaves_no_temporary_file_even_when_inconsistent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    store = repository(ontology_project(tmp_path / "p", "data/contradiction.ttl"))
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert reason(store).consistent is False
    assert list(scratch.iterdir()) == []
    assert tempfile.tempdir == str(scratch)


def test_a_missing_java_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = repository(ontology_project(tmp_path / "p"))
    monkeypatch.setattr(owlready2, "JAVA_EXE", str(tmp_path / "no-java"))
    with pytest.raises(ClusterGraphError) as err:
        reason(store)
    assert err.value.message == (f"{tmp_path / 'no-java'}: not found; HermiT needs Java "
                                 "(run scripts/system-deps.sh, or apt-get install default-jre-headless)")
