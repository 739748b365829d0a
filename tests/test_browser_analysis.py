"""/compare and /evidence in a real browser (Debian's chromium through Playwright) over the repository's
own graph; screenshots go to build/screenshots/ (compare.png, evidence.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.services.build import build
from server_app import served
from test_browser import SCREENSHOTS, browser, page, shot

REPO = Path(__file__).resolve().parent.parent
__all__ = ["browser", "page"]  # fixtures shared with test_browser.py


def clipped(tab: object, name: str) -> None:
    """The page's first 1100 pixels, the kind of picture docs/img/ keeps."""
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"),  # type: ignore[attr-defined]
                   clip={"x": 0, "y": 0, "width": 1100, "height": 1000})


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
    clipped(page, "compare-top")
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
    csv_link = page.locator("#compare-csv").get_attribute("href") or ""
    assert csv_link.startswith("/compare.csv?cluster=")


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
    clipped(page, "evidence-top")


def run_view(page: object, query: str, view: str) -> object:
    """Put `query` in the editor and draw it with the view button `view`; the views panel."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/editor")
    page.wait_for_function("window.clustergraphYasgui !== undefined")
    page.evaluate("q => { const t = window.clustergraphYasgui.getTab(); t.setQuery(q); t.getYasqe().setValue(q); }",
                  query)
    panel = page.locator("#editor-views")
    panel.locator(f'button[data-view="{view}"]').click()
    expect(panel).to_have_attribute("data-drawn", view, timeout=20_000)
    return panel


def test_the_editor_draws_an_answer_as_a_chart(page: object) -> None:
    from playwright.sync_api import expect

    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#> "
             "SELECT ?governance (COUNT(?i) AS ?insertions) "
             "WHERE { ?i a cg:ChainInsertion ; cg:governanceType ?governance } "
             "GROUP BY ?governance ORDER BY ?governance")
    panel = run_view(page, query, "chart")
    expect(panel.locator(".view-chart svg .mark-rect path").first).to_be_visible()
    expect(panel.locator(".view-status")).to_have_text("chart of insertions by governance")
    shot(page, "editor-chart")


def test_the_editor_draws_countries_on_a_map(page: object) -> None:
    from playwright.sync_api import expect

    query = ("PREFIX cg: <https://w3id.org/clustergraph/ontology#> "
             "SELECT ?cluster ?code WHERE { ?cluster a cg:Cluster ; cg:country/cg:iso3166Alpha2 ?code } "
             "ORDER BY ?cluster")
    panel = run_view(page, query, "map")
    assert panel.locator("svg.view-map .marker").count() > 5  # type: ignore[attr-defined]
    expect(panel.locator("svg.view-map path.country.has-points").first).to_be_attached()  # type: ignore[attr-defined]
    shot(page, "editor-map")


def test_the_editor_draws_a_construct_answer_as_a_graph(page: object) -> None:
    from playwright.sync_api import expect

    query = "DESCRIBE <https://w3id.org/clustergraph/id/cluster/sinos-valley>"
    panel = run_view(page, query, "graph")
    expect(panel.locator(".view-graph canvas").first).to_be_attached()  # type: ignore[attr-defined]
    assert int(panel.locator(".view-status").inner_text().split()[0]) > 5  # type: ignore[attr-defined]
    shot(page, "editor-graph")


def test_a_catalogue_answer_draws_as_a_chart(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/catalogue/upgrading_by_governance?run=1")
    panel = page.locator("#query-views")
    panel.locator('button[data-view="chart"]').click()
    expect(panel).to_have_attribute("data-drawn", "chart", timeout=20_000)
    expect(panel.locator(".view-chart svg").first).to_be_visible()
    shot(page, "catalogue-chart")
