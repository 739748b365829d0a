"""The shapes of shapes/: valid SHACL, documented, one per class, and catching what they claim.

The shapes are loaded once through the validation service (`load_shapes`), which parses each file
strictly and checks the shapes graph against SHACL-for-SHACL and the SHACL vocabulary. Examples are
validated as `clustergraph validate` does it: the ontology and the example triples are put in an
embedded store (which canonicalises literals: "1"^^xsd:positiveInteger comes back as an
xsd:integer) and the store is checked with the service's `validate` (pyshacl, no inference;
sh:targetClass follows rdfs:subClassOf in the data, so the ontology must be there).

Every rule has a violating example in BAD (one or a few nodes each) and conforming counterparts in
GOOD. The bad examples are validated together in one run and each case asserts exactly the results
on its own nodes: focus node, shape, path and severity, and the message.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Identifier, Node

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import CG, CGS, GRAPH, PREFIXES, file_graph, slug
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Settings
from clustergraph.core.rdfio import parse_file
from clustergraph.services.build import build
from clustergraph.services.validation import RdfInput, Shapes, load_shapes, read_quads, to_graph, validate
from clustergraph.services.validation.report import Result, Severity, path_text

REPO = Path(__file__).parent.parent
SHAPES_DIR = REPO / "shapes"
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
CGSH = "https://w3id.org/clustergraph/shapes#"
ONTOLOGY_IRI = URIRef("https://w3id.org/clustergraph/ontology")
SHAPE_FILES = sorted(SHAPES_DIR.glob("*.ttl"))
HEADER = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())
OK = "prov:wasDerivedFrom pub:t-book ; cg:evidenceStatus cgs:Verified"


# -- helpers ---------------------------------------------------------------------------------------

def quads(text: str, name: str) -> list[ox.Quad]:
    """The quads of a Turtle snippet written with the project's prefixes, in a graph of its own.

    `%OK%` in the snippet stands for a source and an evidence status.
    """
    data = (HEADER + text.replace("%OK%", OK)).encode()
    graph = ox.NamedNode(f"{GRAPH}test/{slug(name)}")
    return [ox.Quad(q.subject, q.predicate, q.object, graph)
            for q in read_quads(RdfInput(name=name, data=data, fmt=RdfFormat.TURTLE))]


def nodes_of(part: list[ox.Quad]) -> set[Node]:
    """The subjects of the quads, and the literals among their objects, as rdflib terms."""
    graph = to_graph(part)
    return set(graph.subjects()) | {o for o in graph.objects() if isinstance(o, Literal)}


def files_graph(paths: list[Path]) -> Graph:
    graph = Graph(bind_namespaces="none")
    for path in paths:
        graph += to_graph(read_quads(path), str(path))
    return graph


def ontology_store() -> EmbeddedStore:
    """An in-memory store holding the ontology, one named graph per file, as a build loads it."""
    store = EmbeddedStore()
    store.replace_graphs([(p, file_graph("ontology", p.stem)) for p in sorted((REPO / "ontology").glob("*.ttl"))])
    return store


def expand(name: str) -> Identifier:
    """A prefixed name, a full <IRI> or a "literal" of an expectation, as an rdflib term."""
    if name.startswith('"'):
        return Literal(name.strip('"'))
    if name.startswith("<"):
        return URIRef(name[1:-1])
    prefix, _, local = name.partition(":")
    if prefix == "cgsh":
        return URIRef(CGSH + local)
    return URIRef(PREFIXES[prefix] + local)


def short(term: Node | None) -> str:
    if term is None:
        return "-"
    text = str(term)
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(ns) and text != ns:
            return f"{prefix}:{text[len(ns):]}"
    if text.startswith(CGSH):
        return f"cgsh:{text[len(CGSH):]}"
    return f'"{text}"' if isinstance(term, Literal) else f"<{text}>"


def run(shapes: Shapes, *parts: list[ox.Quad]) -> list[Result]:
    """The results of validating the ontology and `parts` in one store."""
    store = ontology_store()
    for part in parts:
        store.add_quads(part)
    return list(validate(store, shapes).results)


def messages_of(shapes: Shapes, shape: Node) -> list[Literal]:
    """The sh:message values of a shape, or of its SPARQL constraints when it has none of its own."""
    own = [m for m in shapes.graph.objects(shape, SH.message) if isinstance(m, Literal)]
    if own:
        return own
    return [m for c in shapes.graph.objects(shape, SH.sparql) for m in shapes.graph.objects(c, SH.message)
            if isinstance(m, Literal)]


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shapes() -> Shapes:
    """shapes/ through the validation service: parsed strictly, checked against SHACL-for-SHACL."""
    return load_shapes(SHAPES_DIR)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return files_graph(sorted((REPO / "ontology").glob("*.ttl")))


BASE = """
pub:t-book a cg:EditedBook ; dcterms:title "Test book"@en ; cg:publicationYear "2004"^^xsd:gYear ; %OK% .
src:t-page a cg:WebSource ; dcterms:title "Test page"@en ; %OK% .
place:t-country a cg:Country ; rdfs:label "Testland"@en ; %OK% .
place:t-region a cg:Region ; rdfs:label "Test region"@en ; cg:country place:t-country ; cg:partOf place:t-country ; %OK% .
cluster:t-cluster a cg:Cluster ; rdfs:label "test cluster"@en ; cg:location place:t-region ; cg:sector cgs:isic-1520 ;
    %OK% .
chain:t-chain a cg:GlobalValueChain ; rdfs:label "test chain"@en ; %OK% .
group:t-buyers a cg:ActorGroup , cg:GlobalBuyer ; rdfs:label "test buyers"@en ; %OK% .
organisation:t-firm a cg:Firm ; rdfs:label "test firm"@en ; %OK% .
person:t-author a cg:Person ; rdfs:label "A. Author" ; %OK% .
standard:t-standard a cg:Standard ; rdfs:label "test standard"@en ; cg:standardDomain cgs:QualityStandard ; %OK% .
factor:t-factor a cg:Factor ; rdfs:label "a test factor"@en .
project:t-project a cg:ResearchProject ; rdfs:label "test project"@en ; %OK% .
market:t-market a cg:EndMarket ; rdfs:label "test market"@en ; cg:marketPlace place:t-country ; %OK% .
"""

GOOD = """
claim:t-insertion a cg:ChainInsertion ; cg:cluster cluster:t-cluster ; cg:chain chain:t-chain ; cg:buyer group:t-buyers ;
    cg:governanceType cgs:QuasiHierarchy ; cg:hierarchyRank "1"^^xsd:positiveInteger ;
    cg:period claim:t-insertion-period ; cg:statement "The cluster sells to the buyers."@en ; cg:locator "p. 1" ; %OK% .
claim:t-insertion-period a cg:Period ; cg:startYear "1995"^^xsd:gYear ; cg:endYear "2002"^^xsd:gYear ;
    cg:startDate "1995-03-01"^^xsd:date ; cg:endDate "2002-12-31"^^xsd:date .
claim:t-insertion-2 a cg:ChainInsertion ; cg:firm organisation:t-firm ; cg:chain chain:t-chain ;
    cg:governanceType cgs:GhsCaptive ; cg:period [ cg:startYear "2001"^^xsd:gYear ] ; %OK% .
claim:t-insertion-3 a cg:ChainInsertion ; cg:cluster cluster:t-cluster ; cg:chain chain:t-chain ;
    cg:hierarchyRank "2"^^xsd:positiveInteger ; cg:period [ a cg:Period ; cg:startYear "1990"^^xsd:gYear ;
    cg:endYear "1990"^^xsd:gYear ] ; %OK% .
claim:t-insertion-4 a cg:ChainInsertion ; cg:cluster cluster:t-cluster ; cg:chain chain:t-chain ;
    cg:period claim:t-insertion-period ; %OK% .
claim:t-link a cg:ChainLink ; cg:buyer organisation:t-firm ; cg:supplier cluster:t-cluster ; cg:chain chain:t-chain ;
    cg:governanceType cgs:Network ; %OK% .
