"""The steward page (/steward) in Debian's chromium through Playwright: the token typed once for the
session, a file checked (introduced, resolved and pre-existing shown apart, focus nodes linked to their
pages), ingested with "by" and "source", listed among the batches and retracted. Screenshots go to
build/screenshots/steward-*.png.

The project is the server fixture with one pre-existing violation: tests/fixtures/server/steward/
missing_source.ttl copied into its data/ before the build (a chain insertion without a source).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from clustergraph.core import EmbeddedStore
from clustergraph.services.build import build
from server_app import SERVER_FIXTURE, TOKEN, served, server_settings
from test_browser import CHROMIUM, CHROMIUM_ARGS, shot

pytestmark = pytest.mark.browser

STEWARD = SERVER_FIXTURE / "steward"
#: Repairs the pre-existing violation: the unsourced chain insertion gets its source.
FIX = """@prefix cgd:  <https://w3id.org/clustergraph/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
# Test fixture, not domain data.
cgd:claim\\/delta-unsourced prov:wasDerivedFrom cgd:publication\\/placeholder-2001 .
"""
#: Restates the unsourced chain insertion's type without repairing it: its violation is pre-existing.
TOUCH = """@prefix cg:   <https://w3id.org/clustergraph/ontology#> .
@prefix cgd:  <https://w3id.org/clustergraph/id/> .
# Test fixture, not domain data.
cgd:claim\\/delta-unsourced a cg:ChainInsertion .
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`clustergraph serve` with the operator's token over the fixture plus one pre-existing violation."""
    settings = server_settings(tmp_path_factory.mktemp("steward"))
    shutil.copy(STEWARD / "missing_source.ttl", settings.data_dir / "missing_source.ttl")
    with EmbeddedStore(settings.store_path) as store:
        build(store, settings)
    with served(settings, tmp_path_factory.mktemp("log") / "serve.log", token=TOKEN) as base:
        yield base


