"""build -> export -> build gives the same graph, in every syntax, for the fixtures and the real repo."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from clustergraph.base.formats import RdfFormat
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.services.build import build
from clustergraph.services.publishing.export import export
from conftest import FIXTURES, REPO

PROJECTS = {"fixtures": FIXTURES / "project", "repo": REPO}


def union_graph(store: EmbeddedStore) -> Graph:
    """All triples of the store as one rdflib graph (via canonical N-Triples)."""
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_TRIPLES)
    graph = Graph()
    graph.parse(data=out.getvalue().decode("utf-8"), format="nt")
    return graph


def copy_sources(src: Path, dest: Path) -> Path:
    for folder in ("ontology", "data"):
        if (src / folder).is_dir():
            shutil.copytree(src / folder, dest / folder, ignore=shutil.ignore_patterns("*.md"))
    return dest


@pytest.mark.parametrize("project_name", sorted(PROJECTS))
@pytest.mark.parametrize("fmt", list(RdfFormat), ids=lambda f: f.label)
def test_build_export_build_is_isomorphic(tmp_path: Path, project_name: str, fmt: RdfFormat) -> None:
    source = copy_sources(PROJECTS[project_name], tmp_path / "source")
    with EmbeddedStore() as first:
        build(first, Settings(root=source))
        original = union_graph(first)
        dumped = io.BytesIO()
        export(first, dumped, fmt)
        graphs_before = set(first.graph_sizes())

    again = tmp_path / "again"
    (again / "data").mkdir(parents=True)
    (again / "data" / f"export{fmt.suffix}").write_bytes(dumped.getvalue())
    with EmbeddedStore() as second:
        report = build(second, Settings(root=again))
        assert report.triples > 0 or len(original) == 0
        assert isomorphic(union_graph(second), original)
        if fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
            assert set(second.graph_sizes()) == graphs_before


def test_turtle_export_uses_the_project_prefixes(tmp_path: Path) -> None:
    with EmbeddedStore() as store:
        build(store, Settings(root=copy_sources(FIXTURES / "project", tmp_path / "p")))
        out = io.BytesIO()
        export(store, out, RdfFormat.TURTLE)
    text = out.getvalue().decode()
    assert "@prefix cgd: <https://w3id.org/clustergraph/id/> ." in text
    assert "a cg:Cluster" in text


def test_export_parses_strictly_in_every_syntax(tmp_path: Path) -> None:
    with EmbeddedStore() as store:
        build(store, Settings(root=copy_sources(FIXTURES / "project", tmp_path / "p")))
        for fmt in RdfFormat:
            out = io.BytesIO()
            export(store, out, fmt)
            parsed = list(ox.parse(out.getvalue(), format=getattr(ox.RdfFormat, fmt.name)))
            assert len(parsed) == 21, fmt
