"""/compare and /evidence in a real browser (Debian's chromium through Playwright) over the repository's
own graph; screenshots go to build/screenshots/ (compare.png, evidence.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server_app import served
from test_browser import browser, page, shot

from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.services.build import build

REPO = Path(__file__).resolve().parent.parent
__all__ = ["browser", "page"]  # fixtures shared with test_browser.py


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`clustergraph serve` over the repository's ontology/, data/ and queries/ on a free port."""
    store_path = tmp_path_factory.mktemp("analysis-browser") / "store"
    settings = Settings(root=REPO, store_path=store_path)
    with EmbeddedStore(store_path) as store:
        build(store, settings)
    with served(settings, tmp_path_factory.mktemp("log") / "serve.log") as base:
        yield base


def test_compare_shows_the_clusters_with_chains_and_keeps_a_new_selection(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/compare")
    columns = page.locator("#comparison thead th[data-cluster]")
    assert columns.count() >= 5
    expect(page.locator("#comparison")).to_contain_text("Latin American chain of Sinos Valley footwear")
    expect(page.locator("#comparison .status-verified").first).to_be_visible()
    shot(page, "compare")
    # keep two clusters and two aspects: the URL carries the selection
    for box in page.locator('input[name="cluster"]').all():
        box.uncheck()
    for box in page.locator('input[name="aspect"]').all():
        box.uncheck()
    page.check('input[value="https://w3id.org/clustergraph/id/cluster/sinos-valley"]')
    page.check('input[value="https://w3id.org/clustergraph/id/cluster/brenta"]')
    page.check('input[name="aspect"][value="chain"]')
    page.check('input[name="aspect"][value="upgrading"]')
    page.click("#compare-form button[type=submit]")
    expect(columns).to_have_count(2)
    expect(page.locator("#comparison tbody tr")).to_have_count(2)
    assert "cluster=https%3A%2F%2Fw3id.org%2Fclustergraph%2Fid%2Fcluster%2Fsinos-valley" in page.url
    assert "aspect=chain" in page.url
    page.reload()
    expect(columns).to_have_count(2)
    assert page.locator("#compare-csv").get_attribute("href", timeout=5_000).startswith("/compare.csv?cluster=")  # type: ignore[union-attr]


def test_evidence_draws_both_hypotheses_with_counts_and_charts(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/evidence")
    expect(page.locator("section.hypothesis")).to_have_count(2)
    for name in ("quasi-hierarchy-upgrading", "standards-upgrading"):
        section = page.locator(f"section#{name}")
        expect(section.locator("svg.evidence-chart rect").first).to_be_visible()
        assert int(section.locator("tr[data-bearing] td.total").first.inner_text()) > 0
    page.locator("section#quasi-hierarchy-upgrading ul.evidence-rows a").first.click()
    expect(page.locator("h1#label")).to_be_visible()
    page.go_back()
    shot(page, "evidence")