@pytest.fixture
def page(server: str) -> Iterator[object]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs it (scripts/system-deps.sh chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
        tab = context.new_page()
        errors: list[str] = []
        requests: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.on("request", lambda request: requests.append(request.url))
        tab.on("dialog", lambda dialog: dialog.accept())
        try:
            yield tab
            assert errors == [], f"script errors: {errors}"
            assert [u for u in requests if not u.startswith((server, "data:", "blob:"))] == []
            assert [u for u in requests if TOKEN in u] == [], "the token went into a URL"
        finally:
            chromium.close()


def _check(tab: object, text: str) -> None:
    tab.fill("#text", text)  # type: ignore[attr-defined]
    tab.click("#check")  # type: ignore[attr-defined]


def test_steward_flow_check_ingest_list_retract(page: object, tmp_path: Path) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/steward")
    expect(page.locator("h1")).to_have_text("Steward")

    # Without a token the API refuses, and the page says so.
    _check(page, (STEWARD / "good.ttl").read_text())
    expect(page.locator("#message")).to_contain_text("token")

    page.fill("#token", TOKEN)
    page.click("#token-save")
    expect(page.locator("#token-state")).to_have_text("a token is set for this session")
    assert page.evaluate("sessionStorage.getItem('clustergraph.token')") == TOKEN
    assert TOKEN not in page.url

    # A file that breaks the shapes: its result is introduced, the store's own one pre-existing.
    bad = tmp_path / "bad.ttl"
    bad.write_text((STEWARD / "missing_source.ttl").read_text().replace("delta-unsourced", "delta-unsourced-2"))
    page.set_input_files("#file", str(bad))
    expect(page.locator("#text")).to_have_value(bad.read_text())
    page.click("#check")
    expect(page.locator("#summary")).to_contain_text("Does not conform")
    introduced = page.locator("#introduced tbody tr")
    expect(introduced).to_have_count(1)
    link = introduced.first.locator("a").first
    expect(link).to_have_text("https://w3id.org/clustergraph/id/claim/delta-unsourced-2")
    expect(link).to_have_attribute("href", "/id/claim/delta-unsourced-2")
    shot(page, "steward-introduced")

    # A file touching the unsourced insertion without repairing it: its result is pre-existing.
    page.set_input_files("#file", [])
    _check(page, TOUCH)
    expect(page.locator("#pre-existing tbody tr")).to_have_count(1)
    expect(page.locator("#pre-existing a").first).to_have_attribute("href", "/id/claim/delta-unsourced")
    expect(page.locator("#introduced tbody tr")).to_have_count(0)
    shot(page, "steward-pre-existing")

    # Ingesting the breaking file is refused: nothing written.
    _check(page, bad.read_text())
    expect(page.locator("#introduced tbody tr")).to_have_count(1)
    page.fill("#by", "A. Steward")
    page.click("#ingest")
    expect(page.locator("#message")).to_contain_text("Refused")
    page.click("#refresh")
    expect(page.locator("#batches tbody tr")).to_have_count(0)

    # The fix: the pre-existing result is reported resolved.
    _check(page, FIX)
    expect(page.locator("#summary")).to_contain_text("Conforms")
    expect(page.locator("#resolved tbody tr")).to_have_count(1)
    expect(page.locator("#resolved a").first).to_have_attribute("href", "/id/claim/delta-unsourced")
    expect(page.locator("#introduced tbody tr")).to_have_count(0)
    expect(page.locator("#pre-existing tbody tr")).to_have_count(0)
    shot(page, "steward-resolved")

    # Ingest it with "by" and "source"; it is listed among the batches.
    page.fill("#by", "A. Steward")
    page.fill("#source", "https://example.org/steward-test")
    page.click("#ingest")
    expect(page.locator("#message")).to_contain_text("Ingested as batch")
    rows = page.locator("#batches tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("A. Steward")
    expect(rows.first).to_contain_text("https://example.org/steward-test")
    shot(page, "steward-batches")

    # After it, the touching check finds the problem gone from the store: nothing pre-existing.
    _check(page, TOUCH)
    expect(page.locator("#summary")).to_contain_text("Conforms")
    expect(page.locator("#pre-existing tbody tr")).to_have_count(0)

    # Retracting it would bring the violation back: refused unless forced (the confirm dialog is accepted).
    rows.first.locator("button").click()
    expect(page.locator("#message")).to_contain_text("was refused")
    expect(page.locator("#introduced tbody tr")).to_have_count(1)
    expect(page.locator("#batches tbody tr")).to_have_count(1)
    page.check("#force")
    rows.first.locator("button").click()
    expect(page.locator("#message")).to_contain_text("Retracted batch")
    expect(page.locator("#batches tbody tr")).to_have_count(0)
    shot(page, "steward-retracted")
    _check(page, TOUCH)
    expect(page.locator("#pre-existing tbody tr")).to_have_count(1)


def test_steward_page_takes_a_csv_with_its_mapping(page: object) -> None:
    """A CSV pasted with the fixture's `insertion` mapping: a misspelt cluster is one line naming its row,
    column and the candidate; corrected, it conforms, is ingested, listed and retracted."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto("/steward")
    page.fill("#token", TOKEN)
    page.click("#token-save")
    page.select_option("#format", "text/csv")
    expect(page.locator("#mapping")).to_be_visible()
    page.select_option("#mapping", "insertion")
    sheet = "id,cluster,chain,source\ngamma-us-from-sheet,{},US footwear chain,pub:placeholder-2001\n"
    _check(page, sheet.format("Gamma footwear clustr"))
    expect(page.locator("#message")).to_contain_text(
        "pasted text:2:cluster: no cluster is called 'Gamma footwear clustr'; "
        "candidates: Gamma footwear cluster (cluster:gamma)")
    shot(page, "steward-csv-problem")
    _check(page, sheet.format("Gamma footwear cluster"))
    expect(page.locator("#summary")).to_contain_text("Conforms")
    page.fill("#by", "A. Steward")
    page.click("#ingest")
    expect(page.locator("#message")).to_contain_text("Ingested as batch")
    rows = page.locator("#batches tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("pasted text")
    shot(page, "steward-csv-batch")
    rows.first.locator("button").click()
    expect(page.locator("#message")).to_contain_text("Retracted batch")
    expect(page.locator("#batches tbody tr")).to_have_count(0)
