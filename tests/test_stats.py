"""The coverage report: per cluster, which of sector, country, chain, buyers, governance, upgrading,
standards and sources the graph gives; on a small fixture and on the curated data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from clustergraph.base.terms import CGD, GRAPH
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.services.build import build
from clustergraph.services.stats import Aspect, Coverage, coverage

REPO = Path(__file__).parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "coverage"
A = Aspect


@pytest.fixture
def fixture_store() -> Iterator[EmbeddedStore]:
    with EmbeddedStore() as store:
        store.load(FIXTURE / "data" / "coverage.ttl", graph=GRAPH["data/coverage"])
        yield store


def by_cluster(found: tuple[Coverage, ...]) -> dict[str, frozenset[Aspect]]:
    return {str(c.cluster).removeprefix(str(CGD) + "cluster/"): c.present for c in found}


def test_coverage_of_the_fixture(fixture_store: EmbeddedStore) -> None:
    assert by_cluster(coverage(fixture_store)) == {
        "full": frozenset(Aspect),
        "ranked": frozenset({A.CHAIN, A.GOVERNANCE, A.SOURCES}),
        "supplier": frozenset({A.COUNTRY, A.BUYERS, A.GOVERNANCE}),
        "bare": frozenset(),
    }


def test_coverage_is_ordered_by_english_label_and_says_what_is_missing(fixture_store: EmbeddedStore) -> None:
    found = coverage(fixture_store)
    assert [c.label for c in found] == ["Bare district", "Full cluster", "Ranked cluster", "Supplier cluster"]
    assert [c.complete for c in found] == [False, True, False, False]
    supplier = found[3]
    assert supplier.missing == (A.SECTOR, A.CHAIN, A.UPGRADING, A.STANDARDS, A.SOURCES)


def test_a_chain_link_gives_buyers_to_its_supplier_not_to_the_buying_cluster(fixture_store: EmbeddedStore) -> None:
    fixture_store.update("DELETE WHERE { GRAPH ?g { <https://w3id.org/clustergraph/id/claim/full-insertion> "
                         "<https://w3id.org/clustergraph/ontology#buyer> ?b } }")
    found = by_cluster(coverage(fixture_store))
    assert A.BUYERS not in found["full"]
    assert A.BUYERS in found["supplier"]


def test_coverage_of_an_empty_store_is_empty(store: EmbeddedStore) -> None:
    assert coverage(store) == ()


def test_coverage_of_the_curated_data() -> None:
    """DOMAIN.md §3.2: the Sinos Valley case gives all eight; the tiles case names no governance type
    and no buyers; of Agra only the place and sector are known."""
    with EmbeddedStore() as store:
        build(store, Settings(root=REPO))
        found = by_cluster(coverage(store))
    assert found["sinos-valley"] == frozenset(Aspect)
    assert found["tuttlingen"] == frozenset(Aspect)
    assert A.GOVERNANCE not in found["criciuma"] and A.BUYERS not in found["criciuma"]
    assert A.UPGRADING in found["criciuma"]
    assert found["agra"] == frozenset({A.SECTOR, A.COUNTRY, A.SOURCES})
    assert A.STANDARDS not in found["brenta"]
    assert all(A.SOURCES in present for present in found.values())


def marks(line: str) -> str:
    return "".join(ch for ch in line if ch in "✓–")


def test_stats_coverage_prints_a_row_per_cluster_and_a_count_line(tmp_path: Path) -> None:
    from conftest import Cli

    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    cli = Cli(root)
    assert cli("build").exit_code == 0
    result = cli("stats", "--coverage")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[2].split("┃")[1:-1] == [f" {h:<{w}} " for h, w in zip(
        ["cluster", *(a.value for a in Aspect)], [16, 6, 7, 5, 6, 10, 9, 9, 7])]
    rows = {line.split("│")[1].strip(): marks(line) for line in lines if line.startswith("│")}
    assert rows == {
        "Bare district": "––––––––",
        "Full cluster": "✓✓✓✓✓✓✓✓",
        "Ranked cluster": "––✓–✓––✓",
        "Supplier cluster": "–✓–✓✓–––",
        "clusters with it": "",
    }
    counts = next(line for line in lines if "clusters with it" in line).split("│")[2:-1]
    assert [c.strip() for c in counts] == ["1", "2", "2", "2", "3", "1", "1", "2"]
    assert result.stderr == "4 clusters, 1 with all 8 aspects\n"


def test_stats_without_coverage_still_counts_graphs(tmp_path: Path) -> None:
    from conftest import Cli

    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    cli = Cli(root)
    cli("build")
    result = cli("stats")
    assert result.exit_code == 0
    assert "cgg:data/coverage" in result.stdout and "coverage per cluster" not in result.stdout
