"""The repository's own ontology/ and data/: they parse everywhere, pass every repository check, and
HermiT finds them consistent; and `clustergraph check` on small projects (exit codes, named culprits).

The repository tests read whatever ontology/, data/, shapes/ and queries/ hold at test time.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from clustergraph.core.config import Settings
from clustergraph.core.rdfio import check_file
from clustergraph.core.results import Solutions
from clustergraph.core.store import Store
from clustergraph.services import checks
from clustergraph.services.build import source_files
from clustergraph.services.checks import Finding, Repository, load_repository
from clustergraph.services.reasoning import ReasoningReport, parse_owl, reason
from conftest import REPO, Cli, ontology_project

has_ontology = pytest.mark.skipif(not any((REPO / "ontology").glob("*.ttl")), reason="ontology/ has no files yet")


@pytest.fixture(scope="module")
def repo() -> Repository:
    return load_repository(Settings(root=REPO), internal=True)  # the program's own .rq files too


@pytest.fixture(scope="module")
def hermit(repo: Repository) -> ReasoningReport:
    return reason(repo.store)


def rdf_files() -> list[Path]:
    return [path for path, _ in source_files(Settings(root=REPO))]


# -- the repository ------------------------------------------------------------------------------

@has_ontology
@pytest.mark.parametrize("path", rdf_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_each_file_parses_in_pyoxigraph_and_rdflib_alike(path: Path) -> None:
    strict = check_file(path)
    loose = Graph().parse(path, format="turtle" if path.suffix == ".ttl" else None)
    assert strict.triples == len(loose) > 0


@has_ontology
def test_the_ontology_and_data_parse_in_owlready2(repo: Repository) -> None:
    seen = parse_owl(repo.store)
    declared = {kind: declared_iris(repo.store, kind) for kind in
                ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")}
    assert seen.classes >= declared["Class"]
    assert seen.object_properties == declared["ObjectProperty"]
    assert seen.data_properties == declared["DatatypeProperty"]
    assert seen.annotation_properties >= declared["AnnotationProperty"]
    assert any(iri.endswith("#Cluster") for iri in seen.classes)


def declared_iris(store: Store, kind: str) -> set[str]:
    result = store.query(f"SELECT DISTINCT ?x WHERE {{ ?x a <http://www.w3.org/2002/07/owl#{kind}> FILTER(isIRI(?x)) }}")
    assert isinstance(result, Solutions)
    return {row[0].value for row in result.rows if isinstance(row[0], ox.NamedNode)}


CHECKS: dict[str, Callable[[Repository], list[Finding]]] = {
    "every cg: and cgs: term used anywhere is declared": checks.undeclared_terms,
    "no punning": lambda r: checks.punning(r.store),
    "labels are unique per language": lambda r: checks.duplicate_labels(r.store),
    "every term has a label, a definition and a source": lambda r: checks.missing_documentation(r.store),
    "definitions end with a period and do not repeat the label": lambda r: checks.bad_definitions(r.store),
    "deprecated terms name their replacement": lambda r: checks.deprecations(r.store),
}


@has_ontology
@pytest.mark.parametrize("name", list(CHECKS))
def test_repository_check(repo: Repository, name: str) -> None:
    offenders = CHECKS[name](repo)
    assert not offenders, "\n".join(f.message for f in offenders)


@has_ontology
def test_hermit_finds_the_ontology_and_data_consistent(hermit: ReasoningReport) -> None:
    assert hermit.consistent, "\n".join(f.message for f in hermit.findings)
    assert hermit.triples > 0


@has_ontology
def test_hermit_finds_no_unsatisfiable_class(hermit: ReasoningReport) -> None:
    assert hermit.unsatisfiable == ()


# -- the command ---------------------------------------------------------------------------------

def test_check_exits_1_and_names_the_contradictory_individual(tmp_path: Path) -> None:
    result = Cli(ontology_project(tmp_path / "p", "data/contradiction.ttl"))("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "inconsistent: cluster:chimera: an instance of both cg:Actor (typed cg:Firm) and cg:Cluster, which are disjoint"]
    assert result.stderr.startswith("1 finding; HermiT: inconsistent, 0 unsatisfiable classes, ")


def test_check_exits_0_on_a_clean_project(tmp_path: Path) -> None:
    result = Cli(ontology_project(tmp_path / "p"))("check")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.startswith("0 findings; HermiT: consistent, 0 unsatisfiable classes, ")
    assert "literals of xsd:gYear left out" in result.stderr


def test_check_lists_every_offender_of_the_repository_checks(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p", "data/undeclared.ttl", "queries/undeclared.rq",
                            "ontology/duplicate_label.ttl")
    result = Cli(root)("check")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "data/undeclared.ttl:5: cg:Clustr is not declared in ontology/ (misspelt?)",
        "data/undeclared.ttl:6: cg:sectr is not declared in ontology/ (misspelt?)",
        "queries/undeclared.rq:7: cg:Firms is not declared in ontology/ (misspelt?)",
        '"cluster"@en: label of more than one term: cg:Agglomeration, cg:Cluster',
        '"footwear"@en: label of more than one term in cgs:SectorScheme: cgs:Footwear, cgs:Shoes',
    ]


def test_check_reports_punning_and_does_not_run_hermit(tmp_path: Path) -> None:
    result = Cli(ontology_project(tmp_path / "p", "ontology/punning.ttl"))("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(": used as ")[0] for line in lines] == ["cg:Firm", "cg:Textiles"]
    assert result.stderr == "2 findings; HermiT did not run (punning)\n"


def test_check_exits_2_with_one_line_on_a_file_that_does_not_parse(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p")
    (root / "data" / "broken.ttl").write_text("<https://w3id.org/clustergraph/id/x> a \n", encoding="utf-8")
    result = Cli(root)("check")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {root / 'data' / 'broken.ttl'}:2:")


def test_check_built_reasons_over_the_store_not_the_files(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p", "data/contradiction.ttl")
    cli = Cli(root)
    assert cli("build").exit_code == 0
    (root / "data" / "contradiction.ttl").unlink()  # the files are clean again, the store is not
    assert cli("check").exit_code == 0
    built = cli("check", "--built")
    assert built.exit_code == 1
    assert "cluster:chimera" in built.stdout


@has_ontology
def test_check_passes_on_the_repository(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    for folder in ("ontology", "data", "shapes", "queries"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder)
    result = Cli(root)("check")
    assert (result.exit_code, result.stdout) == (0, ""), result.stdout
