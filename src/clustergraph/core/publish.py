"""Deterministic serialisation for releases: canonical N-Quads, sorted Turtle, gzip, JSON-LD with pyld.

Every function here gives the same bytes for the same RDF dataset, whatever the order the quads
come in: blank nodes are relabelled by RDFC-1.0 (pyoxigraph's `Dataset.canonicalize`), lines are
sorted, gzip carries no time stamp or file name. JSON-LD contexts are never fetched: pyld gets a
document loader that serves only the contexts it is given and refuses every other URL.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from pyld import jsonld

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.core.results import ox_format

Json = dict[str, Any]


def canonical_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads with blank nodes relabelled by RDFC-1.0, sorted by their N-Quads line."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=str)


def nquads(quads: Iterable[ox.Quad]) -> bytes:
    """Canonical N-Quads: RDFC-1.0 blank node labels, one quad a line, lines sorted, UTF-8."""
    return "".join(f"{q} .\n" for q in canonical_quads(quads)).encode("utf-8")


def ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """Canonical N-Triples of `triples` (the default graph), as `nquads`."""
    return nquads(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)


def serialize(triples: Iterable[ox.Triple], fmt: RdfFormat, prefixes: Mapping[str, str] | None = None) -> bytes:
    """`triples` in `fmt` (a triple syntax), canonical labels and sorted input, so the bytes are stable."""
    ordered = [q.triple for q in canonical_quads(
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)]
    used = dict(prefixes or {}) if fmt is RdfFormat.TURTLE else None
    out = io.BytesIO()
    ox.serialize(ordered, out, format=ox_format(fmt), prefixes=used)
    return out.getvalue()


def gzipped(data: bytes) -> bytes:
    """`data` gzipped with no time stamp and no file name, so equal input gives equal bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def parse_bytes(data: bytes, fmt: RdfFormat, *, name: str) -> list[ox.Quad]:
    """The quads of `data` (gunzipped first if it is gzip); raises InputError naming `name`."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return list(ox.parse(data, format=ox_format(fmt)))
    except SyntaxError as exc:
        raise InputError(str(exc.msg or exc), path=name, line=exc.lineno, column=exc.offset) from exc


class LocalContexts:
    """A pyld document loader serving only the given contexts (URL to JSON); any other URL is refused."""

    def __init__(self, contexts: Mapping[str, Json]) -> None:
        self.contexts = dict(contexts)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> Json:
        if url not in self.contexts:
            raise InputError(f"JSON-LD context <{url}> is not local; contexts are never fetched from the network")
        return {"contextUrl": None, "documentUrl": url, "document": self.contexts[url]}


def to_jsonld(quads: Iterable[ox.Quad], context: Json, loader: LocalContexts) -> Json:
    """The quads as JSON-LD compacted with `context` (a document with "@context"); stable key order."""
    expanded = jsonld.from_rdf(nquads(quads).decode("utf-8"), {"format": "application/n-quads"})
    compacted: Json = jsonld.compact(expanded, context, {"documentLoader": loader})
    return compacted


def frame(quads: Iterable[ox.Quad], frame_doc: Json, loader: LocalContexts) -> Json:
    """The quads framed by `frame_doc` (pyld): nodes matching the frame, with what it nests embedded."""
    expanded = jsonld.from_rdf(nquads(quads).decode("utf-8"), {"format": "application/n-quads"})
    framed: Json = jsonld.frame(expanded, frame_doc, {"documentLoader": loader, "omitGraph": False, "embed": "@never",
                                               "omitDefault": True})
    return framed


def text(term: object) -> str:
    """The IRI, literal value or blank node id of a pyoxigraph term (N-Triples text for a quoted triple)."""
    return str(getattr(term, "value", term))


def json_bytes(doc: Any) -> bytes:
    """`doc` as indented JSON with sorted keys and a final newline."""
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