claim:t-upgrading a cg:UpgradingOutcome ; cg:cluster cluster:t-cluster ; cg:upgradingType cgs:ProcessUpgrading ;
    cg:outcome cgs:Achieved ; cg:chain chain:t-chain ; cg:intensity "most rapid"@en ; cg:enabledBy factor:t-factor ;
    cg:inhibitedBy factor:t-factor ; %OK% .
claim:t-certification a cg:Certification ; cg:firm organisation:t-firm ; cg:standard standard:t-standard ;
    cg:period claim:t-certification-period ; %OK% .
claim:t-certification-period a cg:Period ; cg:startDate "1998-05-04"^^xsd:date ; cg:startYear "1998"^^xsd:gYear .
claim:t-requirement a cg:StandardRequirement ; cg:cluster cluster:t-cluster ; cg:standard standard:t-standard ;
    cg:requiredBy group:t-buyers ; %OK% .
claim:t-effect a cg:StandardEffect ; cg:chain chain:t-chain ; cg:standard standard:t-standard ;
    cg:effect cgs:HelpsUpgrading ; %OK% .
claim:t-efficiency a cg:CollectiveEfficiency ; cg:cluster cluster:t-cluster ; %OK% .
claim:t-policy a cg:PolicyOutcome ; cg:policyActor organisation:t-network ; cg:outcome cgs:Attempted ;
    cg:cluster cluster:t-cluster ; %OK% .
claim:t-policy-2 a cg:PolicyOutcome ; cg:policyActor activity:t-strategy ; cg:outcome cgs:Blocked ; %OK% .
organisation:t-network a cg:PolicyNetwork ; rdfs:label "test network"@en ;
    cg:networkMember organisation:t-firm , person:t-author ; cg:operatesIn place:t-region ; cg:country place:t-country ;
    cg:wikidata <http://www.wikidata.org/entity/Q1> ; %OK% .
organisation:t-institute a cg:ResearchInstitute ; rdfs:label "test institute"@en ; %OK% .
organisation:t-funder a cg:Funder ; rdfs:label "test funder"@en ; %OK% .
person:t-author cg:affiliation organisation:t-institute .
person:t-second a cg:Person ; rdfs:label "B. Second" ; %OK% .
claim:t-membership a cg:Membership ; org:member person:t-author ; org:organization organisation:t-institute ;
    org:role cgs:EmeritusFellow ; %OK% .
claim:t-attribute a cg:AttributeClaim ; cg:claimSubject pub:t-book ; cg:claimProperty bibo:isbn10 ;
    cg:claimValue "1843760991" ; prov:wasDerivedFrom src:t-page ; cg:evidenceStatus cgs:Inferred .
pub:t-book bibo:isbn10 "1843760991" ; bibo:isbn13 "9781843760993" .
pub:t-chapter a cg:Chapter ; dcterms:title "A chapter"@en ; cg:inBook pub:t-book ;
    cg:chapterNumber "9"^^xsd:positiveInteger ; bibo:pageStart "233" ; bibo:pageEnd "264" ;
    cg:publicationYear "2004"^^xsd:gYear ; cg:authorship pub:t-chapter-a1 , pub:t-chapter-a2 ;
    dcterms:creator person:t-author , person:t-second ; bibo:doi "10.4337/9781845423254.00016" ; %OK% .
pub:t-chapter-a1 a cg:Authorship ; cg:author person:t-author ; cg:position "1"^^xsd:positiveInteger .
pub:t-chapter-a2 cg:author person:t-second ; cg:position "2"^^xsd:positiveInteger .
pub:t-chapter-2 a cg:Chapter ; dcterms:title "Another chapter"@en ; cg:inBook pub:t-book ;
    cg:chapterNumber "10"^^xsd:positiveInteger ; bibo:pageStart "xi" ; bibo:pageEnd "9" ;
    cg:publicationYear "2004"^^xsd:gYear ; %OK% .
pub:t-article a cg:JournalArticle ; dcterms:title "An article"@en ; cg:publicationYear "2002"^^xsd:gYear ;
    cg:publishedIn journal:t-journal ; cg:versionOf pub:t-paper ; %OK% .
journal:t-journal a cg:Journal ; rdfs:label "Test Journal"@en ; %OK% .
pub:t-paper a cg:WorkingPaper ; dcterms:title "A paper"@en ; cg:publicationYear "2000"^^xsd:gYear ;
    cg:series series:t-series ; cg:seriesNumber "120" ; cg:presentedAt event:t-workshop ;
    cg:partOfProject project:t-project ; %OK% .
series:t-series a cg:PublicationSeries ; rdfs:label "Test Working Papers"@en ; %OK% .
event:t-workshop a cg:Workshop ; rdfs:label "test workshop"@en ; cg:venue organisation:t-institute ;
    cg:partOfProject project:t-project ; %OK% .
event:t-workshop-2 a cg:Workshop ; rdfs:label "second test workshop"@en ; cg:venue place:t-region ; %OK% .
project:t-project cg:partner organisation:t-institute ; cg:contact person:t-author ; cg:coordinator person:t-author ;
    cg:funder organisation:t-funder ; cg:period [ cg:startDate "1999-01-04"^^xsd:date ; cg:startYear "1999"^^xsd:gYear ;
    cg:endDate "2002-07-31"^^xsd:date ; cg:endYear "2002"^^xsd:gYear ] .
place:t-country cg:iso3166Alpha2 "BR" ; cg:iso3166Alpha3 "BRA" ; cg:iso3166Numeric "076" ;
    cg:wikidata <http://www.wikidata.org/entity/Q155> .
place:t-region cg:iso3166Subdivision "BR-SP" .
place:t-town a cg:Locality ; rdfs:label "Test town"@en , "Testdorf"@de ; cg:partOf place:t-region ; %OK% .
chain:t-chain cg:endMarket market:t-market ; cg:leadFirm group:t-buyers ; cg:chainDriver cgs:BuyerDriven ;
    cg:sector cgs:isic-1520 ; cg:product "leather shoes"@en .
standard:t-standard cg:standardKind cgs:ProcessStandard ; cg:issuedBy organisation:t-institute ;
    cg:firstIssued "1987"^^xsd:gYear .
activity:t-joint a cg:JointAction ; rdfs:label "test joint action"@en ; cg:participant organisation:t-firm ;
    cg:cluster cluster:t-cluster ; %OK% .
activity:t-strategy a cg:LocationalPolicy ; rdfs:label "test policy"@en ; cg:participant organisation:t-network ;
    %OK% .
cgs:t-governance a skos:Concept ; skos:inScheme cgs:GhsGovernance ; cg:transactionComplexity cgs:High ;
    cg:codifiability cgs:Low ; cg:supplyBaseCapability cgs:High .
