"""/compare and /evidence over the repository's own graph, and the same content from the Python API.

Every count the pages show is checked against a SPARQL COUNT written here, independently of the
catalogue queries the pages run."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import clustergraph
from clustergraph.api import Graph
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.core.results import Solutions
from clustergraph.services.build import build
from server_app import BASE, AppClient, client_for

REPO = Path(__file__).resolve().parent.parent
PREFIXES = """
PREFIX cg:   <https://w3id.org/clustergraph/ontology#>
PREFIX cgs:  <https://w3id.org/clustergraph/concept/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
#: Rows of upgrading_by_governance by bearing and outcome status, counted another way: one COUNT per
#: bearing, with the hypothesis's reading written as a filter.
QUASI_ROWS = """
  ?o a cg:UpgradingOutcome ; cg:cluster ?c ; cg:chain ?ch ; cg:upgradingType ?t ; cg:outcome ?out ;
     prov:wasDerivedFrom ?os ; cg:evidenceStatus ?status .
  ?i a cg:ChainInsertion ; cg:cluster ?c ; cg:chain ?ch ; cg:governanceType ?g ;
     prov:wasDerivedFrom ?gs ; cg:evidenceStatus ?gst .
  FILTER(?g = cgs:QuasiHierarchy || ?g = cgs:GhsCaptive)
"""
PROCESS_OR_PRODUCT = "(?t = cgs:ProcessUpgrading || ?t = cgs:ProductUpgrading)"
BLOCKED = "(?out = cgs:Blocked || ?out = cgs:Downgraded)"
QUASI_READING = {
    "supports": f"({PROCESS_OR_PRODUCT} && ?out = cgs:Achieved) || (?t = cgs:FunctionalUpgrading && {BLOCKED})",
    "contradicts": f"{PROCESS_OR_PRODUCT} && {BLOCKED}",
    "qualifies": f"({PROCESS_OR_PRODUCT} && ?out != cgs:Achieved && !{BLOCKED})"
                 f" || (?t = cgs:FunctionalUpgrading && !{BLOCKED})",
}
QUASI_COUNTS = [(bearing, PREFIXES + f"""SELECT ("{bearing}" AS ?bearing) ?status (COUNT(*) AS ?n)
WHERE {{ {QUASI_ROWS} FILTER({condition}) }} GROUP BY ?status""") for bearing, condition in QUASI_READING.items()]
STANDARD_COUNTS = PREFIXES + """
SELECT ?bearing ?status (COUNT(*) AS ?n) WHERE {
  ?claim a cg:StandardEffect ; cg:effect ?effect ; prov:wasDerivedFrom ?source ; cg:evidenceStatus ?status .
  VALUES (?effect ?bearing) { (cgs:HelpsUpgrading "supports") (cgs:Marginalises "contradicts")
                              (cgs:MixedEffect "qualifies") }
}
GROUP BY ?bearing ?status
"""


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    store_path = tmp_path_factory.mktemp("analysis") / "store"
    settings = Settings(root=REPO, store_path=store_path)
    with EmbeddedStore(store_path) as store:
        build(store, settings)
    return replace(settings, base_url=BASE)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[AppClient]:
    app = client_for(settings)
    yield app
    app.close()


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    """The same files built into a store of its own (the server's worker holds the on-disk one)."""
    with clustergraph.open(None, root=REPO) as g:
        g.build()
        yield g


def counted(graph: Graph, *queries: str) -> dict[tuple[str, str], int]:
    found = {}
    for sparql in queries:
        result = graph.sparql(sparql).raw
        assert isinstance(result, Solutions)
        found.update({(str(b.value), str(s.value).rsplit("/", 1)[-1]): int(n.value) for b, s, n in result.rows})
    return found


def page_counts(html: str, section: str) -> dict[tuple[str, str], int]:
    body = html.split(f'<section class="hypothesis" id="{section}">', 1)[1].split("</section>", 1)[0]
    found = {}
    for bearing, cells in re.findall(r'<tr data-bearing="([^"]+)">(.*?)</tr>', body, re.DOTALL):
        for status, n in re.findall(r'<td data-status="(\w+)">(\d+)</td>', cells):
            if int(n):
                found[(bearing, status)] = int(n)
    return found


