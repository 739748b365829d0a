"""The catalogue's answers on the curated graph, checked against facts of the project's domain notes (DOMAIN.md; nothing here reads that file).

Each expected value below is copied from DOMAIN.md (section named in the test), never from a query's
own output. The graph is built once from the repository's ontology/ and data/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.core.results import Solutions
from clustergraph.services.build import build
from clustergraph.services.queries import run_query

REPO = Path(__file__).parent.parent
ID = "https://w3id.org/clustergraph/id/"
CGS = "https://w3id.org/clustergraph/concept/"


@pytest.fixture(scope="module")
def graph() -> Iterator[EmbeddedStore]:
    with EmbeddedStore() as store:
        build(store, Settings(root=REPO))
        yield store


def rows(store: EmbeddedStore, name: str, **params: str) -> list[dict[str, str]]:
    """The query's rows as {variable: value} with unbound variables left out."""
    result = run_query(store, REPO / "queries", name, params)
    assert isinstance(result, Solutions)
    return [{v: t.value for v, t in zip(result.variables, row) if t is not None}  # type: ignore[attr-defined]
            for row in result.rows]


def test_sinos_chains_ranked_by_hierarchy_us_first(graph: EmbeddedStore) -> None:
    # §3.2 ch. 5: US chain "the most hierarchical", European "lower levels", Latin American and
    # domestic "the lowest levels" [S: Bazan & Navas-Alemán 2003 EADI paper].
    found = {(r["chain"], r["hierarchyRank"], r["status"], r["source"])
             for r in rows(graph, "governance_by_cluster", cluster="cluster:sinos-valley") if "hierarchyRank" in r}
    source, verified = ID + "publication/bazan-navas-aleman-2003", CGS + "Verified"
    assert {(c.rsplit("/", 1)[1], rank) for c, rank, _, _ in found} == {
        ("sinos-footwear-us", "1"), ("sinos-footwear-europe", "2"),
        ("sinos-footwear-latin-america", "3"), ("sinos-footwear-domestic", "3")}
    assert {(status, src) for _, _, status, src in found} == {(verified, source)}


def test_governance_types_read_into_rankings_are_unverified(graph: EmbeddedStore) -> None:
    # §3.2: governance labels in italics are interpretations [M]: the Sinos US chain as quasi-hierarchy.
    us = [r for r in rows(graph, "governance_by_cluster", cluster="cluster:sinos-valley")
          if r["chain"].endswith("/sinos-footwear-us") and r.get("governance") == CGS + "QuasiHierarchy"]
    assert us and {r["status"] for r in us} == {CGS + "Unverified"}


def test_central_hypothesis_evidence_names_both_claims_and_their_status(graph: EmbeddedStore) -> None:
    # §2.2.1 key proposition; §3.2: Sinos US chain process upgrading "most rapid", functional "less common";
    # ch. 6: Brenta's top-brand chain, functional downgrading [S], read as quasi-hierarchy [M].
    quasi = rows(graph, "upgrading_by_governance", governance="cgs:QuasiHierarchy")
    by_claim = {r["outcomeClaim"].rsplit("/", 1)[1]: r for r in quasi}
    assert {r["governance"] for r in quasi} == {CGS + "QuasiHierarchy"}
    process = next(r for r in quasi if r["upgradingType"] == CGS + "ProcessUpgrading"
                   and r["chain"].endswith("/sinos-footwear-us"))
    assert (process["intensity"], process["bearing"]) == ("most rapid", "supports")
    functional = next(r for r in quasi if r["upgradingType"] == CGS + "FunctionalUpgrading"
                      and r["chain"].endswith("/sinos-footwear-us"))
    assert (functional["intensity"], functional["bearing"]) == ("less common", "qualifies")
    brenta = [r for r in by_claim.values() if r["chain"].endswith("/brenta-top-brand")]
    assert [(r["outcome"], r["bearing"]) for r in brenta] == [(CGS + "Downgraded", "supports")]
    assert {r["governanceStatus"] for r in quasi} == {CGS + "Unverified"}
    assert {r["outcomeStatus"] for r in brenta} == {CGS + "Verified"}


def test_brenta_buyers_are_luxury_brand_owners_and_german_buying_groups(graph: EmbeddedStore) -> None:
    # §3.2 ch. 6: "top brand chain, dominated by the owners of global brands in the luxury market";
    # "high quality chain in which German buying groups aggregate many independent footwear stores".
    labels = {r["buyerLabel"] for r in rows(graph, "buyers_by_cluster", cluster="cluster:brenta")}
    assert any("German buying groups" in label for label in labels)
    assert any("luxury" in label for label in labels)