"""


@dataclass(frozen=True)
class Case:
    """A violating example: Turtle, and the results expected on its nodes.

    Each expectation reads "focus shape path severity", with prefixed names (cgsh: for shapes), '-'
    for no path, V or W; `messages` maps a shape to the rendered message a SPARQL rule must give.
    """

    name: str
    ttl: str
    expect: tuple[str, ...]
    messages: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.name


BAD = [
    Case("claim without source", """
        claim:t-b1 a cg:ClusterOutcome ; cg:cluster cluster:t-cluster ; cg:evidenceStatus cgs:Verified .""",
         ("claim:t-b1 cgsh:ClaimShape-source prov:wasDerivedFrom V",)),
    Case("claim whose source is not a source", """
        claim:t-b2 a cg:CollectiveFailure ; cg:cluster cluster:t-cluster ; prov:wasDerivedFrom cluster:t-cluster ;
            cg:evidenceStatus cgs:Verified .""",
         ("claim:t-b2 cgsh:ClaimShape-source prov:wasDerivedFrom V",)),
    Case("claim without status, claim with two", """
        claim:t-b3 a cg:CollectiveEfficiency ; cg:cluster cluster:t-cluster ; prov:wasDerivedFrom pub:t-book .
        claim:t-b3b a cg:CollectiveEfficiency ; cg:cluster cluster:t-cluster ; prov:wasDerivedFrom pub:t-book ;
            cg:evidenceStatus cgs:Verified , cgs:Unverified .""",
         ("claim:t-b3 cgsh:ClaimShape-status cg:evidenceStatus V",
          "claim:t-b3b cgsh:ClaimShape-status cg:evidenceStatus V")),
    Case("evidence status from another scheme", """
        claim:t-b4 a cg:CollectiveEfficiency ; cg:cluster cluster:t-cluster ; prov:wasDerivedFrom pub:t-book ;
            cg:evidenceStatus cgs:High .""",
         ("claim:t-b4 cgsh:HasEvidenceStatusShape-scheme cg:evidenceStatus V",)),
    Case("claim with two periods, a language-tagged locator and a plain statement", """
        claim:t-b5 a cg:ClusterOutcome ; cg:cluster cluster:t-cluster ; cg:period claim:t-b5-p1 , claim:t-b5-p2 ;
            cg:locator "p. 3"@en ; cg:statement "not tagged" ; %OK% .
        claim:t-b5-p1 cg:startYear "1990"^^xsd:gYear .
        claim:t-b5-p2 cg:startYear "1991"^^xsd:gYear .""",
         ("claim:t-b5 cgsh:ClaimShape-period cg:period V", "claim:t-b5 cgsh:ClaimShape-locator cg:locator V",
          "claim:t-b5 cgsh:ClaimShape-statement cg:statement V")),
    Case("attribute claim without its triple", """
        claim:t-b8 a cg:AttributeClaim ; %OK% .""",
         ("claim:t-b8 cgsh:AttributeClaimShape-subject cg:claimSubject V",
          "claim:t-b8 cgsh:AttributeClaimShape-property cg:claimProperty V",
          "claim:t-b8 cgsh:AttributeClaimShape-value cg:claimValue V")),
    Case("attribute claim whose triple is not asserted", """
        claim:t-b9 a cg:AttributeClaim ; cg:claimSubject pub:t-book ; cg:claimProperty cg:publicationYear ;
            cg:claimValue "2005"^^xsd:gYear ; %OK% .""",
         ("claim:t-b9 cgsh:AttributeAssertedShape cg:claimValue V",),
         (("cgsh:AttributeAssertedShape", "The triple an attribute claim states must also be asserted on its subject "
           "(cg:claimSubject, cg:claimProperty, cg:claimValue): add "
           "<https://w3id.org/clustergraph/id/publication/t-book> "
           "<https://w3id.org/clustergraph/ontology#publicationYear> with this value."),)),
    Case("period years of the wrong datatype, two end years", """
        claim:t-b10 a cg:Period ; cg:startYear "1999" ; cg:endYear "2000"^^xsd:gYear , "2001"^^xsd:gYear .
        claim:t-b10b a cg:Period ; cg:startDate "1999"^^xsd:gYear ; cg:endDate "2001-01-01" .""",
         ("claim:t-b10 cgsh:PeriodShape-startYear cg:startYear V", "claim:t-b10 cgsh:PeriodShape-endYear cg:endYear V",
          "claim:t-b10b cgsh:PeriodShape-startDate cg:startDate V", "claim:t-b10b cgsh:PeriodShape-endDate cg:endDate V",
          "claim:t-b10b cgsh:PeriodBoundShape - W")),
    Case("period without a year", """
        claim:t-b11 a cg:Period ; cg:startDate "2000-01-01"^^xsd:date .""",
         ("claim:t-b11 cgsh:PeriodBoundShape - W",)),
    Case("untyped period that ends before it starts", """
        claim:t-b12 a cg:ClusterOutcome ; cg:cluster cluster:t-cluster ; cg:period claim:t-b12-p ; %OK% .
        claim:t-b12-p cg:startYear "1995"^^xsd:gYear ; cg:endYear "1990"^^xsd:gYear .""",
         ("claim:t-b12-p cgsh:PeriodYearsShape cg:endYear V",),
         (("cgsh:PeriodYearsShape", "A period must not end before it starts: its end year 1990 is before its start "
           "year 1995 (cg:startYear, cg:endYear)."),)),
    Case("period whose dates are out of order", """
        claim:t-b13 a cg:Period ; cg:startYear "2000"^^xsd:gYear ; cg:endYear "2000"^^xsd:gYear ;
            cg:startDate "2000-06-01"^^xsd:date ; cg:endDate "2000-01-31"^^xsd:date .""",
         ("claim:t-b13 cgsh:PeriodDatesShape cg:endDate V",),
         (("cgsh:PeriodDatesShape", "A period must not end before it starts: its end date 2000-01-31 is before its "
           "start date 2000-06-01 (cg:startDate, cg:endDate)."),)),
    Case("period whose start date is not in its start year", """
        claim:t-b14 a cg:Period ; cg:startYear "1999"^^xsd:gYear ; cg:startDate "2000-01-01"^^xsd:date .""",
         ("claim:t-b14 cgsh:PeriodDateYearShape cg:startDate V",),
         (("cgsh:PeriodDateYearShape", "A period's date 2000-01-01 must fall in the year given with it, 1999 "
           "(cg:startDate with cg:startYear, cg:endDate with cg:endYear)."),)),
    Case("bare locality", """
        place:t-b15 a cg:Locality .""",
         ("place:t-b15 cgsh:PlaceShape-label rdfs:label V", "place:t-b15 cgsh:PlaceShape-source prov:wasDerivedFrom V",
          "place:t-b15 cgsh:PlaceShape-status cg:evidenceStatus V")),
    Case("place part of a cluster, in two countries", """
        place:t-b16 a cg:Region ; rdfs:label "b16"@en ; cg:partOf cluster:t-cluster ;
            cg:country place:t-country , place:t-b16-c2 ; %OK% .
        place:t-b16-c2 a cg:Country ; rdfs:label "b16 country"@en ; %OK% .""",
         ("place:t-b16 cgsh:PlaceShape-partOf cg:partOf V", "place:t-b16 cgsh:PlaceShape-country cg:country V")),
    Case("place with two names in one language", """
        place:t-b16b a cg:Locality ; rdfs:label "one"@en , "two"@en ; %OK% .""",
         ("place:t-b16b cgsh:PlaceShape-label rdfs:label V",)),
    Case("country codes in the wrong form", """
        place:t-b17 a cg:Country ; rdfs:label "b17"@en ; cg:iso3166Alpha2 "br" ; cg:iso3166Alpha3 "BR" ;
            cg:iso3166Numeric "76" ; %OK% .""",
         ("place:t-b17 cgsh:CountryShape-alpha2 cg:iso3166Alpha2 V", "place:t-b17 cgsh:CountryShape-alpha3 cg:iso3166Alpha3 V",
          "place:t-b17 cgsh:CountryShape-numeric cg:iso3166Numeric V")),
    Case("subdivision code without its country", """
        place:t-b18 a cg:Region ; rdfs:label "b18"@en ; cg:iso3166Subdivision "SP" ; %OK% .""",
         ("place:t-b18 cgsh:RegionShape-subdivision cg:iso3166Subdivision V",)),
    Case("Wikidata links that are not entity IRIs", """
        place:t-b19 a cg:Country ; rdfs:label "b19"@en ; cg:wikidata "Q155" ; %OK% .
        place:t-b19b a cg:Country ; rdfs:label "b19b"@en ; cg:wikidata <https://www.wikidata.org/wiki/Q155> ; %OK% .""",
         # The literal breaks both the node kind and the pattern: two results.
         ("place:t-b19 cgsh:HasWikidataShape-value cg:wikidata V", "place:t-b19 cgsh:HasWikidataShape-value cg:wikidata V",
          "place:t-b19b cgsh:HasWikidataShape-value cg:wikidata V")),
    Case("bare industrial district", """
        cluster:t-b20 a cg:IndustrialDistrict .""",
         ("cluster:t-b20 cgsh:ClusterShape-label rdfs:label V",
          "cluster:t-b20 cgsh:ClusterShape-source prov:wasDerivedFrom V",
          "cluster:t-b20 cgsh:ClusterShape-status cg:evidenceStatus V",
          "cluster:t-b20 cgsh:ClusterShape-location cg:location W", "cluster:t-b20 cgsh:ClusterShape-sector cg:sector W")),
    Case("cluster located in a chain, of a non-ISIC sector, in two countries", """
        cluster:t-b21 a cg:Cluster ; rdfs:label "b21"@en ; cg:location chain:t-chain ; cg:sector cgs:QualityStandard ;
            cg:country place:t-country , place:t-b21-c2 ; %OK% .
        place:t-b21-c2 a cg:Country ; rdfs:label "b21 country"@en ; %OK% .""",
         ("cluster:t-b21 cgsh:ClusterShape-place cg:location V", "cluster:t-b21 cgsh:HasSectorShape-scheme cg:sector V",
          "cluster:t-b21 cgsh:ClusterShape-country cg:country V")),
    Case("bare firm", """
        organisation:t-b22 a cg:Firm .""",
         ("organisation:t-b22 cgsh:ActorShape-label rdfs:label V",
          "organisation:t-b22 cgsh:ActorShape-source prov:wasDerivedFrom V",
          "organisation:t-b22 cgsh:ActorShape-status cg:evidenceStatus V")),
    Case("actors related to the wrong kinds of node", """
        person:t-b23 a cg:Person ; rdfs:label "b23" ; cg:operatesIn chain:t-chain ; cg:affiliation person:t-author ;
            %OK% .
        organisation:t-b23b a cg:PolicyNetwork ; rdfs:label "b23b"@en ; cg:networkMember place:t-country ; %OK% .""",
         ("person:t-b23 cgsh:ActorShape-operatesIn cg:operatesIn V",
          "person:t-b23 cgsh:PersonShape-affiliation cg:affiliation V",
          "organisation:t-b23b cgsh:OrganisationShape-networkMember cg:networkMember V")),
    Case("membership of a firm in nothing", """
        claim:t-b24 a cg:Membership ; org:member organisation:t-firm ; %OK% .""",
         ("claim:t-b24 cgsh:MembershipShape-member org:member V",
          "claim:t-b24 cgsh:MembershipShape-organization org:organization V",
          "claim:t-b24 cgsh:MembershipShape-role org:role W")),
    Case("role from another scheme", """
        claim:t-b25 a cg:Membership ; org:member person:t-author ; org:organization organisation:t-firm ;
            org:role cgs:Verified ; %OK% .""",
         ("claim:t-b25 cgsh:HasRoleShape-scheme org:role V",)),
    Case("bare value chain", """
        chain:t-b26 a cg:ValueChain .""",
         ("chain:t-b26 cgsh:ValueChainShape-label rdfs:label V",
          "chain:t-b26 cgsh:ValueChainShape-source prov:wasDerivedFrom V",
          "chain:t-b26 cgsh:ValueChainShape-status cg:evidenceStatus V")),
    Case("value chain with wrong values", """
        chain:t-b27 a cg:ValueChain ; rdfs:label "b27"@en ; cg:endMarket place:t-country ;
            cg:leadFirm standard:t-standard ; cg:chainDriver cgs:Hierarchy ; cg:product "shoes" ; %OK% .""",
         ("chain:t-b27 cgsh:ValueChainShape-endMarket cg:endMarket V",
          "chain:t-b27 cgsh:ValueChainShape-leadFirm cg:leadFirm V",
          "chain:t-b27 cgsh:HasChainDriverShape-scheme cg:chainDriver V",
          "chain:t-b27 cgsh:HasProductShape-value cg:product V")),
    Case("bare end market in two places", """
        market:t-b28 a cg:EndMarket ; cg:marketPlace place:t-country , place:t-region .""",
         ("market:t-b28 cgsh:EndMarketShape-label rdfs:label V",
          "market:t-b28 cgsh:EndMarketShape-source prov:wasDerivedFrom V",
          "market:t-b28 cgsh:EndMarketShape-status cg:evidenceStatus V",
          "market:t-b28 cgsh:EndMarketShape-marketPlace cg:marketPlace V")),
    Case("chain insertion of both a cluster and a firm", """
        claim:t-b29 a cg:ChainInsertion ; cg:cluster cluster:t-cluster ; cg:firm organisation:t-firm ;
            cg:chain chain:t-chain ; cg:governanceType cgs:Network ; cg:period claim:t-b29-p ; %OK% .
        claim:t-b29-p a cg:Period ; cg:startYear "2000"^^xsd:gYear .""",
         ("claim:t-b29 cgsh:ChainInsertionShape - V",)),
    Case("chain insertion of nothing", """
        claim:t-b30 a cg:ChainInsertion ; %OK% .""",
         ("claim:t-b30 cgsh:ChainInsertionShape - V", "claim:t-b30 cgsh:ChainInsertionShape-chain cg:chain V",
          "claim:t-b30 cgsh:ChainInsertionShape-period cg:period W", "claim:t-b30 cgsh:ChainInsertionGovernanceShape - W")),
    Case("chain insertions without governance, alone in their chain", """
        claim:t-b30b a cg:ChainInsertion ; cg:firm organisation:t-firm ; cg:chain chain:t-b30-c ;
            cg:period claim:t-b29-p ; %OK% .
        claim:t-b30c a cg:ChainInsertion ; cg:cluster cluster:t-cluster ; cg:chain chain:t-b30-c ;
            cg:period claim:t-b29-p ; %OK% .
        claim:t-b30d a cg:ChainInsertion ; cg:firm organisation:t-firm ; cg:chain chain:t-chain ;
            cg:governanceType cgs:ProcessUpgrading ; cg:period claim:t-b29-p ; %OK% .
        chain:t-b30-c a cg:ValueChain ; rdfs:label "b30"@en ; %OK% .""",
         ("claim:t-b30b cgsh:ChainInsertionGovernanceShape - W", "claim:t-b30c cgsh:ChainInsertionGovernanceShape - W",
          "claim:t-b30d cgsh:HasGovernanceTypeShape-scheme cg:governanceType V")),
    Case("chain insertion with values of the wrong kinds, a rank from two sources", """
        claim:t-b31 a cg:ChainInsertion ; cg:cluster chain:t-chain ; cg:chain cluster:t-cluster ;
            cg:buyer place:t-country ; cg:governanceType cgs:ProcessUpgrading ; cg:hierarchyRank "0"^^xsd:integer ;
            cg:period [ cg:endYear "2001"^^xsd:gYear ] ; prov:wasDerivedFrom pub:t-book , src:t-page ;
            cg:evidenceStatus cgs:Verified .""",
         ("claim:t-b31 cgsh:HasClusterShape-value cg:cluster V", "claim:t-b31 cgsh:HasChainShape-value cg:chain V",
          "claim:t-b31 cgsh:HasBuyerShape-value cg:buyer V",
          "claim:t-b31 cgsh:HasGovernanceTypeShape-scheme cg:governanceType V",
          "claim:t-b31 cgsh:ChainInsertionShape-hierarchyRank cg:hierarchyRank V",
          "claim:t-b31 cgsh:RankedInsertionShape-source prov:wasDerivedFrom V")),
    Case("chain link without buyer, from a standard, in two chains", """
        claim:t-b32 a cg:ChainLink ; cg:supplier standard:t-standard ; cg:chain chain:t-chain , chain:t-b32-c ; %OK% .
        chain:t-b32-c a cg:ValueChain ; rdfs:label "b32"@en ; %OK% .""",
         ("claim:t-b32 cgsh:ChainLinkShape-buyer cg:buyer V", "claim:t-b32 cgsh:ChainLinkShape-supplier cg:supplier V",
          "claim:t-b32 cgsh:ChainLinkShape-chain cg:chain V")),
    Case("chain link whose buyer is its supplier", """
        claim:t-b33 a cg:ChainLink ; cg:buyer organisation:t-firm ; cg:supplier organisation:t-firm ; %OK% .""",
         ("claim:t-b33 cgsh:ChainLinkPartiesShape cg:supplier V",),
         (("cgsh:ChainLinkPartiesShape", "A chain link's buyer and supplier must differ: the supplier is also its "
           "buyer (cg:buyer, cg:supplier)."),)),
    Case("upgrading outcome of nothing", """
        claim:t-b34 a cg:UpgradingOutcome ; %OK% .""",
         ("claim:t-b34 cgsh:UpgradingOutcomeShape - V",
          "claim:t-b34 cgsh:UpgradingOutcomeShape-upgradingType cg:upgradingType V",
          "claim:t-b34 cgsh:UpgradingOutcomeShape-outcome cg:outcome V")),
    Case("upgrading outcome with wrong values", """
        claim:t-b35 a cg:UpgradingOutcome ; cg:firm organisation:t-firm ; cg:upgradingType cgs:Achieved ;
            cg:outcome cgs:Blocked , cgs:Attempted ; cg:intensity "fast" ; cg:chain chain:t-chain , chain:t-b35-c ;
            cg:enabledBy cluster:t-cluster ; cg:inhibitedBy organisation:t-firm ; %OK% .
        chain:t-b35-c a cg:ValueChain ; rdfs:label "b35"@en ; %OK% .
        claim:t-b35b a cg:UpgradingOutcome ; cg:cluster cluster:t-cluster ; cg:upgradingType cgs:ProductUpgrading ;
            cg:outcome cgs:Verified ; %OK% .""",
         ("claim:t-b35 cgsh:HasUpgradingTypeShape-scheme cg:upgradingType V",
          "claim:t-b35 cgsh:UpgradingOutcomeShape-outcome cg:outcome V",
          "claim:t-b35 cgsh:UpgradingOutcomeShape-intensity cg:intensity V",
          "claim:t-b35 cgsh:UpgradingOutcomeShape-chain cg:chain V",
          "claim:t-b35 cgsh:HasEnablingFactorShape-value cg:enabledBy V",
          "claim:t-b35 cgsh:HasInhibitingFactorShape-value cg:inhibitedBy V",
          "claim:t-b35b cgsh:HasOutcomeShape-scheme cg:outcome V")),
    Case("bare standard", """
        standard:t-b36 a cg:Standard .""",
         ("standard:t-b36 cgsh:StandardShape-label rdfs:label V",
          "standard:t-b36 cgsh:StandardShape-source prov:wasDerivedFrom V",
          "standard:t-b36 cgsh:StandardShape-status cg:evidenceStatus V")),
    Case("standard with wrong values", """
        standard:t-b37 a cg:Standard ; rdfs:label "b37"@en ; cg:issuedBy place:t-country ; cg:firstIssued "1987" ;
            cg:standardDomain cgs:ProductStandard ; cg:standardKind cgs:QualityStandard ; %OK% .""",
         ("standard:t-b37 cgsh:StandardShape-issuedBy cg:issuedBy V",
          "standard:t-b37 cgsh:StandardShape-firstIssued cg:firstIssued V",
          "standard:t-b37 cgsh:HasStandardDomainShape-scheme cg:standardDomain V",
          "standard:t-b37 cgsh:HasStandardKindShape-scheme cg:standardKind V")),
    Case("certification of nobody to nothing", """
        claim:t-b38 a cg:Certification ; %OK% .""",
         ("claim:t-b38 cgsh:CertificationShape - V", "claim:t-b38 cgsh:CertificationShape-standard cg:standard V")),
    Case("certification whose standard is a firm", """
        claim:t-b39 a cg:Certification ; cg:firm organisation:t-firm ; cg:standard organisation:t-firm ; %OK% .""",
         ("claim:t-b39 cgsh:StandardValueShape cg:standard V",)),
    Case("standard requirement of nothing, required by a place", """
        claim:t-b40 a cg:StandardRequirement ; cg:requiredBy place:t-country ; %OK% .""",
         ("claim:t-b40 cgsh:StandardRequirementShape-standard cg:standard V",
          "claim:t-b40 cgsh:StandardRequirementShape-requiredBy cg:requiredBy V",
          "claim:t-b40 cgsh:StandardRequirementScopeShape - W")),
    Case("standard effects without standard, scope or effect", """
        claim:t-b41 a cg:StandardEffect ; cg:effect cgs:Achieved ; %OK% .
        claim:t-b41b a cg:StandardEffect ; cg:standard standard:t-standard ; cg:cluster cluster:t-cluster ; %OK% .""",
         ("claim:t-b41 cgsh:StandardEffectShape-standard cg:standard V", "claim:t-b41 cgsh:StandardEffectScopeShape - W",
          "claim:t-b41 cgsh:HasEffectShape-scheme cg:effect V",
          "claim:t-b41b cgsh:StandardEffectShape-effect cg:effect V")),
    Case("standard domain on a claim", """
        claim:t-b41c a cg:StandardRequirement ; cg:standard standard:t-standard ; cg:standardDomain cgs:LabourStandard ;
            cg:cluster cluster:t-cluster ; %OK% .""",
         ("claim:t-b41c cgsh:StandardPropertiesShape - V",)),
    Case("collective efficiency of no cluster", """
        claim:t-b42 a cg:CollectiveEfficiency ; %OK% .""",
         ("claim:t-b42 cgsh:ClusterOutcomeShape-cluster cg:cluster V",)),
    Case("policy outcome of a chain, without outcome", """
        claim:t-b43 a cg:PolicyOutcome ; cg:policyActor chain:t-chain ; %OK% .""",
         ("claim:t-b43 cgsh:PolicyOutcomeShape-policyActor cg:policyActor V",
          "claim:t-b43 cgsh:PolicyOutcomeShape-outcome cg:outcome V")),
    Case("bare joint action and locational policy", """
        activity:t-b44 a cg:JointAction ; cg:participant place:t-country .
        activity:t-b44b a cg:LocationalPolicy .""",
         ("activity:t-b44 cgsh:JointActionShape-label rdfs:label V",
          "activity:t-b44 cgsh:JointActionShape-source prov:wasDerivedFrom V",
          "activity:t-b44 cgsh:JointActionShape-status cg:evidenceStatus V",
          "activity:t-b44 cgsh:HasParticipantShape-value cg:participant V",
          "activity:t-b44b cgsh:UpgradingStrategyShape-label rdfs:label V",
          "activity:t-b44b cgsh:UpgradingStrategyShape-source prov:wasDerivedFrom V",
          "activity:t-b44b cgsh:UpgradingStrategyShape-status cg:evidenceStatus V")),
    Case("unnamed factor", """
        factor:t-b45 a cg:Factor .""",
         ("factor:t-b45 cgsh:FactorShape-label rdfs:label V",)),
    Case("bare research project with partners of the wrong kinds", """
        project:t-b46 a cg:ResearchProject ; cg:partner place:t-country ; cg:contact organisation:t-firm ;
            cg:coordinator group:t-buyers ; cg:funder place:t-country .""",
         ("project:t-b46 cgsh:ResearchProjectShape-label rdfs:label V",
          "project:t-b46 cgsh:ResearchProjectShape-source prov:wasDerivedFrom V",
          "project:t-b46 cgsh:ResearchProjectShape-status cg:evidenceStatus V",
          "project:t-b46 cgsh:ResearchProjectShape-partner cg:partner V",
          "project:t-b46 cgsh:ResearchProjectShape-contact cg:contact V",
          "project:t-b46 cgsh:ResearchProjectShape-coordinator cg:coordinator V",
          "project:t-b46 cgsh:HasFunderShape-value cg:funder V")),
    Case("bare workshop held in a chain, part of a cluster", """
        event:t-b47 a cg:Workshop ; cg:venue chain:t-chain ; cg:partOfProject cluster:t-cluster .""",
         ("event:t-b47 cgsh:WorkshopShape-label rdfs:label V",
          "event:t-b47 cgsh:WorkshopShape-source prov:wasDerivedFrom V",
          "event:t-b47 cgsh:WorkshopShape-status cg:evidenceStatus V",
          "event:t-b47 cgsh:WorkshopShape-venue cg:venue V",
          "event:t-b47 cgsh:HasProjectShape-value cg:partOfProject V")),
    Case("bare web source with a plain year", """
        src:t-b48 a cg:WebSource ; cg:publicationYear "2004" .""",
         ("src:t-b48 cgsh:SourceShape-title dcterms:title W",
          "src:t-b48 cgsh:SourceNameShape - V",
          "src:t-b48 cgsh:SourceShape-source prov:wasDerivedFrom V",
          "src:t-b48 cgsh:SourceShape-status cg:evidenceStatus V",
          "src:t-b48 cgsh:SourceShape-publicationYear cg:publicationYear V")),
    Case("publication with values of the wrong kinds", """
        pub:t-b49 a cg:ConferencePaper ; dcterms:title "b49"@en ; rdfs:label "b49 2001"@en ; cg:authorship "first author" ;
            cg:series journal:t-b49-j ; cg:seriesNumber "12"^^xsd:integer ; cg:presentedAt project:t-project ;
            cg:versionOf cluster:t-cluster ; bibo:doi "https://doi.org/10.1/x" ; %OK% .
        journal:t-b49-j a cg:Journal ; rdfs:label "b49 journal"@en ; %OK% .""",
         ("pub:t-b49 cgsh:PublicationShape-year cg:publicationYear W",
          "pub:t-b49 cgsh:PublicationShape-authorship cg:authorship V",
          "pub:t-b49 cgsh:PublicationShape-series cg:series V",
          "pub:t-b49 cgsh:PublicationShape-seriesNumber cg:seriesNumber V",
          "pub:t-b49 cgsh:PublicationShape-presentedAt cg:presentedAt V",
          "pub:t-b49 cgsh:PublicationShape-versionOf cg:versionOf V",
          "pub:t-b49 cgsh:PublicationShape-doi bibo:doi V",
          '"first author" cgsh:AuthorshipShape-author cg:author V',
          '"first author" cgsh:AuthorshipShape-position cg:position V')),
    Case("ISBNs with spaces and hyphens", """
        pub:t-b50 a cg:Book ; dcterms:title "b50"@en ; cg:publicationYear "2004"^^xsd:gYear ;
            bibo:isbn10 "1 84376 099 1" ; bibo:isbn13 "978-1843760993" ; %OK% .""",
         ("pub:t-b50 cgsh:BookShape-isbn10 bibo:isbn10 V", "pub:t-b50 cgsh:BookShape-isbn13 bibo:isbn13 V")),
    Case("chapter in no book, with two numbers and two last pages", """
        pub:t-b51 a cg:Chapter ; dcterms:title "b51"@en ; cg:publicationYear "2004"^^xsd:gYear ;
            cg:chapterNumber "1"^^xsd:positiveInteger , "2"^^xsd:positiveInteger ; bibo:pageStart pub:t-book ;
            bibo:pageEnd "10" , "12" ; %OK% .""",
         ("pub:t-b51 cgsh:ChapterShape-inBook cg:inBook V", "pub:t-b51 cgsh:ChapterShape-chapterNumber cg:chapterNumber V",
          "pub:t-b51 cgsh:ChapterShape-pageStart bibo:pageStart V", "pub:t-b51 cgsh:ChapterShape-pageEnd bibo:pageEnd V")),
    Case("chapter that ends before it starts", """
        pub:t-b52 a cg:Chapter ; dcterms:title "b52"@en ; cg:publicationYear "2004"^^xsd:gYear ; cg:inBook pub:t-b52-book ;
            bibo:pageStart "264" ; bibo:pageEnd "233" ; %OK% .
        pub:t-b52-book a cg:Book ; dcterms:title "b52 book"@en ; cg:publicationYear "2004"^^xsd:gYear ; %OK% .""",
         ("pub:t-b52 cgsh:PageOrderShape bibo:pageEnd V",),
         (("cgsh:PageOrderShape", "A publication's last page must not come before its first page 264 "
           "(bibo:pageStart, bibo:pageEnd)."),)),
    Case("two chapters 5 of one book", """
        pub:t-b53-book a cg:Book ; dcterms:title "b53 book"@en ; cg:publicationYear "2004"^^xsd:gYear ; %OK% .
        pub:t-b53a a cg:Chapter ; dcterms:title "b53a"@en ; cg:publicationYear "2004"^^xsd:gYear ;
            cg:inBook pub:t-b53-book ; cg:chapterNumber "5"^^xsd:positiveInteger ; %OK% .
        pub:t-b53b a cg:Chapter ; dcterms:title "b53b"@en ; cg:publicationYear "2004"^^xsd:gYear ;
            cg:inBook pub:t-b53-book ; cg:chapterNumber "05"^^xsd:positiveInteger ; %OK% .""",
         ("pub:t-b53a cgsh:ChapterNumberShape cg:chapterNumber V", "pub:t-b53b cgsh:ChapterNumberShape cg:chapterNumber V"),
         (("cgsh:ChapterNumberShape", "Two chapters of one book must not have the same number (cg:chapterNumber); "
           "the other is <https://w3id.org/clustergraph/id/publication/t-b53b>."),
          ("cgsh:ChapterNumberShape", "Two chapters of one book must not have the same number (cg:chapterNumber); "
           "the other is <https://w3id.org/clustergraph/id/publication/t-b53a>."))),
    Case("chapter dated after its book", """
        pub:t-b54 a cg:Chapter ; dcterms:title "b54"@en ; cg:publicationYear "2005"^^xsd:gYear ; cg:inBook pub:t-book ;
            cg:chapterNumber "7"^^xsd:positiveInteger ; %OK% .""",
         ("pub:t-b54 cgsh:ChapterYearShape cg:publicationYear W",),
         (("cgsh:ChapterYearShape", "A chapter should have the publication year of its book, 2004 "
           "(cg:publicationYear, cg:inBook)."),)),
    Case("working paper without series", """
        pub:t-b55 a cg:WorkingPaper ; dcterms:title "b55"@en ; cg:publicationYear "2000"^^xsd:gYear ; %OK% .""",
         ("pub:t-b55 cgsh:WorkingPaperShape-series cg:series W",)),
    Case("journal articles without journal, in a series", """
        pub:t-b56 a cg:JournalArticle ; dcterms:title "b56"@en ; cg:publicationYear "2000"^^xsd:gYear ; %OK% .
        pub:t-b56b a cg:JournalArticle ; dcterms:title "b56b"@en ; cg:publicationYear "2000"^^xsd:gYear ;
            cg:publishedIn series:t-b56-s ; %OK% .
        series:t-b56-s a cg:PublicationSeries ; rdfs:label "b56 series"@en ; %OK% .""",
         ("pub:t-b56 cgsh:JournalArticleShape-journal cg:publishedIn W",
          "pub:t-b56b cgsh:JournalArticleShape-journalKind cg:publishedIn V")),
    Case("bare series and journal", """
        series:t-b57 a cg:PublicationSeries .
        journal:t-b57 a cg:Journal .""",
         ("series:t-b57 cgsh:PublicationSeriesShape-label rdfs:label V",
          "series:t-b57 cgsh:PublicationSeriesShape-source prov:wasDerivedFrom W",
          "series:t-b57 cgsh:PublicationSeriesShape-status cg:evidenceStatus W",
          "journal:t-b57 cgsh:JournalShape-label rdfs:label V",
          "journal:t-b57 cgsh:JournalShape-source prov:wasDerivedFrom W",
          "journal:t-b57 cgsh:JournalShape-status cg:evidenceStatus W")),
    Case("authors in a muddle", """
        pub:t-b58 a cg:Report ; dcterms:title "b58"@en ; cg:publicationYear "2002"^^xsd:gYear ;
            cg:authorship pub:t-b58-a1 , pub:t-b58-a2 , pub:t-b58-a3 , pub:t-b58-a4 ;
            dcterms:creator person:t-author ; %OK% .
        pub:t-b58-a1 cg:author person:t-author ; cg:position "1"^^xsd:positiveInteger .
        pub:t-b58-a2 cg:author organisation:t-firm ; cg:position "1"^^xsd:positiveInteger .
        pub:t-b58-a3 a cg:Authorship ; cg:position "3"^^xsd:positiveInteger .
        pub:t-b58-a4 cg:author person:t-author ; cg:position "0"^^xsd:integer .""",
         ("pub:t-b58-a2 cgsh:AuthorshipShape-author cg:author V", "pub:t-b58-a3 cgsh:AuthorshipShape-author cg:author V",
          "pub:t-b58-a4 cgsh:AuthorshipShape-position cg:position V",
          "pub:t-b58 cgsh:AuthorPositionShape cg:authorship V", "pub:t-b58 cgsh:AuthorPositionGapShape cg:authorship W",
          "pub:t-b58 cgsh:AuthoredPublicationShape-creators (cg:authorship/cg:author) V"),
         (("cgsh:AuthorPositionShape", "Two authorships of a publication must not share a position "
           "(cg:authorship, cg:position): position 1 is given twice."),
          ("cgsh:AuthorPositionGapShape", "The authors of a publication should be numbered 1, 2, 3 without gaps "
           "(cg:authorship, cg:position): there is a position 3 but none before it."))),
    Case("determinants with values from other schemes", """
        cgs:t-b59 a skos:Concept ; skos:inScheme cgs:GhsGovernance ; cg:transactionComplexity cgs:Verified ;
            cg:codifiability cgs:Achieved ; cg:supplyBaseCapability cgs:BuyerDriven .""",
         ("cgs:t-b59 cgsh:HasTransactionComplexityShape-scheme cg:transactionComplexity V",
          "cgs:t-b59 cgsh:HasCodifiabilityShape-scheme cg:codifiability V",
          "cgs:t-b59 cgsh:HasSupplyBaseCapabilityShape-scheme cg:supplyBaseCapability V")),
    Case("cluster in a region, certification of a country", """
        cluster:t-b61 a cg:Cluster ; rdfs:label "b61"@en ; cg:location place:t-region ; cg:sector cgs:isic-1520 ;
            cg:country place:t-region ; %OK% .
        claim:t-b62 a cg:Certification ; cg:firm place:t-country ; cg:standard standard:t-standard ; %OK% .""",
         ("cluster:t-b61 cgsh:HasCountryShape-value cg:country V", "claim:t-b62 cgsh:HasFirmShape-value cg:firm V")),
    Case("bare hypothesis whose query is not a catalogue name", """
        project:t-hyp a cg:Hypothesis ; cg:weighedBy "no such query" .""",
         ("project:t-hyp cgsh:HypothesisShape-label rdfs:label V",
          "project:t-hyp cgsh:HypothesisShape-statement cg:hypothesisStatement V",
          "project:t-hyp cgsh:HypothesisShape-query cg:weighedBy V",
          "project:t-hyp cgsh:HypothesisShape-claimColumn cg:claimColumn V",
          "project:t-hyp cgsh:HypothesisShape-sourceColumn cg:sourceColumn V",
          "project:t-hyp cgsh:HypothesisShape-statusColumn cg:statusColumn V",
          "project:t-hyp cgsh:HypothesisShape-source prov:wasDerivedFrom V",
          "project:t-hyp cgsh:HypothesisShape-status cg:evidenceStatus V")),
    Case("deprecated terms in use", (FIXTURES / "deprecated.ttl").read_text(encoding="utf-8"),
         ("cg:governedBy cgsh:DeprecatedTermShape cg:governedBy W", "cg:OldCluster cgsh:DeprecatedTermShape rdf:type W"),
         (("cgsh:DeprecatedTermShape", "<https://w3id.org/clustergraph/ontology#governedBy> is deprecated: use "
           "<https://w3id.org/clustergraph/ontology#governanceType> instead (owl:deprecated, dcterms:isReplacedBy)."),
          ("cgsh:DeprecatedTermShape", "<https://w3id.org/clustergraph/ontology#OldCluster> is deprecated: use "
           "<https://w3id.org/clustergraph/ontology#Cluster> instead (owl:deprecated, dcterms:isReplacedBy)."))),
]

