"""The curated graph (data/): facts copied from DOMAIN.md, asked by SPARQL over the built graph,
and the rules every fact follows: a source and one evidence status, recalled facts unverified,
unknowns absent, identifiers only as DOMAIN.md gives them.

Every expected value below is written from DOMAIN.md, not from the data files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib.term import Identifier, URIRef

from clustergraph.base.terms import PREFIXES
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.core.results import Solutions
from clustergraph.services.build import BuildReport, build

REPO = Path(__file__).parent.parent
SPARQL_PREFIXES = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())

#: DOMAIN.md §5.1, the Wikidata entities seen in a source; no other QID may appear.
DOMAIN_QIDS = {"Q155", "Q174", "Q175", "Q843", "Q4478", "Q38", "Q183", "Q29", "Q96", "Q668", "Q865", "Q148",
               "Q145", "Q30", "Q17", "Q142"}

#: The sources the ontology's annotations cite, which data/ must describe.
ONTOLOGY_SOURCES = [
    "pub:humphrey-schmitz-2002", "pub:gereffi-humphrey-sturgeon-2005", "pub:nadvi-waltring-2002",
    "src:ids-project-page", "pub:schmitz-2004-book", "pub:gereffi-1994", "pub:nadvi-waltring-2004-ch3",
    "pub:bazan-navas-aleman-2003", "pub:schmitz-knorringa-2000", "pub:schmitz-2004-ch1", "pub:schmitz-1997",
    "pub:schmitz-1995", "pub:nadvi-halder-2005", "pub:nadvi-1999", "pub:meyer-stamer-2004-ch12",
    "pub:humphrey-schmitz-2004-ch4", "src:dgabc-2020", "pub:schmitz-nadvi-1999", "pub:rabellotti-2004-ch6",
    "pub:rabellotti-2001", "pub:quadros-2002", "pub:messner-2002", "pub:kaplinsky-morris-2001",
    "pub:humphrey-schmitz-2002-inef-61", "pub:humphrey-schmitz-2001", "pub:bazan-navas-aleman-2001",
]

#: Kinds of described entity: each must name a source and have exactly one evidence status.
DESCRIBED = ["cg:ResearchProject", "cg:Workshop", "cg:Person", "cg:Organisation", "cg:ActorGroup", "cg:Source",
             "cg:Place", "cg:Cluster", "cg:ValueChain", "cg:EndMarket", "cg:Standard", "cg:PublicationSeries",
             "cg:Journal", "cg:UpgradingStrategy"]


@pytest.fixture(scope="module")
def built() -> Iterator[tuple[EmbeddedStore, BuildReport]]:
    """The real ontology/ and data/, built once into an in-memory store as `clustergraph build` does."""
    with EmbeddedStore() as store:
        report = build(store, Settings(root=REPO))
        yield store, report


@pytest.fixture(scope="module")
def graph(built: tuple[EmbeddedStore, BuildReport]) -> EmbeddedStore:
    return built[0]


def rows(store: EmbeddedStore, sparql: str) -> list[dict[str, Identifier | None]]:
    result = store.query(SPARQL_PREFIXES + sparql)
    assert isinstance(result, Solutions)
    return list(result.dicts())


def values(store: EmbeddedStore, sparql: str) -> list[str]:
    """The sorted, distinct string values of ?v."""
    return sorted({short(row["v"]) for row in rows(store, sparql) if row["v"] is not None})


def short(term: Identifier | None) -> str:
    text = str(term)
    if isinstance(term, URIRef):
        for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if text.startswith(iri):
                return f"{prefix}:{text[len(iri):]}"
    return text


# -- facts from DOMAIN.md ------------------------------------------------------------------------------

PROJECT = "project:clusters-in-the-global-economy"
BOOK = "pub:schmitz-2004-book"
EN = 'FILTER(LANG(?v) = "en")'

FACTS: list[tuple[str, str, list[str]]] = [
    # §1.1 the project
    ("project start", f"SELECT ?v {{ {PROJECT} cg:period/cg:startDate ?v }}", ["1999-01-04"]),
    ("project end", f"SELECT ?v {{ {PROJECT} cg:period/cg:endDate ?v }}", ["2002-07-31"]),
    ("project years", f"SELECT (CONCAT(STR(?s), '-', STR(?e)) AS ?v) {{ {PROJECT} cg:period [ cg:startYear ?s ; cg:endYear ?e ] }}",
     ["1999-2002"]),
    ("project name", f"SELECT ?v {{ {PROJECT} rdfs:label ?v }}", ["Clusters in the Global Economy"]),
    ("project funders", f"SELECT ?v {{ {PROJECT} cg:funder/rdfs:label ?v {EN} }}",
     ["Department for International Development", "Volkswagen Foundation"]),
    ("VolkswagenStiftung", 'SELECT ?v { organisation:volkswagen-foundation rdfs:label ?v FILTER(LANG(?v) = "de") }',
     ["VolkswagenStiftung"]),
    ("VW funding seen on the IDS page and in INEF Report 58/2002",
     f"SELECT ?v {{ ?c cg:claimSubject {PROJECT} ; cg:claimProperty cg:funder ; "
     "cg:claimValue organisation:volkswagen-foundation ; prov:wasDerivedFrom ?v }",
     ["pub:nadvi-waltring-2002", "src:ids-project-page"]),
    ("DFID acknowledged in INEF Report 54/2001",
     f"SELECT ?v {{ ?c cg:claimSubject {PROJECT} ; cg:claimProperty cg:funder ; cg:claimValue organisation:dfid ; "
     "prov:wasDerivedFrom/cg:seriesNumber ?v }", ["54/2001"]),
    ("research theme", f"SELECT ?v {{ {PROJECT} cg:researchTheme ?v }}", ["Inclusive Economies"]),
    ("original title", f"SELECT ?v {{ {PROJECT} cg:originalTitle ?v }}",
     ["The Interaction of Global and Local Governance: Implications for Industrial Upgrading"]),
    ("original title from INEF Reports 54, 58, 61",
     f"SELECT ?v {{ ?c cg:claimSubject {PROJECT} ; cg:claimProperty cg:originalTitle ; "
     "prov:wasDerivedFrom/cg:seriesNumber ?v }", ["54/2001", "58/2002", "61/2002"]),
    ("key contacts", f"SELECT ?v {{ {PROJECT} cg:contact/rdfs:label ?v }}",
     ["Hubert Schmitz", "John Humphrey", "Lizbeth Navas-Alemán"]),
    ("co-ordinator", f"SELECT ?v {{ {PROJECT} cg:coordinator/rdfs:label ?v }}", ["Hubert Schmitz"]),
    ("co-ordinator named in INEF Report 61/2002",
     f"SELECT ?v {{ ?c cg:claimSubject {PROJECT} ; cg:claimProperty cg:coordinator ; "
     "prov:wasDerivedFrom/cg:seriesNumber ?v }", ["61/2002"]),
    ("partners", f"SELECT ?v {{ {PROJECT} cg:partner/rdfs:label ?v {EN} }}",
     ["Institute for Development and Peace", "Institute of Development Studies"]),
    ("INEF's German name", 'SELECT ?v { organisation:inef rdfs:label ?v FILTER(LANG(?v) = "de") }',
     ["Institut für Entwicklung und Frieden"]),
    ("roles at IDS", "SELECT (CONCAT(?name, ': ', STR(?role)) AS ?v) { ?m a cg:Membership ; org:member/rdfs:label ?name ; "
     "org:organization organisation:ids ; org:role/skos:prefLabel ?role }",
     ["Hubert Schmitz: emeritus fellow", "John Humphrey: professorial fellow",
      "Lizbeth Navas-Alemán: honorary associate"]),
    ("workshop dates", "SELECT (CONCAT(STR(?s), '/', STR(?e)) AS ?v) { ?w a cg:Workshop ; "
     "rdfs:label 'Local Upgrading in Global Chains'@en ; cg:period [ cg:startDate ?s ; cg:endDate ?e ] }",
     ["2001-02-14/2001-02-17"]),
    ("workshop at IDS, University of Sussex", "SELECT ?v { ?w rdfs:label 'Local Upgrading in Global Chains'@en ; "
     f"cg:venue/rdfs:label ?v {EN} }}", ["Institute of Development Studies", "University of Sussex"]),
    ("predecessor research", f"SELECT ?v {{ {PROJECT} cg:predecessor/rdfs:label ?v }}",
     ["Clusters and Industrial Development"]),
    ("predecessor funded by ODA", f"SELECT ?v {{ {PROJECT} cg:predecessor/cg:funder/rdfs:label ?v }}",
     ["Overseas Development Administration"]),
    ("the two working papers of the project page",
     f"SELECT ?v {{ ?p cg:partOfProject {PROJECT} ; a cg:WorkingPaper ; dcterms:issued ?v }}", ["2002-01-01"]),
    # §1.2 the book
    ("book title", f"SELECT ?v {{ {BOOK} dcterms:title ?v }}",
     ["Local Enterprises in the Global Economy: Issues of Governance and Upgrading"]),
    ("book editor", f"SELECT ?v {{ {BOOK} bibo:editor/rdfs:label ?v }}", ["Hubert Schmitz"]),
    ("book publisher", f"SELECT ?v {{ {BOOK} dcterms:publisher/rdfs:label ?v }}", ["Edward Elgar"]),
    ("book place and year", f"SELECT (CONCAT(?p, ' ', STR(?y)) AS ?v) {{ {BOOK} cg:placeOfPublication ?p ; "
     "cg:publicationYear ?y }", ["Cheltenham 2004"]),
    ("book ISBNs", f"SELECT ?v {{ {BOOK} bibo:isbn10 ?v }}", ["1843760991", "1845421922"]),
    ("hardback ISBN is inferred", f"SELECT ?v {{ ?c cg:claimSubject {BOOK} ; cg:claimProperty bibo:isbn10 ; "
     "cg:claimValue '1843760991' ; cg:evidenceStatus/skos:prefLabel ?v }", ["inferred"]),
    # §3.1 the chapters whose titles and authors are known
    ("chapters", f"SELECT (CONCAT(STR(?n), ' ', ?t) AS ?v) {{ ?c cg:inBook {BOOK} ; cg:chapterNumber ?n ; "
     "dcterms:title ?t }",
     sorted(["1 Globalized localities: introduction", "3 Making sense of global standards",
             "4 Governance in global value chains",
             "6 How globalization affects Italian industrial districts: the case of Brenta",
             "7 Upgrading in the tile industry of Italy, Spain and Brazil: insights from cluster and value chain analysis",
             "8 Local upgrading strategies in response to global challenges: the surgical instrument cluster of "
             "Tuttlingen, Germany",
             "9 Clustering and upgrading in global value chains: the Taiwanese personal computer industry",
             "12 Paradoxes and ironies of locational policy in the new global economy"])),
    ("chapter authors in order", f"SELECT (CONCAT(STR(?n), '.', STR(?pos), ' ', ?name) AS ?v) {{ "
     f"?c cg:inBook {BOOK} ; cg:chapterNumber ?n ; cg:authorship [ cg:position ?pos ; cg:author/rdfs:label ?name ] }}",
     sorted(["1.1 Hubert Schmitz", "3.1 Khalid Nadvi", "3.2 Frank Wältring", "4.1 John Humphrey",
             "4.2 Hubert Schmitz", "6.1 Roberta Rabellotti", "7.1 Jörg Meyer-Stamer", "7.2 Claudio Maggi",
             "7.3 Silene Seibel", "8.1 Gerhard Halder", "9.1 Chikashi Kishimoto", "12.1 Jörg Meyer-Stamer"])),
    ("chapter 9 pages", "SELECT (CONCAT(?s, '-', ?e) AS ?v) { pub:kishimoto-2004-ch9 bibo:pageStart ?s ; "
     "bibo:pageEnd ?e }", ["233-264"]),
    ("chapter 9 pages verified in a CNKI reference list", "SELECT (CONCAT(STR(?s), ' ', STR(?st)) AS ?v) { "
     "?c cg:claimSubject pub:kishimoto-2004-ch9 ; prov:wasDerivedFrom ?s ; cg:evidenceStatus/skos:prefLabel ?st }",
     ["https://w3id.org/clustergraph/id/source/cnki-reference-lists verified"]),
    ("chapter 1 pages recalled", "SELECT ?v { ?c cg:claimSubject pub:schmitz-2004-ch1 ; cg:claimProperty ?p ; "
     "cg:evidenceStatus/skos:prefLabel ?v FILTER(?p IN (bibo:pageStart, bibo:pageEnd)) }", ["unverified"]),
    ("chapter 3 is INEF Report 58/2002", "SELECT ?v { pub:nadvi-waltring-2004-ch3 cg:versionOf/cg:seriesNumber ?v }",
     ["58/2002"]),
    # §4 publications
    ("world economic triangle: author", "SELECT ?v { ?p dcterms:title ?t ; dcterms:creator/rdfs:label ?v "
     "FILTER(CONTAINS(?t, \"'World Economic Triangle'\")) }", ["Dirk Messner"]),
    ("world economic triangle: number, series, ISBN, date", "SELECT (CONCAT(?s, ' ', ?n, ' ', ?i, ' ', STR(?d)) AS ?v) { "
     "?p dcterms:title ?t ; cg:seriesNumber ?n ; cg:series/rdfs:label ?s ; bibo:isbn10 ?i ; dcterms:issued ?d "
     "FILTER(CONTAINS(?t, \"'World Economic Triangle'\")) }", ["IDS Working Papers 173 1858644755 2002-01-01"]),
    ("ABC working paper: no authors, no number", "SELECT (CONCAT(STR(BOUND(?a)), ' ', STR(BOUND(?n))) AS ?v) { "
     "?p dcterms:title ?t FILTER(STRSTARTS(?t, 'The Struggle to Develop Regional Industry Policy')) "
     "OPTIONAL { ?p dcterms:creator ?a } OPTIONAL { ?p cg:seriesNumber ?n } }", ["false false"]),
    ("IDS working papers with ISBN", "SELECT (CONCAT(?n, '=', ?i) AS ?v) { ?p cg:series series:ids-working-papers ; "
     "cg:seriesNumber ?n ; bibo:isbn10 ?i }",
     ["120=1858643341", "144=1858643953", "152=1858644208", "156=1858644216", "173=1858644755", "186=1858644917"]),
    ("IDS WP 120 author order", "SELECT (CONCAT(STR(?pos), ' ', ?name) AS ?v) { ?p cg:seriesNumber '120' ; "
     "cg:authorship [ cg:position ?pos ; cg:author/rdfs:label ?name ] }", ["1 John Humphrey", "2 Hubert Schmitz"]),
    ("IDS WP 156 author and affiliation", "SELECT (CONCAT(?name, ', ', ?org) AS ?v) { ?p cg:seriesNumber '156' ; "
     "dcterms:creator ?a . ?a rdfs:label ?name ; cg:affiliation/rdfs:label ?org FILTER(LANG(?org) = 'en') }",
     ["Ruy Quadros, University of Campinas"]),
    ("ILO SEED working papers", "SELECT (CONCAT(?n, ' ', ?t) AS ?v) { ?p cg:series series:ilo-seed-working-papers ; "
     "cg:seriesNumber ?n ; dcterms:title ?t }",
     ["43 Opportunities for SMEs in Developing Countries to Upgrade in a Global Economy",
      "45 Local Implementation of Quality, Labour and Environmental Standards: Opportunities for Upgrading in the "
      "Footwear Industry"]),
    ("ILO SEED WP 43 ISBN", "SELECT ?v { ?p cg:series series:ilo-seed-working-papers ; cg:seriesNumber '43' ; "
     "bibo:isbn10 ?v }", ["9221136884"]),
    ("INEF Reports", "SELECT ?v { ?p cg:series series:inef-reports ; cg:seriesNumber ?v }",
     ["54/2001", "57/2002", "58/2002", "61/2002"]),
    ("GHS 2005 DOI", "SELECT ?v { pub:gereffi-humphrey-sturgeon-2005 bibo:doi ?v }", ["10.1080/09692290500049805"]),
    ("GHS 2005 citation", "SELECT (CONCAT(?j, ' ', STR(?vol), '(', STR(?i), '): ', ?s, '-', ?e) AS ?v) { "
     "pub:gereffi-humphrey-sturgeon-2005 cg:publishedIn/rdfs:label ?j ; bibo:volume ?vol ; bibo:issue ?i ; "
     "bibo:pageStart ?s ; bibo:pageEnd ?e }", ["Review of International Political Economy 12(1): 78-104"]),
    ("Humphrey and Schmitz 2002", "SELECT (CONCAT(?j, ' ', STR(?vol), '(', STR(?i), ')') AS ?v) { "
     "pub:humphrey-schmitz-2002 cg:publishedIn/rdfs:label ?j ; bibo:volume ?vol ; bibo:issue ?i }",
     ["Regional Studies 36(9)"]),
    ("Humphrey and Schmitz 2002 pages recalled", "SELECT ?v { ?c cg:claimSubject pub:humphrey-schmitz-2002 ; "
     "cg:claimValue ?page ; cg:evidenceStatus/skos:prefLabel ?st BIND(CONCAT(?page, ' ', ?st) AS ?v) }",
     ["1017 unverified", "1027 unverified"]),
    ("World Development articles", "SELECT (CONCAT(?t, ' ', STR(?vol), '(', STR(?i), '): ', ?s, '-', ?e) AS ?v) { "
     "?p cg:publishedIn journal:world-development ; dcterms:title ?full ; bibo:volume ?vol ; bibo:issue ?i ; "
     "bibo:pageStart ?s ; bibo:pageEnd ?e BIND(SUBSTR(?full, 1, 20) AS ?t) }",
     sorted(["Clustering and indus 27(9): 1503-1514", "Collective efficienc 27(9): 1605-1626",
             "Global competition a 27(9): 1627-1650", "Local clusters in gl 29(11): 1885-1903",
             "Path dependence in r 26(8): 1495-1511"])),
    ("workshop paper presented at the project workshop", "SELECT ?v { pub:bazan-navas-aleman-2001 "
     "cg:presentedAt/rdfs:label ?v }", ["Local Upgrading in Global Chains"]),
    ("EADI paper updates the 2001 paper", "SELECT ?v { pub:bazan-navas-aleman-2003 cg:versionOf ?v }",
     ["pub:bazan-navas-aleman-2001"]),
    ("EADI workshop in Novara", "SELECT (CONCAT(?w, ', ', ?place, ', ', STR(?s)) AS ?v) { "
     "pub:bazan-navas-aleman-2003 cg:presentedAt ?e . ?e rdfs:label ?w ; cg:venue/rdfs:label ?place ; "
     "cg:period/cg:startDate ?s }", ["Clusters and Global Value Chains in the North and the Third World, Novara, 2003-10-30"]),
    # §3.2 the cases: chains, buyers, governance, upgrading
    ("Sinos Valley chains by level of hierarchy", "SELECT (CONCAT(?m, ' ', STR(?r)) AS ?v) { "
     "?c a cg:ChainInsertion ; cg:cluster cluster:sinos-valley ; cg:hierarchyRank ?r ; "
     "cg:chain/cg:endMarket/cg:marketPlace/rdfs:label ?m FILTER(LANG(?m) = 'en') }",
     ["Brazil 3", "Europe 2", "Latin America 3", "United States 1"]),
    ("Sinos US chain rank: source and status", "SELECT (CONCAT(STR(?s), ' ', ?st) AS ?v) { ?c cg:hierarchyRank 1 ; "
     "cg:cluster cluster:sinos-valley ; prov:wasDerivedFrom ?s ; cg:evidenceStatus/skos:prefLabel ?st }",
     [f"{PREFIXES['pub']}bazan-navas-aleman-2003 verified"]),
    ("Sinos US buyers", "SELECT ?v { ?c cg:cluster cluster:sinos-valley ; cg:hierarchyRank 1 ; cg:buyer/rdfs:label ?v }",
     ["US retailers and importers", "buying agents"]),
    ("Sinos US chain read as quasi-hierarchy, unverified", "SELECT (CONCAT(?g, ' ', ?st) AS ?v) { "
     "?c cg:cluster cluster:sinos-valley ; cg:chain chain:sinos-footwear-us ; cg:governanceType/skos:prefLabel ?g ; "
     "cg:evidenceStatus/skos:prefLabel ?st }", ["quasi-hierarchy unverified"]),
    ("Sinos US upgrading", "SELECT (CONCAT(?t, ', ', ?i, ', ', ?o) AS ?v) { ?u a cg:UpgradingOutcome ; "
     "cg:chain chain:sinos-footwear-us ; cg:upgradingType/skos:prefLabel ?t ; cg:intensity ?i ; "
     "cg:outcome/skos:prefLabel ?o }",
     ["functional upgrading, less common, achieved", "process upgrading, most rapid, achieved"]),
    ("Sinos national market enables functional upgrading", "SELECT ?v { ?u cg:cluster cluster:sinos-valley ; "
     "cg:upgradingType cgs:FunctionalUpgrading ; cg:enabledBy/rdfs:label ?v }", ["learning in the national market"]),
    ("Brenta buyers by chain", "SELECT (CONCAT(?ch, ': ', ?b) AS ?v) { ?c a cg:ChainInsertion ; cg:cluster cluster:brenta ; "
     "cg:chain/rdfs:label ?ch ; cg:buyer/rdfs:label ?b }",
     ["high quality chain of Brenta footwear: German buying groups",
      "top brand chain of Brenta footwear: owners of global luxury brands"]),
    ("Brenta functional downgrading (IDS WP 144)", "SELECT (CONCAT(?o, ' ', ?n) AS ?v) { ?u cg:cluster cluster:brenta ; "
     "cg:upgradingType cgs:FunctionalUpgrading ; cg:outcome/skos:prefLabel ?o ; prov:wasDerivedFrom/cg:seriesNumber ?n }",
     ["downgraded 144"]),
    ("Tuttlingen's links and their governance", "SELECT (CONCAT(?s, ': ', ?g, ', ', ?st) AS ?v) { ?l a cg:ChainLink ; "
     "cg:cluster cluster:tuttlingen ; cg:supplier/rdfs:label ?s ; cg:governanceType/skos:prefLabel ?g ; "
     "cg:evidenceStatus/skos:prefLabel ?st }",
     ["Sialkot surgical instrument cluster: quasi-hierarchy, unverified", "suppliers in Malaysia: hierarchy, unverified"]),
    ("Tuttlingen in Baden-Württemberg is recalled", "SELECT ?v { ?c cg:claimSubject place:tuttlingen ; "
     "cg:claimValue place:baden-wurttemberg ; cg:evidenceStatus/skos:prefLabel ?v }", ["unverified"]),
    ("Sialkot collective failure (Nadvi 1999, verified)", "SELECT (CONCAT(STR(?s), ' ', ?st) AS ?v) { "
     "?c a cg:CollectiveFailure ; cg:cluster cluster:sialkot-surgical-instruments ; prov:wasDerivedFrom ?s ; "
     "cg:evidenceStatus/skos:prefLabel ?st }", [f"{PREFIXES['pub']}nadvi-1999 verified"]),
    ("Sialkot main markets", "SELECT ?v { ?c cg:cluster cluster:sialkot-surgical-instruments ; a cg:ChainInsertion ; "
     "cg:chain/cg:endMarket/cg:marketPlace/rdfs:label ?v }", ["United States", "Western Europe"]),
    ("quality certification: mixed effect (Quadros, IDS WP 156)", "SELECT (CONCAT(?e, ' ', ?st, ' ', ?n) AS ?v) { "
     "?c a cg:StandardEffect ; cg:cluster cluster:brazilian-auto-components ; cg:effect/skos:prefLabel ?e ; "
     "cg:evidenceStatus/skos:prefLabel ?st ; prov:wasDerivedFrom/cg:seriesNumber ?n }", ["mixed verified 156"]),
    ("auto components sold to transnational assemblers", "SELECT ?v { ?c cg:cluster cluster:brazilian-auto-components ; "
     "cg:buyer/rdfs:label ?v }", ["transnational auto assemblers"]),
    ("Taiwan's PC cluster buyers", "SELECT ?v { ?c cg:cluster cluster:taiwan-pc ; cg:buyer/rdfs:label ?v }",
     ["foreign computer brand companies"]),
    ("Taiwan's PC cluster location", "SELECT ?v { cluster:taiwan-pc cg:location/rdfs:label ?v }",
     ["the area between Taipei and Hsinchu"]),
    ("Torreón boom after NAFTA", "SELECT (CONCAT(STR(?s), '-', STR(?e)) AS ?v) { ?c cg:cluster cluster:torreon ; "
     "cg:period [ cg:startYear ?s ; cg:endYear ?e ] }", ["1993-2000"]),
    ("Torreón buyers", "SELECT ?v { ?c cg:cluster cluster:torreon ; cg:buyer/rdfs:label ?v }",
     ["US jeans brands and retailers"]),
    ("Tuttlingen's public-private initiatives (INEF Report 57/2002)", "SELECT ?v { ?c a cg:PolicyOutcome ; "
     "cg:cluster cluster:tuttlingen ; prov:wasDerivedFrom/cg:seriesNumber ?v }", ["57/2002"]),
    ("Regional Chamber of Greater ABC", "SELECT ?v { ?n a cg:PolicyNetwork ; cg:operatesIn place:greater-abc ; "
     "rdfs:label ?v }", ["Câmara Regional do Grande ABC", "Regional Chamber of Greater ABC"]),
    # §2.7 standards
    ("standard issuers", "SELECT (CONCAT(?s, ': ', ?i) AS ?v) { ?x a cg:Standard ; rdfs:label ?s ; "
     "cg:issuedBy/rdfs:label ?i FILTER(?x IN (standard:sa8000, standard:eti-base-code, standard:iso-9000, "
     "standard:eurepgap, standard:haccp)) }",
     ["ETI Base Code: Ethical Trading Initiative", "EurepGAP: Euro-Retailer Produce Working Group",
      "HACCP: Codex Alimentarius Commission", "ISO 9000 series: ISO", "SA8000: Social Accountability International"]),
    ("standards' years are recalled", "SELECT (CONCAT(STR(?y), ' ', ?st) AS ?v) { ?c cg:claimSubject standard:iso-9000 ; "
     "cg:claimProperty cg:firstIssued ; cg:claimValue ?y ; cg:evidenceStatus/skos:prefLabel ?st }", ["1987 unverified"]),
    # §5 identifiers
    ("country QIDs", "SELECT (CONCAT(?c, ' ', STRAFTER(STR(?q), 'entity/')) AS ?v) { ?p a cg:Country ; "
     "rdfs:label ?c ; cg:wikidata ?q }",
     sorted(["Brazil Q155", "Pakistan Q843", "Italy Q38", "Germany Q183", "Spain Q29", "Mexico Q96", "India Q668",
             "Taiwan Q865", "People's Republic of China Q148", "United Kingdom Q145", "United States Q30"])),
    ("region and city QIDs", "SELECT (CONCAT(?code, ' ', STRAFTER(STR(?q), 'entity/')) AS ?v) { ?p cg:wikidata ?q ; "
     "cg:iso3166Subdivision ?code }", ["BR-SP Q175", "PK-PB Q4478"]),
    ("São Paulo city", "SELECT ?v { ?p a cg:Locality ; cg:wikidata ?q ; rdfs:label ?v "
     "FILTER(?q = <http://www.wikidata.org/entity/Q174> && LANG(?v) = 'en') }", ["São Paulo (city)"]),
    ("BR-SP and PK-PB verified", "SELECT (CONCAT(?code, ' ', ?st) AS ?v) { ?p cg:iso3166Subdivision ?code ; "
     "cg:evidenceStatus/skos:prefLabel ?st FILTER(?code IN ('BR-SP', 'PK-PB')) "
     "FILTER NOT EXISTS { ?c cg:claimSubject ?p ; cg:claimProperty cg:iso3166Subdivision } }",
     ["BR-SP verified", "PK-PB verified"]),
    ("BR-RS recalled", "SELECT ?v { ?c cg:claimProperty cg:iso3166Subdivision ; cg:claimValue 'BR-RS' ; "
     "cg:evidenceStatus/skos:prefLabel ?v }", ["unverified"]),
    ("Brazil's ISO 3166-1 codes recalled", "SELECT (CONCAT(?code, ' ', ?st) AS ?v) { ?c cg:claimSubject place:brazil ; "
     "cg:claimValue ?code ; cg:evidenceStatus/skos:prefLabel ?st }",
     ["076 unverified", "BR unverified", "BRA unverified"]),
    ("alpha-3 ITA and ESP seen", "SELECT (CONCAT(?code, ' ', ?st) AS ?v) { ?c cg:claimProperty cg:iso3166Alpha3 ; "
     "cg:claimValue ?code ; cg:evidenceStatus/skos:prefLabel ?st FILTER(?code IN ('ITA', 'ESP')) }",
     ["ESP verified", "ITA verified"]),
]


@pytest.mark.parametrize(("sparql", "expected"), [(s, e) for _, s, e in FACTS], ids=[name for name, _, _ in FACTS])
def test_fact_from_domain(graph: EmbeddedStore, sparql: str, expected: list[str]) -> None:
    assert values(graph, sparql) == sorted(expected)


#: DOMAIN.md §3.2 and §5.3: each case's country and ISIC Rev.4 classes.
CASES = [
    ("sinos-valley", "Brazil", ["1511", "1520", "2826"]),
    ("brenta", "Italy", ["1520"]),
    ("sassuolo", "Italy", ["2392", "2829"]),
    ("castellon", "Spain", ["2029", "2392"]),
    ("criciuma", "Brazil", ["2392"]),
    ("tuttlingen", "Germany", ["3250"]),
    ("taiwan-pc", "Taiwan", ["2610", "2620"]),
    ("brazilian-auto-components", "Brazil", ["2930"]),
    ("sialkot-surgical-instruments", "Pakistan", ["3250"]),
    ("sialkot-soccer-balls", "Pakistan", ["3230"]),
    ("torreon", "Mexico", ["1312", "1410"]),
    ("agra", "India", ["1520"]),
    ("ludhiana", "India", ["1430"]),
    ("tiruppur", "India", ["1430"]),
    ("greater-abc", "Brazil", ["2013", "2220", "2910", "2930"]),
]


@pytest.mark.parametrize(("cluster", "country", "isic"), CASES, ids=[c for c, _, _ in CASES])
def test_case_country_and_sector(graph: EmbeddedStore, cluster: str, country: str, isic: list[str]) -> None:
    assert values(graph, f"SELECT ?v {{ cluster:{cluster} cg:country/rdfs:label ?v {EN} }}") == [country]
    assert values(graph, f"SELECT ?v {{ cluster:{cluster} cg:sector/skos:notation ?v }}") == isic


def test_every_case_of_domain_section_3_is_a_cluster(graph: EmbeddedStore) -> None:
    found = values(graph, "SELECT ?v { ?v a ?t . ?t rdfs:subClassOf* cg:Cluster }")
    assert sorted(f"cluster:{c}" for c, _, _ in CASES) == sorted(set(found) & {f"cluster:{c}" for c, _, _ in CASES})
    assert "cluster:brenta" in values(graph, "SELECT ?v { ?v a cg:IndustrialDistrict }")


def test_chapters_of_unknown_title_are_absent(graph: EmbeddedStore) -> None:
    numbers = values(graph, f"SELECT ?v {{ ?c cg:inBook {BOOK} ; cg:chapterNumber ?v }}")
    assert sorted(numbers, key=int) == ["1", "3", "4", "6", "7", "8", "9", "12"]


# -- rules every fact follows ----------------------------------------------------------------------------

def test_every_claim_has_a_source_and_exactly_one_evidence_status(graph: EmbeddedStore) -> None:
    claims = values(graph, "SELECT ?v { ?v a ?k . ?k rdfs:subClassOf* cg:Claim }")
    assert len(claims) > 150
    offenders = values(graph, """
        SELECT ?v WHERE {
          ?v a ?k . ?k rdfs:subClassOf* cg:Claim .
          OPTIONAL { ?v prov:wasDerivedFrom ?s . ?s a ?sk . ?sk rdfs:subClassOf* cg:Source }
          OPTIONAL { ?v cg:evidenceStatus ?st . ?st skos:inScheme cgs:EvidenceStatusScheme }
          { SELECT ?v (COUNT(DISTINCT ?any) AS ?n) WHERE { ?v a ?k2 . OPTIONAL { ?v cg:evidenceStatus ?any } }
            GROUP BY ?v }
          FILTER(!BOUND(?s) || !BOUND(?st) || ?n != 1)
        }""")
    assert offenders == []


def test_every_described_entity_has_a_source_and_exactly_one_status(graph: EmbeddedStore) -> None:
    kinds = " ".join(DESCRIBED)
    described = values(graph, f"""
        SELECT ?v WHERE {{ VALUES ?top {{ {kinds} }} ?v a ?k . ?k rdfs:subClassOf* ?top
          FILTER(STRSTARTS(STR(?v), "{PREFIXES['cgd']}")) }}""")
    assert len(described) > 250
    offenders = values(graph, f"""
        SELECT ?v WHERE {{
          VALUES ?top {{ {kinds} }} ?v a ?k . ?k rdfs:subClassOf* ?top
          FILTER(STRSTARTS(STR(?v), "{PREFIXES['cgd']}"))
          OPTIONAL {{ ?v prov:wasDerivedFrom ?s . ?s a ?sk . ?sk rdfs:subClassOf* cg:Source }}
          {{ SELECT ?v (COUNT(DISTINCT ?st) AS ?n) WHERE {{ ?v a ?any . OPTIONAL {{ ?v cg:evidenceStatus ?st
             FILTER EXISTS {{ ?st skos:inScheme cgs:EvidenceStatusScheme }} }} }} GROUP BY ?v }}
          FILTER(!BOUND(?s) || ?n != 1)
        }}""")
    assert offenders == []


def test_every_publication_and_source_iri_used_anywhere_is_typed_in_data(graph: EmbeddedStore) -> None:
    used = values(graph, f"""
        SELECT ?v WHERE {{ GRAPH ?g {{ {{ ?v ?p ?o }} UNION {{ ?s ?p ?v }} }}
          FILTER(isIRI(?v) && (STRSTARTS(STR(?v), "{PREFIXES['pub']}") || STRSTARTS(STR(?v), "{PREFIXES['src']}"))) }}""")
    untyped = values(graph, f"""
        SELECT ?v WHERE {{ GRAPH ?g {{ {{ ?v ?p ?o }} UNION {{ ?s ?p ?v }} }}
          FILTER(isIRI(?v) && (STRSTARTS(STR(?v), "{PREFIXES['pub']}") || STRSTARTS(STR(?v), "{PREFIXES['src']}")))
          FILTER NOT EXISTS {{ GRAPH ?d {{ ?v a ?k }} ?k rdfs:subClassOf* cg:Source
                              FILTER(STRSTARTS(STR(?d), "{PREFIXES['cgg']}data/")) }} }}""")
    assert len(used) > 60
    assert untyped == []


@pytest.mark.parametrize("source", ONTOLOGY_SOURCES)
def test_sources_the_ontology_cites_are_described(graph: EmbeddedStore, source: str) -> None:
    # Named by its title, or by its citation label where the title is unknown (it then stays absent).
    found = rows(graph, f"""SELECT ?name ?status WHERE {{ {source} a ?k ; cg:evidenceStatus ?status .
                            {{ {source} dcterms:title ?name }} UNION {{ {source} rdfs:label ?name }}
                            ?k rdfs:subClassOf* cg:Source }}""")
    assert found, f"{source} is not described in data/"


def test_no_literal_says_unknown_or_is_empty(graph: EmbeddedStore) -> None:
    offenders = rows(graph, f"""
        SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{PREFIXES['cgg']}data/"))
          FILTER(isLiteral(?o) && (STRLEN(STR(?o)) = 0 || LCASE(STR(?o)) IN ("unknown", "n/a", "tbd", "none", "£0"))) }}""")
    assert offenders == []


def test_every_attribute_claim_triple_is_asserted(graph: EmbeddedStore) -> None:
    assert len(values(graph, "SELECT ?v { ?v a cg:AttributeClaim }")) > 80
    offenders = values(graph, """
        SELECT ?v WHERE { ?v a cg:AttributeClaim ; cg:claimSubject ?s ; cg:claimProperty ?p ; cg:claimValue ?o
          FILTER NOT EXISTS { ?s ?p ?o } }""")
    assert offenders == []


def test_only_wikidata_entities_of_domain_section_5_1(graph: EmbeddedStore) -> None:
    qids = {str(row["v"]).removeprefix("http://www.wikidata.org/entity/")
            for row in rows(graph, "SELECT ?v { ?s cg:wikidata ?v }")}
    assert qids and qids <= DOMAIN_QIDS
    # unknown for people, organisations and clusters: only places carry one
    assert values(graph, "SELECT ?v { ?v cg:wikidata ?q FILTER NOT EXISTS { ?v a ?k . ?k rdfs:subClassOf* cg:Place } }") == []


def test_recalled_iso_codes_carry_unverified_claims(graph: EmbeddedStore) -> None:
    """DOMAIN.md §5.2: only BR-SP, PK-PB, ITA and ESP were seen; every other code is recalled."""
    offenders = values(graph, """
        SELECT ?v WHERE {
          VALUES ?p { cg:iso3166Alpha2 cg:iso3166Alpha3 cg:iso3166Numeric cg:iso3166Subdivision }
          ?place ?p ?code FILTER(?code NOT IN ("BR-SP", "PK-PB", "ITA", "ESP"))
          FILTER NOT EXISTS { ?c cg:claimSubject ?place ; cg:claimProperty ?p ; cg:claimValue ?code ;
                              cg:evidenceStatus cgs:Unverified }
          BIND(CONCAT(STR(?place), " ", ?code) AS ?v) }""")
    assert offenders == []


def test_every_inferred_claim_states_its_reasoning(graph: EmbeddedStore) -> None:
    inferred = values(graph, "SELECT ?v { ?v cg:evidenceStatus cgs:Inferred ; a ?k . ?k rdfs:subClassOf* cg:Claim }")
    assert len(inferred) >= 8
    assert values(graph, """SELECT ?v { ?v cg:evidenceStatus cgs:Inferred ; a ?k . ?k rdfs:subClassOf* cg:Claim
                            FILTER NOT EXISTS { ?v cg:statement ?why FILTER(CONTAINS(LCASE(?why), "infer")) } }""") == []


def test_governance_types_that_interpret_a_source_are_unverified(graph: EmbeddedStore) -> None:
    """DOMAIN.md §3.2: governance labels in italics are interpretations; no case source names a type."""
    assert values(graph, "SELECT ?v { ?c cg:governanceType ?g ; cg:evidenceStatus/skos:prefLabel ?v }") == ["unverified"]


def test_every_data_file_is_built_and_opens_with_a_comment(built: tuple[EmbeddedStore, BuildReport]) -> None:
    files = sorted((REPO / "data").glob("*.ttl"))
    assert [p.stem for p in files] == ["chains", "claims", "clusters", "hypotheses", "organisations", "people",
                                      "places", "project", "publications", "sectors", "sources", "standards"]
    loaded = {load.path.resolve(): load.triples for load in built[1].loads}
    for path in files:
        assert loaded.get(path.resolve(), 0) > 0, f"{path.name} was not loaded"
        assert path.read_text(encoding="utf-8").startswith("# "), f"{path.name} must open with a comment"


def test_journal_volumes_sort_as_numbers(graph: EmbeddedStore) -> None:
    """Volumes and issues are xsd:positiveInteger (#22), so ORDER BY puts 9 before 11 and 26 before 36."""
    found = rows(graph, "SELECT ?vol ?i WHERE { ?p bibo:volume ?vol ; bibo:issue ?i } ORDER BY ?vol ?i")
    volumes = [int(str(r["vol"])) for r in found]
    assert volumes == sorted(volumes) and len(set(volumes)) > 2
    assert {str(getattr(r["vol"], "datatype", "")).rsplit("#")[-1] for r in found} <= {"integer", "positiveInteger"}
    issues = [int(str(r["i"])) for r in found if int(str(r["vol"])) == 27]
    assert issues == sorted(issues)
