"""Namespaces and IRIs of the project (DESIGN.md §3). Every IRI of the project is written once, here:
its namespaces, the vocabularies it writes, its reserved named graphs, and `shorten`, the one function
that turns an IRI into a prefixed name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from rdflib import Namespace, URIRef

if TYPE_CHECKING:
    import pyoxigraph as ox

BASE = "https://w3id.org/clustergraph/"
CG_IRI = BASE + "ontology#"
ONTOLOGY_IRI = BASE + "ontology"

CG = Namespace(CG_IRI)
CGS = Namespace(BASE + "concept/")
CGD = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
# The text search's namespace (`?s search:matches "words"`), SEARCH_NS, is the one namespace written
# elsewhere: in base/textquery.py, which the command line's --help imports and which so must not import
# rdflib, as this module does (tests/test_cli_imports.py).

PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
FABIO = Namespace("http://purl.org/spar/fabio/")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
WD = Namespace("http://www.wikidata.org/entity/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SH = Namespace("http://www.w3.org/ns/shacl#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
#: The SPARQL service description and the W3C's format IRIs (the endpoint describes itself with them).
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
#: Wikidata as a dataset: the target of the release's VoID linksets (services/publishing/void.py).
WIKIDATA_DATASET = "http://www.wikidata.org/"

#: Kinds of data IRI (cgd:<kind>/<slug>) by their prefix in PREFIXES (mostly the kind's own name), so data
#: files write `cluster:sinos-valley` rather than `cgd:cluster\/sinos-valley` (Turtle cannot have '/'
#: unescaped in a prefixed name).
DATA_KINDS = {kind: kind for kind in ("cluster", "place", "organisation", "person", "group", "series", "journal",
                                      "project", "event", "chain", "market", "standard", "claim", "factor",
                                      "activity")} | {"pub": "publication", "src": "source"}

#: Prefixes used when writing Turtle, TriG and JSON-LD, and offered to the query editor.
PREFIXES: dict[str, str] = {
    "cg": CG_IRI,
    "cgs": str(CGS),
    "cgd": str(CGD),
    "cgg": str(GRAPH),
    "cgsh": BASE + "shapes#",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "bibo": str(BIBO),
    "fabio": str(FABIO),
    "foaf": str(FOAF),
    "org": str(ORG),
    "time": str(TIME),
    "geo": str(GEO),
    "sh": str(SH),
    "wd": str(WD),
    "void": str(VOID),
    "dcat": str(DCAT),
} | {prefix: f"{CGD}{kind}/" for prefix, kind in DATA_KINDS.items()}

# -- reserved named graphs ---------------------------------------------------------------------
#: One graph per file of ontology/, data/ and shapes/ (file_graph below names them).
ONTOLOGY_GRAPHS = str(GRAPH) + "ontology/"
DATA_GRAPHS = str(GRAPH) + "data/"
SHAPES_GRAPHS = str(GRAPH) + "shapes/"
#: Named graphs a build owns: one per file of ontology/ and data/.
BUILD_GRAPH_PREFIXES = (ONTOLOGY_GRAPHS, DATA_GRAPHS)
#: A steward's batch is one graph, <BATCH_PREFIX><id> (services/steward/ingest.py).
BATCH_PREFIX = str(GRAPH) + "batch/"
#: Graphs a large write to a remote store is uploaded into before one update moves it to its target
#: (core/remote/client.py); a build drops any a killed process left (core/remote/build.py).
STAGING_PREFIX = str(GRAPH) + "staging/"
#: What a remote build has loaded so far, so that a killed build resumes (core/remote/build.py).
JOURNAL = GRAPH["build/journal"]
#: Named graphs under this prefix are scratch, never data: a check may write them for its own time
#: (services/validation/delta.py), and an on-disk store removes any that a killed process left when it opens.
SCRATCH_GRAPHS = "urn:x-clustergraph:scratch:"

# -- other reserved IRIs --------------------------------------------------------------------------
#: Releases: <RELEASES><version> is a release's dataset, its files under it (served at /release/).
RELEASES = BASE + "release/"
#: The JSON-LD context a release's data.jsonld names.
CONTEXT_URL = BASE + "context.jsonld"
#: The project, as the publisher of its releases (DCAT).
PUBLISHER = BASE
#: Where owlready2 files the triples the reasoner checks (services/reasoning.py); never dereferenced.
CHECK_ONTOLOGY = BASE + "check/"
#: An IRI no data uses: `!<NOTHING>` is a property path step that matches any predicate.
NOTHING = "urn:x-clustergraph:none"
#: The link a SPARQL result carries when the row limit cut it short (adapters/server/sparql.py).
INCOMPLETE_LINK = "urn:clustergraph:incomplete:row-limit"

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A lower-case hyphenated slug of `text`, as data IRIs and graph names use."""
    return _SLUG.sub("-", text.lower()).strip("-")


def file_graph(folder: str, stem: str) -> URIRef:
    """The named graph that holds the triples of file `stem` of `folder` ('ontology' or 'data')."""
    return GRAPH[f"{folder}/{slug(stem)}"]


def shorten(iri: str | ox.NamedNode, prefixes: Mapping[str, str] = PREFIXES, *,
            local: Callable[[str], bool] | None = None) -> str:
    """`iri` as prefix:local with the longest namespace of `prefixes` it starts with, else <iri>.

    The one place that shortens IRIs (messages, tables, reports and pages all read the same). `local`,
    when given, says which local parts may follow a prefix; a namespace whose local part it refuses is
    passed over for a shorter one. Of two namespaces of the same length, the first in `prefixes` wins.
    """
    value = str(iri) if isinstance(iri, str) else iri.value
    best = None
    for prefix, namespace in prefixes.items():
        if namespace and value.startswith(namespace) and (best is None or len(namespace) > len(prefixes[best])) \
                and (local is None or local(value[len(namespace):])):
            best = prefix
    return f"{best}:{value[len(prefixes[best]):]}" if best is not None else f"<{value}>"