#: Rules whose focus node is not a node of the example (checked by their own tests below).
ISIC_EXAMPLE = """
cgs:t-isic a skos:Concept ; skos:inScheme cgs:IsicRev4 ; skos:notation "15200" ."""


@dataclass(frozen=True)
class Run:
    results: list[Result]
    nodes: dict[str, set[Node]]
    seconds: float


@pytest.fixture(scope="module")
def bad(shapes: Shapes) -> Run:
    """Ontology, base and every bad example in one store, validated once."""
    parts = [quads(BASE, "base"), quads(ISIC_EXAMPLE, "isic")]
    nodes: dict[str, set[Node]] = {}
    for case in BAD:
        part = quads(case.ttl, case.name)
        nodes[case.name] = nodes_of(part)
        parts.append(part)
    start = time.perf_counter()
    results = run(shapes, *parts)
    return Run(results, nodes, time.perf_counter() - start)


def _key(r: Result) -> str:
    level = {Severity.VIOLATION: "V", Severity.WARNING: "W"}.get(r.level, r.level.value)
    return f"{short(r.focus_node)} {short(r.source_shape)} {path_text(r, short) or '-'} {level}"


# -- 1, 2: the files parse strictly and the shapes graph is SHACL ------------------------------------

@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_shapes_file_parses_strictly(path: Path) -> None:
    assert sum(1 for _ in parse_file(path)) > 0


