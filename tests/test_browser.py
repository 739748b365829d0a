"""The web UI in a real browser: `clustergraph serve` on 127.0.0.1 and Debian's chromium (headless)
driven by Playwright for Python. Screenshots go to build/screenshots/.

`make test` installs chromium (scripts/system-deps.sh chromium); Playwright's own browser download
is never used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from clustergraph.adapters.server.pages import STATIC
from server_app import served, server_settings

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent.parent / "build" / "screenshots"
#: Debian's chromium run as root in a sandbox-less container, with nothing reaching the network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-default-apps", "--disable-extensions"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`clustergraph serve` over the server fixture on a free port; its base URL."""
    if not (STATIC / "vendor" / "yasgui.min.js").is_file():
        pytest.fail("the web assets are not bundled: run `make install` (npm ci and web/build.mjs)")
    settings = server_settings(tmp_path_factory.mktemp("browser"))
    with served(settings, tmp_path_factory.mktemp("log") / "serve.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium, headless, through Playwright."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it (scripts/system-deps.sh chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[object]:
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []
    tab.on("request", lambda request: outside.append(request.url)
           if not request.url.startswith((server, "data:", "blob:")) else None)
    try:
        yield tab
        assert errors == [], f"script errors: {errors}"
        assert outside == [], f"requests to other hosts: {outside}"
    finally:
        context.close()


def shot(tab: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_home_page_shows_what_the_graph_holds(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/")
    expect(page.locator("#count-clusters .n")).to_have_text("2")
    expect(page.locator("#count-claims .n")).to_have_text("1")
    expect(page.get_by_role("link", name="Gamma footwear cluster")).to_be_visible()
    shot(page, "home")


def test_a_catalogue_query_runs_in_yasgui_and_shows_its_rows(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/editor")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    page.locator("button.example[data-name='chain_insertions']").click()
    expect(page.locator(".yasqe .CodeMirror")).to_contain_text("cg:ChainInsertion")
    page.locator(".yasqe_queryButton").click()
    rows = page.locator(".yasr table tbody tr")
    expect(rows).to_have_count(1, timeout=15_000)
    expect(rows.first).to_contain_text("Gamma footwear cluster")
    expect(rows.first).to_contain_text("QuasiHierarchy")
    shot(page, "editor")


def test_a_cluster_page_shows_its_chain_diagram_and_sources(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/id/cluster/gamma")
    expect(page.locator("h1#label")).to_have_text("Gamma footwear cluster")
    diagram = page.locator("svg#chain-diagram")
    expect(diagram).to_be_visible()
    expect(diagram.locator(".link-label")).to_have_text("quasi-hierarchy, 1991\u20131999 \u00b7 US footwear chain")
    expect(diagram.locator(".link-source")).to_have_text(
        "source: A placeholder study of chains (2001), p. 12 (verified)")
    expect(diagram.locator(".node-buyer")).to_have_count(2)
    expect(diagram.locator(".node-market text")).to_have_text("US mass market")
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 100
    expect(page.locator("#claims")).to_contain_text("verified in a source")
    shot(page, "cluster")
    page.locator("svg#chain-diagram .node-buyer a").first.click()
    expect(page.locator("h1#label")).to_have_text("Buyer One")


def test_the_map_draws_countries_and_a_marker_per_cluster(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/map")
    expect(page.locator("#map-svg .marker")).to_have_count(2, timeout=15_000)
    assert page.locator("#map-svg path.country").count() > 150
    expect(page.locator("#map-svg path.country.has-clusters")).to_have_count(2)
    shot(page, "map")


def test_a_catalogue_page_runs_its_form(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/catalogue/clusters_in_country")
    page.locator("input[name=code]").fill("BR")
    page.locator("#run").click()
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody tr")).to_contain_text("Gamma footwear cluster")
    shot(page, "catalogue-query")


def test_the_search_box_completes_labels_and_the_results_page_links_to_them(page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/catalogue")
    box = page.locator("#header-search input[name=q]")
    box.fill("gam")
    choices = page.locator("#header-search .completions a")
    expect(choices).to_have_count(1, timeout=10_000)
    expect(choices.first).to_contain_text("Gamma footwear cluster")
    shot(page, "search-completion")
    box.press("ArrowDown")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/id/cluster/gamma$"))

    box = page.locator("#header-search input[name=q]")
    box.fill("footwear -chain")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=footwear"))
    links = page.locator("#search-hits a.hit-label")
    expect(links).to_have_count(1)
    expect(page.locator("#search-hits mark").first).to_have_text("footwear")
    shot(page, "search-results")
    links.first.click()
    expect(page).to_have_url(re.compile(r"/id/cluster/gamma$"))
