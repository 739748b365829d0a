"""Namespaces and IRIs of the project (DESIGN.md §3). Every IRI of the project is written once, here."""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef

BASE = "https://w3id.org/clustergraph/"
CG_IRI = BASE + "ontology#"
ONTOLOGY_IRI = BASE + "ontology"

CG = Namespace(CG_IRI)
CGS = Namespace(BASE + "concept/")
CGD = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

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
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "bibo": str(BIBO),
    "fabio": str(FABIO),
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": str(ORG),
    "time": str(TIME),
    "geo": str(GEO),
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": str(WD),
    "void": str(VOID),
    "dcat": str(DCAT),
} | {prefix: f"{CGD}{kind}/" for prefix, kind in DATA_KINDS.items()}

#: Named graphs a build owns: one per file of ontology/ and data/.
BUILD_GRAPH_PREFIXES = (str(GRAPH) + "ontology/", str(GRAPH) + "data/")

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A lower-case hyphenated slug of `text`, as data IRIs and graph names use."""
    return _SLUG.sub("-", text.lower()).strip("-")


def file_graph(folder: str, stem: str) -> URIRef:
    """The named graph that holds the triples of file `stem` of `folder` ('ontology' or 'data')."""
    return GRAPH[f"{folder}/{slug(stem)}"]


#: The link a SPARQL result carries when the row limit cut it short (core/results.py writes it).
INCOMPLETE_LINK = "urn:clustergraph:incomplete:row-limit"