def test_buyers_of_every_case_with_named_buyers(graph: EmbeddedStore) -> None:
    # §2.6: buyer types observed in the book's cases, per case.
    clusters = {r["cluster"].rsplit("/", 1)[1] for r in rows(graph, "buyers_by_cluster")}
    assert {"sinos-valley", "brenta", "taiwan-pc", "brazilian-auto-components", "torreon"} <= clusters


def test_auto_components_standards_had_a_mixed_effect_per_quadros(graph: EmbeddedStore) -> None:
    # §2.7: QS certification; upgrading of quality processes but little in product development
    # [S: Quadros 2002, IDS WP 156 abstract].
    found = rows(graph, "standard_effects")
    auto = [r for r in found if r.get("cluster", "").endswith("/brazilian-auto-components")]
    assert auto and {r["effect"] for r in auto} == {CGS + "MixedEffect"}
    assert ID + "publication/quadros-2002" in {r["source"] for r in auto}


def test_sialkot_standards_and_collective_failure_cite_nadvi_1999(graph: EmbeddedStore) -> None:
    # §2.7 and §2.4: quality assurance standards; "significant areas of collective failure" [S: Nadvi 1999].
    standards = rows(graph, "standards_by_cluster", cluster="cluster:sialkot-surgical-instruments")
    assert ID + "publication/nadvi-1999" in {r["source"] for r in standards}
    assert "quality" in {r.get("domainLabel") for r in standards}
    policy = [r for r in rows(graph, "policy_outcomes") if r["claimKind"] == "collective failure"]
    assert [(r["cluster"], r["source"]) for r in policy] == [
        (ID + "cluster/sialkot-surgical-instruments", ID + "publication/nadvi-1999")]


def test_messner_wrote_working_paper_173_in_2002(graph: EmbeddedStore) -> None:
    # §4.1: Dirk Messner, IDS Working Paper 173, dated 2002.
    found = rows(graph, "publications_by_author", author="person:dirk-messner")
    wp = [r for r in found if r.get("seriesNumber") == "173"]
    assert len(wp) == 1 and wp[0]["year"] == "2002" and wp[0]["role"] == "author"
    assert "World Economic Triangle" in wp[0]["title"]


def test_humphrey_and_schmitz_2002_lists_humphrey_first(graph: EmbeddedStore) -> None:
    # §4.2: Humphrey, J. & Schmitz, H. (2002) Regional Studies 36(9).
    found = rows(graph, "publications_by_author", author="person:hubert-schmitz")
    article = next(r for r in found if r["publication"] == ID + "publication/humphrey-schmitz-2002")
    assert article["authors"] == "1. John Humphrey; 2. Hubert Schmitz"


def test_schmitz_edited_the_2004_book(graph: EmbeddedStore) -> None:
    # §1.2: Schmitz, H. (ed.) (2004), editor Hubert Schmitz.
    found = rows(graph, "publications_by_author", author="person:hubert-schmitz")
    assert {(r["publication"], r["role"]) for r in found} >= {(ID + "publication/schmitz-2004-book", "editor")}


def test_publications_of_2004_include_the_book(graph: EmbeddedStore) -> None:
    # §1.2: Local Enterprises in the Global Economy: Issues of Governance and Upgrading (2004).
    found = rows(graph, "publications_in_period", **{"from": "2004", "to": "2004"})
    assert {r["year"] for r in found} == {"2004"}
    assert "Local Enterprises in the Global Economy: Issues of Governance and Upgrading" in {r["title"] for r in found}


def test_publications_about_sinos_include_schmitz_1999(graph: EmbeddedStore) -> None:
    # §3.2 ch. 5 background: Schmitz (1999) "Global competition and local cooperation: ... Sinos Valley".
    titles = {r["title"] for r in rows(graph, "publications_about_cluster", cluster="cluster:sinos-valley")}
    assert "Global competition and local cooperation: success and failure in the Sinos Valley, Brazil" in titles


def test_project_period_and_funder(graph: EmbeddedStore) -> None:
    # §1.1: 4 January 1999 - 31 July 2002; funder Volkswagen Foundation; co-ordinator Hubert Schmitz.
    found = rows(graph, "project_outputs")
    facts = {(r["relation"], r.get("valueLabel", r["value"])) for r in found}
    assert {("starts", "1999-01-04"), ("ends", "2002-07-31"), ("funder", "Volkswagen Foundation"),
            ("co-ordinator", "Hubert Schmitz")} <= facts
    outputs = {r["value"] for r in found if r["relation"] == "output"}
    assert ID + "publication/messner-2002" in outputs