def test_the_four_shapes_files_exist() -> None:
    assert [p.name for p in SHAPE_FILES] == ["core.ttl", "deprecated.ttl", "rules.ttl", "vocab.ttl"]


def test_shapes_conform_to_shacl_for_shacl(shapes: Shapes) -> None:
    # load_shapes raised no InputError: SHACL-for-SHACL and the SHACL vocabulary accept every file.
    assert sorted(Path(name).name for name in shapes.files) == [p.name for p in SHAPE_FILES]
    assert (URIRef(CGSH + "ClaimShape"), RDF.type, SH.NodeShape) in shapes.graph


def test_a_misspelt_shacl_predicate_is_refused(tmp_path: Path) -> None:
    text = (SHAPES_DIR / "rules.ttl").read_text(encoding="utf-8")
    broken = tmp_path / "rules.ttl"
    broken.write_text(text.replace("sh:severity sh:Violation", "sh:severty sh:Violation", 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_shapes([broken])
    assert "uses sh:severty, which is not SHACL (did you mean sh:severity?)" in str(err.value)


def test_a_shape_that_breaks_shacl_for_shacl_is_refused(tmp_path: Path) -> None:
    text = (SHAPES_DIR / "core.ttl").read_text(encoding="utf-8")
    broken = tmp_path / "core.ttl"
    broken.write_text(text.replace("sh:maxCount 1 ;", 'sh:maxCount "one" ;', 1), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_shapes([broken])
    assert "is not valid SHACL" in str(err.value)


def test_files_with_sparql_declare_their_own_prefixes() -> None:
    for path in SHAPE_FILES:
        graph = files_graph([path])
        for holder in set(graph.objects(None, SH.prefixes)):
            declared = {str(graph.value(d, SH.prefix)) for d in graph.objects(holder, SH.declare)}
            used = {m for q in graph.objects(None, SH.select) for m in re.findall(r"\b([a-z]+):[A-Za-z]", str(q))}
            assert used <= declared, f"{path.name}: {sorted(used - declared)} used but not declared"


# -- 3: documentation of each shape --------------------------------------------------------------------

_NOT_CONSTRAINTS = {SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf,
                    SH.severity, SH.message, SH.description, SH.name, SH.deactivated, SH.order, SH.group}


def _node_shapes(g: Graph) -> set[Node]:
    return set(g.subjects(RDF.type, SH.NodeShape))


def _property_shapes(g: Graph) -> set[Node]:
    return set(g.subjects(RDF.type, SH.PropertyShape)) | set(g.objects(None, SH.property)) | \
        {s for s in g.subjects(SH.path, None) if (s, RDF.type, SH.NodeShape) not in g}


def test_every_property_shape_has_iri_name_message_and_severity(shapes: Shapes) -> None:
    g, offenders = shapes.graph, []
    for shape in sorted(_property_shapes(g), key=str):
        missing = [p for p in ("name", "severity") if g.value(shape, SH[p]) is None]
        if not messages_of(shapes, shape):
            missing.append("message")
        if not isinstance(shape, URIRef):
            missing.append("an IRI")
        if (shape, RDF.type, SH.PropertyShape) not in g:
            missing.append("rdf:type sh:PropertyShape")
        if missing:
            offenders.append(f"{short(shape)}: needs {', '.join(missing)}")
    assert not offenders, "\n".join(offenders)


def test_every_node_shape_is_named_and_documents_its_own_constraints(shapes: Shapes) -> None:
    g, offenders = shapes.graph, []
    for shape in sorted(_node_shapes(g), key=str):
        own = {p for p, _ in g.predicate_objects(shape) if str(p).startswith(str(SH)) and p not in _NOT_CONSTRAINTS}
        missing = [] if isinstance(shape, URIRef) and g.value(shape, RDFS.label) else ["an IRI and rdfs:label"]
        if own and g.value(shape, SH.severity) is None:
            missing.append("sh:severity")
        if own and not messages_of(shapes, shape):
            missing.append("sh:message")
        if missing:
            offenders.append(f"{short(shape)}: needs {', '.join(missing)}")
    assert not offenders, "\n".join(offenders)


def test_messages_name_the_property_and_end_with_a_period(shapes: Shapes) -> None:
    g, offenders = shapes.graph, []
    for shape in sorted(_node_shapes(g) | _property_shapes(g), key=str):
        messages = messages_of(shapes, shape)
        languages = [m.language for m in g.objects(shape, SH.message) if isinstance(m, Literal)]
        for m in messages:
            if not re.search(r"\((?:[^()]*\b)?[a-z]+:[A-Za-z]", str(m)) or not str(m).endswith("."):
                offenders.append(f"{short(shape)}: {m}")
        if len(languages) != len(set(languages)):
            offenders.append(f"{short(shape)}: more than one message in one language")
    assert not offenders, "\n".join(offenders)


def test_severities_are_violation_or_warning(shapes: Shapes) -> None:
    severities = set(shapes.graph.objects(None, SH.severity))
    assert severities == {SH.Violation, SH.Warning}


# -- 4: one node shape per class, and every term the shapes name exists ---------------------------------

def _classes(ontology: Graph) -> list[URIRef]:
    return sorted(c for c in ontology.subjects(RDF.type, OWL.Class)
                  if isinstance(c, URIRef) and c.startswith(str(CG))
                  and (c, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology)


def test_every_class_has_its_node_shape(shapes: Shapes, ontology: Graph) -> None:
    classes = _classes(ontology)
    assert len(classes) > 60
    missing = [f"cg:{c[len(str(CG)):]}: needs cgsh:{c[len(str(CG)):]}Shape with sh:targetClass" for c in classes
               if (URIRef(f"{CGSH}{c[len(str(CG)):]}Shape"), SH.targetClass, c) not in shapes.graph]
    assert not missing, "\n".join(missing)


def test_every_class_the_shapes_name_is_a_class_of_the_ontology(shapes: Shapes, ontology: Graph) -> None:
    classes = set(_classes(ontology))
    named = {o for p in (SH.targetClass, SH["class"]) for o in shapes.graph.objects(None, p)}
    assert named - classes == set()


def test_every_ontology_term_the_shapes_use_is_declared(shapes: Shapes, ontology: Graph) -> None:
    declared = {s for s in ontology.subjects(RDF.type, None) if isinstance(s, URIRef)}
    used = {t for triple in shapes.graph for t in triple
            if isinstance(t, URIRef) and str(t).startswith((str(CG), str(CGS))) and t not in (CG, CGS)}
    for query in shapes.graph.objects(None, SH.select):
        used |= {URIRef(PREFIXES[p] + local) for p, local in re.findall(r"\b(cgs?):([A-Za-z][\w-]*)", str(query))}
        used |= {URIRef(iri) for iri in re.findall(r"<(https://w3id\.org/clustergraph/(?:ontology#|concept/)[^>]+)>",
                                                    str(query))}
    assert sorted(short(t) for t in used - declared) == []


# -- 5: each rule catches what it claims, and only that ------------------------------------------------

@pytest.mark.parametrize("case", BAD, ids=str)
def test_bad_example_gives_exactly_the_expected_results(case: Case, bad: Run, shapes: Shapes) -> None:
    nodes = bad.nodes[case.name]
    found = [r for r in bad.results if r.focus_node in nodes]
    assert sorted(_key(r) for r in found) == sorted(case.expect)
    for r in found:
        rendered = {m for shape, m in case.messages if shape == short(r.source_shape)}
        assert r.message in (rendered or {str(m) for m in messages_of(shapes, r.source_shape)}), r.message
    for shape, message in case.messages:
        assert message in {r.message for r in found if short(r.source_shape) == shape}


def test_isic_classes_need_a_four_digit_notation(bad: Run) -> None:
    found = [r for r in bad.results if r.source_shape == URIRef(CGSH + "IsicRev4Shape-classes")]
    assert [(r.focus_node, r.value, r.level) for r in found] == [
        (CGS.IsicRev4, CGS["t-isic"], Severity.VIOLATION)]
    assert found[0].message.startswith("Every class of cgs:IsicRev4 must have exactly one ISIC notation")


def test_base_of_the_examples_and_the_ontology_are_clean(bad: Run, shapes: Shapes) -> None:
    base = nodes_of(quads(BASE, "base"))
    assert [_key(r) for r in bad.results if r.focus_node in base] == []
    assert [_key(r) for r in run(shapes)] == []


def test_good_examples_give_no_result_at_all(shapes: Shapes) -> None:
    assert [f"{_key(r)}: {r.message}" for r in run(shapes, quads(BASE + GOOD, "good"))] == []


def test_every_rule_has_a_violating_example(shapes: Shapes, bad: Run) -> None:
    g = shapes.graph
    targets = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
    targeted = {s for s in g.subjects() if any((s, t, None) in g for t in targets)}
    rules = {p for s in targeted for p in g.objects(s, SH.property)}
    rules |= {s for s in targeted if any(str(p).startswith(str(SH)) and p not in _NOT_CONSTRAINTS and p not in targets
                                         and p != SH.path for p, _ in g.predicate_objects(s))
              or (s, RDF.type, SH.PropertyShape) in g}
    expected = {e.split()[1] for case in BAD for e in case.expect} | {"cgsh:IsicRev4Shape-classes"}
    assert sorted(short(r) for r in rules if short(r) not in expected) == []
    assert sorted(short(r) for r in rules if short(r) not in {short(x.source_shape) for x in bad.results}) == []


def test_deprecated_term_left_unused_or_not_deprecated_gives_nothing(bad: Run) -> None:
    quiet = {expand("cg:unusedOld"), expand("cg:notDeprecated")}
    assert [r for r in bad.results if r.focus_node in quiet] == []
    uses = sorted((short(r.focus_node), short(r.value)) for r in bad.results
                  if r.source_shape == URIRef(CGSH + "DeprecatedTermShape"))
    assert uses == [("cg:OldCluster", "cluster:t-dep"), ("cg:governedBy", "claim:t-dep")]


# -- 6: the curated data conforms ------------------------------------------------------------------------

def test_curated_data_has_no_violation(shapes: Shapes) -> None:
    if not any((REPO / "data").glob("*.ttl")):
        pytest.skip("data/ holds no Turtle files yet")
    store = EmbeddedStore()
    build(store, Settings(root=REPO))  # what `clustergraph build` loads: ontology/ and data/
    report = validate(store, shapes)
    violations = [f"{short(r.focus_node)} ({short(r.path)}): {r.message}" for r in report.results
                  if r.level is Severity.VIOLATION]
    assert violations == []
