"""pyLODE documentation of the ontology: written to build/ontology/index.html, offline, one clear error."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from rdflib import OWL, RDF, SKOS, URIRef

from clustergraph.base.errors import InputError
from clustergraph.core.config import Settings
from clustergraph.services.publishing.docs import ontology_graph, write_docs
from conftest import REPO, Cli, ontology_project

CG = "https://w3id.org/clustergraph/ontology#"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to open a connection, each refused."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_write_docs_writes_one_page_to_build_ontology(tmp_path: Path, offline: list[object]) -> None:
    root = ontology_project(tmp_path / "p")
    page = write_docs(Settings(root=root))
    assert page == root / "build" / "ontology" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "<title>fixture ontology</title>" in html
    for text in ("has main buyer", CG + "Cluster", CG + "Firm", "An actor that makes or sells goods."):
        assert text in html
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?://", html)  # nothing loaded from outside
    assert offline == []
    assert sorted(p.name for p in page.parent.iterdir()) == ["index.html"]


def test_the_merged_graph_has_one_ontology_and_no_scheme_for_pylode(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p")
    (root / "ontology" / "module.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://w3id.org/clustergraph/ontology/module> a owl:Ontology ;\n"
        "    owl:imports <https://w3id.org/clustergraph/ontology> .\n", encoding="utf-8")
    graph = ontology_graph(Settings(root=root))
    assert list(graph.subjects(RDF.type, OWL.Ontology)) == [URIRef("https://w3id.org/clustergraph/ontology")]
    assert list(graph.subjects(RDF.type, SKOS.ConceptScheme)) == []
    scheme = URIRef("https://w3id.org/clustergraph/concept/SectorScheme")
    assert str(graph.value(scheme, SKOS.prefLabel)) == "sector"
    # the import of a remote ontology stays listed (never followed); the merged module's is dropped
    assert set(graph.objects(None, OWL.imports)) == {URIRef("http://example.invalid/never-fetched.owl")}


def test_docs_command_writes_to_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = Cli(ontology_project(tmp_path / "p"))("docs", "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith(f"wrote {out / 'index.html'} (")
    assert "fixture ontology" in (out / "index.html").read_text(encoding="utf-8")


def test_docs_without_a_title_exits_2_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p")
    core = root / "ontology" / "core.ttl"
    core.write_text(core.read_text(encoding="utf-8").replace('dcterms:title "fixture ontology"@en ;', ""),
                    encoding="utf-8")
    result = Cli(root)("docs")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {root / 'ontology'}: pyLODE cannot document the ontology: ")
    assert len(result.stderr.splitlines()) == 1
    assert not (root / "build").exists()


def test_docs_of_a_broken_file_name_its_line(tmp_path: Path) -> None:
    root = ontology_project(tmp_path / "p")
    (root / "ontology" / "broken.ttl").write_text("\n<https://w3id.org/clustergraph/ontology#X> <y> .\n",
                                                 encoding="utf-8")
    with pytest.raises(InputError) as err:
        write_docs(Settings(root=root))
    assert (err.value.path, err.value.line) == (root / "ontology" / "broken.ttl", 2)
    assert not (root / "build").exists()


@pytest.mark.skipif(not any((REPO / "ontology").glob("*.ttl")), reason="ontology/ has no files yet")
def test_docs_of_the_repository_show_every_class(tmp_path: Path, offline: list[object]) -> None:
    settings = Settings(root=REPO)
    page = write_docs(settings, tmp_path / "docs")
    html = page.read_text(encoding="utf-8")
    classes = {str(c) for c in ontology_graph(settings).subjects(RDF.type, OWL.Class) if str(c).startswith(CG)}
    assert classes
    assert sorted(c for c in classes if c not in html) == []
    assert offline == []
