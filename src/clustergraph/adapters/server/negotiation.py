"""Content negotiation: one table from media types to result formats and RDF syntaxes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from clustergraph.base.formats import RdfFormat, ResultFormat

T = TypeVar("T")

#: What SELECT and ASK answers can be, first is the default.
RESULT_TYPES: list[tuple[str, ResultFormat]] = [
    ("application/sparql-results+json", ResultFormat.JSON),
    ("application/json", ResultFormat.JSON),
    ("application/sparql-results+xml", ResultFormat.XML),
    ("application/xml", ResultFormat.XML),
    ("text/csv", ResultFormat.CSV),
    ("text/tab-separated-values", ResultFormat.TSV),
]

#: What CONSTRUCT and DESCRIBE answers (and resources) can be, first is the default.
GRAPH_TYPES: list[tuple[str, RdfFormat]] = [
    ("text/turtle", RdfFormat.TURTLE),
    ("application/n-triples", RdfFormat.N_TRIPLES),
    ("text/plain", RdfFormat.N_TRIPLES),
    ("application/ld+json", RdfFormat.JSON_LD),
    ("application/rdf+xml", RdfFormat.RDF_XML),
    ("application/n-quads", RdfFormat.N_QUADS),
    ("application/trig", RdfFormat.TRIG),
]


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, best first (stable for ties)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((index, media, q))
    ranges.sort(key=lambda r: (-r[2], r[0]))
    return [(media, q) for _, media, q in ranges if q > 0]


def choose(header: str | None, offers: Sequence[tuple[str, T]]) -> tuple[str, T] | None:
    """The offer the Accept header prefers, or None if it accepts none of them (406)."""
    for media, _ in parse_accept(header):
        for offered, value in offers:
            if media == offered or media == "*/*" or (media.endswith("/*") and offered.startswith(media[:-1])):
                return offered, value
    return None


#: What a resource's IRI answers with: Turtle for clients that accept anything, HTML when asked.
HTML = "text/html"
RESOURCE_TYPES: list[tuple[str, RdfFormat | None]] = [
    ("text/turtle", RdfFormat.TURTLE),
    (HTML, None),
    ("application/xhtml+xml", None),
    ("application/ld+json", RdfFormat.JSON_LD),
    ("application/n-triples", RdfFormat.N_TRIPLES),
    ("text/plain", RdfFormat.N_TRIPLES),
    ("application/rdf+xml", RdfFormat.RDF_XML),
]

#: Format suffixes a resource's URL may end in, with what they serve (None: HTML).
SUFFIXES: dict[str, tuple[str, RdfFormat | None]] = {
    ".ttl": ("text/turtle", RdfFormat.TURTLE),
    ".jsonld": ("application/ld+json", RdfFormat.JSON_LD),
    ".nt": ("application/n-triples", RdfFormat.N_TRIPLES),
    ".rdf": ("application/rdf+xml", RdfFormat.RDF_XML),
    ".html": (HTML, None),
}