def test_typology_mapping_follows_domain_2_2_3(graph: EmbeddedStore) -> None:
    # §2.2.3: market exactMatch market; network narrowMatch modular and relational;
    # quasi-hierarchy closeMatch captive; hierarchy exactMatch hierarchy.
    skos = "http://www.w3.org/2004/02/skos/core#"
    found = {(r["hs"].rsplit("/", 1)[1], r["relation"].removeprefix(skos), r["ghs"].rsplit("/", 1)[1])
             for r in rows(graph, "governance_typology_mapping")}
    assert found == {("ArmsLengthMarket", "exactMatch", "GhsMarket"), ("Network", "narrowMatch", "GhsModular"),
                     ("Network", "narrowMatch", "GhsRelational"), ("QuasiHierarchy", "closeMatch", "GhsCaptive"),
                     ("Hierarchy", "exactMatch", "GhsHierarchy")}


def test_ghs_types_ordered_from_low_to_high_coordination(graph: EmbeddedStore) -> None:
    # §2.2.2 abstract: "hierarchy, captive, relational, modular, and market - which range from high to low".
    ranks = {r["ghsLabel"]: int(r["coordinationRank"]) for r in rows(graph, "governance_typology_mapping")}
    assert sorted(ranks, key=ranks.__getitem__) == ["market (GHS)", "modular", "relational", "captive",
                                                    "hierarchy (GHS)"]


def test_unverified_list_holds_interpretations_not_verified_findings(graph: EmbeddedStore) -> None:
    claims = {r["claim"] for r in rows(graph, "unverified_claims")}
    assert ID + "claim/sinos-us-governance" in claims          # italics interpretation, §3.2
    assert ID + "claim/sinos-us-insertion" not in claims       # "the most hierarchical" [S]
    inferred = {r["claim"] for r in rows(graph, "unverified_claims", status="cgs:Inferred")}
    assert inferred and not inferred & claims


def test_as_of_year_keeps_only_claims_whose_period_includes_it(graph: EmbeddedStore) -> None:
    # §3.2 ch. 5: Sinos fieldwork about 2000-2001.
    in_2000 = {r["claim"] for r in rows(graph, "as_of", year="2000")}
    in_1995 = {r["claim"] for r in rows(graph, "as_of", year="1995")}
    assert ID + "claim/sinos-us-insertion" in in_2000
    assert ID + "claim/sinos-us-insertion" not in in_1995
    assert all(int(r["startYear"]) <= 2000 for r in rows(graph, "as_of", year="2000"))


def test_claims_about_sialkot_name_sources_and_statuses(graph: EmbeddedStore) -> None:
    found = rows(graph, "claims_about", resource="cluster:sialkot-surgical-instruments")
    assert ("collective failure", ID + "publication/nadvi-1999") in {(r["kind"], r["source"]) for r in found}
    assert {r["status"] for r in found} <= {"verified", "unverified", "inferred"}


def test_coverage_shows_sinos_complete_and_agra_without_chain(graph: EmbeddedStore) -> None:
    # §3.2 related cases: Agra footwear, "unknown details"; Sinos Valley has every aspect in §3.2 ch. 5.
    found = {r["cluster"].rsplit("/", 1)[1]: r for r in rows(graph, "coverage_gaps")}
    assert found["sinos-valley"]["missing"] == ""
    assert "governance" in found["agra"]["missing"].split()


def test_clusters_sharing_the_us_market_include_sinos_and_torreon(graph: EmbeddedStore) -> None:
    # §3.2: Sinos Valley's US chain; Torreón's US buyers (Bair & Gereffi 2001).
    pairs = {(r["clusterA"].rsplit("/", 1)[1], r["clusterB"].rsplit("/", 1)[1])
             for r in rows(graph, "clusters_sharing_market") if r.get("sharedLabel") == "United States"}
    assert ("sinos-valley", "torreon") in pairs


def test_functional_upgrading_lists_brenta_downgrading(graph: EmbeddedStore) -> None:
    # §2.3: Brenta shoemakers "accept a functional downgrading" [S: Rabellotti 2001 abstract].
    found = rows(graph, "upgrading_by_cluster", type="cgs:FunctionalUpgrading")
    assert {r["typeLabel"] for r in found} == {"functional upgrading"}
    assert ("Riviera del Brenta footwear district", "downgraded") in {(r.get("clusterLabel"), r["outcomeLabel"])
                                                                      for r in found}
