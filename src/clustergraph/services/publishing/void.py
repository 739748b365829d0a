"""VoID and DCAT descriptions of a release, as pyoxigraph triples (services/publishing/release.py writes them).

VoID counts come from the released quads themselves: triples (distinct, over the union of the
graphs), entities (distinct IRI subjects), one class partition per class with its instances, one
property partition per predicate with its triples, one linkset per predicate whose objects are
Wikidata entities. DCAT lists each file of the release with media type, byte size and SHA-256.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from clustergraph.base.terms import (
    CGD,
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PUBLISHER,
    RELEASES,
    SPDX,
    VOID,
    WD,
    WIKIDATA_DATASET,
    XSD,
)

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release: its path inside the release folder, media type, size and SHA-256."""

    path: str
    media_type: str
    byte_size: int
    sha256: str


@dataclass(frozen=True)
class Counts:
    """What VoID says about the released graph."""

    triples: int
    entities: int
    classes: dict[str, int]
    properties: dict[str, int]
    linksets: dict[str, int]


def release_iri(version: str) -> str:
    """The IRI of the dataset of release `version`."""
    return f"{RELEASES}{version}"


def count(triples: Iterable[ox.Triple]) -> Counts:
    """VoID's counts over `triples` (given as a set or list of distinct triples)."""
    subjects: set[str] = set()
    instances: dict[str, set[str]] = defaultdict(set)
    properties: Counter[str] = Counter()
    links: Counter[str] = Counter()
    total = 0
    for t in triples:
        total += 1
        properties[t.predicate.value] += 1
        if isinstance(t.subject, ox.NamedNode):
            subjects.add(t.subject.value)
        if t.predicate.value == _RDF_TYPE and isinstance(t.object, ox.NamedNode):
            instances[t.object.value].add(str(t.subject))
        if isinstance(t.object, ox.NamedNode) and t.object.value.startswith(str(WD)):
            links[t.predicate.value] += 1
    return Counts(total, len(subjects), {c: len(s) for c, s in instances.items()}, dict(properties), dict(links))


def void_triples(version: str, counts: Counts, dump: str) -> list[ox.Triple]:
    """The VoID description of release `version`; `dump` is the path of its N-Quads dump."""
    ds = ox.NamedNode(release_iri(version))
    out = [
        _t(ds, _RDF_TYPE, ox.NamedNode(f"{VOID}Dataset")),
        _t(ds, f"{VOID}triples", _int(counts.triples)),
        _t(ds, f"{VOID}entities", _int(counts.entities)),
        _t(ds, f"{VOID}uriSpace", ox.Literal(str(CGD))),
        _t(ds, f"{VOID}dataDump", ox.NamedNode(f"{release_iri(version)}/{dump}")),
        _t(ds, f"{VOID}feature", ox.NamedNode("http://www.w3.org/ns/formats/N-Quads")),
        _t(ds, f"{DCTERMS}title", ox.Literal(f"clustergraph {version}")),
    ]
    for cls, n in sorted(counts.classes.items()):
        part = ox.NamedNode(f"{release_iri(version)}/void/class/{_key(cls)}")
        out += [_t(ds, f"{VOID}classPartition", part), _t(part, f"{VOID}class", ox.NamedNode(cls)),
                _t(part, f"{VOID}entities", _int(n))]
    for prop, n in sorted(counts.properties.items()):
        part = ox.NamedNode(f"{release_iri(version)}/void/property/{_key(prop)}")
        out += [_t(ds, f"{VOID}propertyPartition", part), _t(part, f"{VOID}property", ox.NamedNode(prop)),
                _t(part, f"{VOID}triples", _int(n))]
    wikidata = ox.NamedNode(WIKIDATA_DATASET)
    out.append(_t(wikidata, _RDF_TYPE, ox.NamedNode(f"{VOID}Dataset")))
    for prop, n in sorted(counts.linksets.items()):
        link = ox.NamedNode(f"{release_iri(version)}/void/linkset/wikidata/{_key(prop)}")
        out += [_t(link, _RDF_TYPE, ox.NamedNode(f"{VOID}Linkset")), _t(ds, f"{VOID}subset", link),
                _t(link, f"{VOID}subjectsTarget", ds), _t(link, f"{VOID}objectsTarget", wikidata),
                _t(link, f"{VOID}linkPredicate", ox.NamedNode(prop)), _t(link, f"{VOID}triples", _int(n))]
    return out


def dcat_triples(version: str, issued: date, files: Sequence[ReleaseFile], *, title: str,
                 licence: str | None) -> list[ox.Triple]:
    """The DCAT description of release `version`: the dataset and one distribution per file."""
    base = release_iri(version)
    ds = ox.NamedNode(base)
    publisher = ox.NamedNode(PUBLISHER)
    out = [
        _t(ds, _RDF_TYPE, ox.NamedNode(f"{DCAT}Dataset")),
        _t(ds, f"{DCTERMS}title", ox.Literal(title, language="en")),
        _t(ds, f"{DCTERMS}publisher", publisher),
        _t(ds, f"{DCAT}version", ox.Literal(version)),
        _t(ds, f"{OWL}versionInfo", ox.Literal(version)),
        _t(ds, f"{DCTERMS}issued", ox.Literal(issued.isoformat(), datatype=ox.NamedNode(f"{XSD}date"))),
        _t(publisher, _RDF_TYPE, ox.NamedNode(f"{FOAF}Agent")),
        _t(publisher, f"{FOAF}name", ox.Literal("clustergraph project")),
    ]
    if licence:
        out.append(_t(ds, f"{DCTERMS}license", ox.NamedNode(licence)))
    for f in files:
        dist = ox.NamedNode(f"{base}/{f.path}")
        checksum = ox.NamedNode(f"{base}/{f.path}#sha256")
        out += [
            _t(ds, f"{DCAT}distribution", dist),
            _t(dist, _RDF_TYPE, ox.NamedNode(f"{DCAT}Distribution")),
            _t(dist, f"{DCAT}downloadURL", dist),
            _t(dist, f"{DCAT}mediaType", ox.NamedNode(f"https://www.iana.org/assignments/media-types/{f.media_type}")),
            _t(dist, f"{DCAT}byteSize",
               ox.Literal(str(f.byte_size), datatype=ox.NamedNode(f"{XSD}nonNegativeInteger"))),
            _t(dist, f"{SPDX}checksum", checksum),
            _t(checksum, _RDF_TYPE, ox.NamedNode(f"{SPDX}Checksum")),
            _t(checksum, f"{SPDX}algorithm", ox.NamedNode(f"{SPDX}checksumAlgorithm_sha256")),
            _t(checksum, f"{SPDX}checksumValue", ox.Literal(f.sha256, datatype=ox.NamedNode(f"{XSD}hexBinary"))),
        ]
        if f.path.endswith(".gz"):
            out.append(_t(dist, f"{DCAT}compressFormat",
                          ox.NamedNode("https://www.iana.org/assignments/media-types/application/gzip")))
        if licence:
            out.append(_t(dist, f"{DCTERMS}license", ox.NamedNode(licence)))
    return out


def _t(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(s, ox.NamedNode(p), o)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=ox.NamedNode(f"{XSD}integer"))


def _key(iri: str) -> str:
    """A stable path segment for an IRI (its hash), so partition IRIs need no escaping."""
    return hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]