def test_evidence_counts_of_the_governance_hypothesis_equal_a_sparql_count(client: AppClient, graph: Graph) -> None:
    html = client.get("/evidence").text
    shown = {k: n for k, n in page_counts(html, "quasi-hierarchy-upgrading").items()
             if k[0] in ("supports", "qualifies", "contradicts")}
    expected = counted(graph, *(q for _, q in QUASI_COUNTS))
    assert shown == expected
    assert sum(expected.values()) > 0


def test_evidence_counts_of_the_standards_hypothesis_equal_a_sparql_count(client: AppClient, graph: Graph) -> None:
    html = client.get("/evidence/standards-upgrading").text
    expected = counted(graph, STANDARD_COUNTS)
    assert page_counts(html, "standards-upgrading") == expected
    assert sum(expected.values()) > 0


def test_evidence_shows_each_hypothesis_with_its_statement_source_and_claim_links(client: AppClient) -> None:
    html = client.get("/evidence").text
    assert html.count('<section class="hypothesis"') == 2
    assert "Operating in quasi hierarchical global chains helps local producers" in html
    assert "Do global quality and labour standards marginalise developing country producers" in html
    assert 'href="/catalogue/upgrading_by_governance?run=1"' in html
    assert re.search(r'<li><span class="status status-verified">verified</span> <a href="/id/claim/', html)


def test_unknown_hypothesis_is_a_404(client: AppClient) -> None:
    response = client.get("/evidence/no-such-hypothesis")
    assert response.status_code == 404
    assert response.json() == {"error": "no-such-hypothesis: no such hypothesis (cg:Hypothesis) in the graph"}


def test_compare_shows_by_default_every_cluster_with_a_chain(client: AppClient, graph: Graph) -> None:
    result = graph.sparql(PREFIXES + "SELECT DISTINCT ?c WHERE { ?i a cg:ChainInsertion ; cg:cluster ?c }").raw
    assert isinstance(result, Solutions)
    with_chains = sorted(str(r[0].value) for r in result.rows)
    html = client.get("/compare").text
    columns = sorted(re.findall(r'<th scope="col" data-cluster="([^"]+)">', html))
    assert columns == with_chains
    assert len(columns) >= 5
    checked = sorted(re.findall(r'<input type="checkbox" name="cluster" value="([^"]+)" checked>', html))
    assert checked == with_chains


def test_compare_keeps_the_selection_in_the_url_and_exports_it_as_csv(client: AppClient) -> None:
    sinos, brenta = ("https://w3id.org/clustergraph/id/cluster/sinos-valley",
                     "https://w3id.org/clustergraph/id/cluster/brenta")
    query = f"cluster={sinos}&cluster={brenta}&aspect=chain&aspect=upgrading"
    html = client.get(f"/compare?{query}").text
    assert re.findall(r'<th scope="col" data-cluster="([^"]+)">', html) == [sinos, brenta]
    assert re.findall(r'<tr data-aspect="([^"]+)">', html) == ["chain", "upgrading"]
    assert "Latin American chain of Sinos Valley footwear" in html
    assert '<a class="claim-link small" href="/id/claim/' in html
    response = client.get(f"/compare.csv?{query}")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["cluster"] for r in rows} == {sinos, brenta}
    assert {r["aspect"] for r in rows} == {"chain", "upgrading"}
    assert {r["status"] for r in rows} <= {"verified", "unverified", "inferred"}


def test_api_compare_has_the_content_of_the_csv(client: AppClient, graph: Graph) -> None:
    sinos = "https://w3id.org/clustergraph/id/cluster/sinos-valley"
    frame = graph.compare([sinos])
    rows = list(csv.DictReader(io.StringIO(client.get(f"/compare.csv?cluster={sinos}").text)))
    assert frame.to_dict("records") == rows
    assert set(frame["aspect"]) >= {"country", "chain", "source"}


def test_api_evidence_counts_equal_the_sparql_count(graph: Graph) -> None:
    frame = graph.evidence("quasi-hierarchy-upgrading")
    weighed = frame[frame["bearing"].isin(["supports", "qualifies", "contradicts"])]
    counts = {(b, s): n for (b, s), n in weighed.groupby(["bearing", "status"]).size().items()}
    expected = {(b, s.lower()): n for (b, s), n in counted(graph, *(q for _, q in QUASI_COUNTS)).items()}
    assert counts == expected
    assert list(frame.columns[:4]) == ["bearing", "status", "claim", "source"]
