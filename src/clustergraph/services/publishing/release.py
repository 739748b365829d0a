"""Release: build, validate, reason, then write dist/VERSION/ for linked-data consumers.

A release refuses a graph that breaks the shapes (violations; warnings pass) or that HermiT finds
inconsistent. It writes, all deterministically (the same input gives byte-identical files):

    clustergraph.nq.gz         every graph, canonical N-Quads (RDFC-1.0 blank nodes, sorted lines)
    graphs/<graph>.ttl.gz      one Turtle file per named graph
    data.jsonld, context.jsonld  the data (data/ and ingested batches) compacted with publish/context.jsonld
    ontology.ttl, ontology.rdf the ontology, its owl:versionIRI set to .../ontology/VERSION
    shapes/, queries/, frames/ the shapes, the query catalogue and the JSON-LD frames, as in the repository
    framed/<kind>.json         clusters (claims and chains nested), actors, publications, claims, via pyld
    docs/index.html            the pyLODE ontology documentation
    void.ttl, dcat.ttl         VoID and DCAT (every file above with media type, size and SHA-256)
    changelog.md, changelog.ttl  against the previous release in the same dist folder
    SHA256SUMS                 sha256sum's format, every file but itself

The folder is written under a temporary name and renamed at the end: a failure leaves no release.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyoxigraph as ox

from clustergraph.base.errors import InputError, NotConforming
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import CONTEXT_URL, GRAPH, ONTOLOGY_GRAPHS, ONTOLOGY_IRI, PREFIXES
from clustergraph.core import publish
from clustergraph.core.config import Settings
from clustergraph.core.publish import text
from clustergraph.core.store import Store
from clustergraph.services.build import build
from clustergraph.services.publishing.changelog import Changelog, Kind, changelog, subclasses
from clustergraph.services.publishing.docs import write_docs
from clustergraph.services.publishing.void import ReleaseFile, count, dcat_triples, release_iri, void_triples
from clustergraph.services.reasoning import reason
from clustergraph.services.validation import validate

DUMP = "clustergraph.nq.gz"
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
_OWL_VERSION_IRI = "http://www.w3.org/2002/07/owl#versionIRI"
_MEDIA = {".gz": "application/gzip", ".jsonld": "application/ld+json", ".json": "application/json",
          ".ttl": "text/turtle", ".rdf": "application/rdf+xml", ".rq": "application/sparql-query",
          ".html": "text/html", ".md": "text/markdown"}


@dataclass(frozen=True)
class Release:
    """A written release: its folder, files (as DCAT lists them), changelog and cost."""

    version: str
    directory: Path
    files: tuple[ReleaseFile, ...]
    triples: int
    changelog: Changelog
    seconds: float


def dist_dir(settings: Settings) -> Path:
    """Where releases go: dist/ under the project root."""
    return settings.root / "dist"


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """A sort key putting 0.10.0 after 0.9.0: numbers compare as numbers."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in re.split(r"[._-]", version))


def media_type(path: Path) -> str:
    """The media type a release file is described (DCAT) and served with."""
    return _MEDIA.get(path.suffix, "application/octet-stream")


def releases(dist: Path) -> list[str]:
    """The versions released in `dist`, oldest first (folders holding a VoID file)."""
    if not dist.is_dir():
        return []
    found = [p.name for p in dist.iterdir() if p.is_dir() and _VERSION.fullmatch(p.name) and (p / "void.ttl").is_file()]
    return sorted(found, key=version_key)


def release(store: Store, settings: Settings, version: str, *, dist: Path | None = None,
            issued: date | None = None) -> Release:
    """Build `store` from the files, validate and reason, and write release `version` to `dist`/`version`.

    Ingested batches in `store` are released too. `issued` defaults to today (UTC).
    Raises InputError for a bad version or an existing release, NotConforming when the graph has
    violations or HermiT finds it inconsistent (nothing is written then).
    """
    start = time.perf_counter()
    dist = dist or dist_dir(settings)
    if not _VERSION.fullmatch(version):
        raise InputError(f"release version '{version}' must be letters, digits, '.', '_' or '-'")
    target = dist / version
    if target.exists():
        raise InputError(f"release {version} exists already; releases are never overwritten", path=target)
    build(store, settings)
    report = validate(store, settings.shapes_dir)
    if report.failed():
        raise NotConforming(f"release {version}", report, detail="the graph breaks the shapes; no release")
    reasoning = reason(store)
    if not reasoning.consistent:
        why = "; ".join(c.message for c in reasoning.culprits) or "no culprit found"
        raise NotConforming(f"release {version}", reasoning,
                            detail=f"HermiT finds the ontology and data inconsistent ({why}); no release")
    quads = _quads(store)
    previous = [v for v in releases(dist) if version_key(v) < version_key(version)]
    previous_version = previous[-1] if previous else None
    part = dist / f".{version}.part"
    shutil.rmtree(part, ignore_errors=True)
    try:
        log = _write(part, settings, version, quads, issued or datetime.now(UTC).date(),
                     previous_version, dist)
        files = _checksums(part)
        part.rename(target)
    except OSError as exc:
        raise InputError(f"cannot write the release ({exc.strerror or exc})", path=part) from exc
    finally:
        shutil.rmtree(part, ignore_errors=True)
    return Release(version, target, files, len({q.triple for q in quads}), log, time.perf_counter() - start)


def _quads(store: Store) -> list[ox.Quad]:
    out = io.BytesIO()
    store.dump(out, RdfFormat.N_QUADS)
    return publish.parse_bytes(out.getvalue(), RdfFormat.N_QUADS, name=store.location)


def _write(out: Path, settings: Settings, version: str, quads: list[ox.Quad], issued: date,
           previous: str | None, dist: Path) -> Changelog:
    by_graph: dict[str, list[ox.Quad]] = {}
    for q in quads:
        by_graph.setdefault(text(q.graph_name), []).append(q)
    triples = {q.triple for q in quads}
    (out / "graphs").mkdir(parents=True)
    _put(out / DUMP, publish.gzipped(publish.nquads(quads)))
    for graph, graph_quads in sorted(by_graph.items()):
        name = graph.removeprefix(str(GRAPH)).replace("/", "-")
        _put(out / "graphs" / f"{name}.ttl.gz",
             publish.gzipped(publish.serialize((q.triple for q in graph_quads), RdfFormat.TURTLE, PREFIXES)))
    ontology = {q.triple for g, qs in by_graph.items() if g.startswith(ONTOLOGY_GRAPHS) for q in qs}
    ontology = _versioned(ontology, version)
    _put(out / "ontology.ttl", publish.serialize(ontology, RdfFormat.TURTLE, PREFIXES))
    _put(out / "ontology.rdf", publish.serialize(ontology, RdfFormat.RDF_XML))
    data = {q.triple for g, qs in by_graph.items() if not g.startswith(ONTOLOGY_GRAPHS) for q in qs}
    _write_jsonld(out, settings, data, ontology)
    for folder, pattern in ((settings.shapes_dir, "*.ttl"), (settings.queries_dir, "*.rq")):
        for path in sorted(folder.glob(pattern)):
            _put(out / folder.name / path.name, path.read_bytes())
    write_docs(settings, out / "docs")
    old = _previous_triples(dist, previous)
    log = changelog(version, triples, previous, old)
    _put(out / "changelog.md", log.markdown().encode("utf-8"))
    _put(out / "changelog.ttl", publish.serialize(
        log.triples(release_iri(version), release_iri(previous) if previous else None), RdfFormat.TURTLE, PREFIXES))
    _put(out / "void.ttl", publish.serialize(void_triples(version, count(triples), DUMP), RdfFormat.TURTLE, PREFIXES))
    files = _describe_files(out)
    _put(out / "dcat.ttl", publish.serialize(dcat_triples(version, issued, files, title=_title(ontology, version),
                                                          licence=_licence(ontology)), RdfFormat.TURTLE, PREFIXES))
    return log


def _write_jsonld(out: Path, settings: Settings, data: set[ox.Triple], ontology: set[ox.Triple]) -> None:
    """data.jsonld, context.jsonld, the frames and what they give."""
    publish_dir = settings.root / "publish"
    context_bytes = _read(publish_dir / "context.jsonld")
    context = _json(context_bytes, publish_dir / "context.jsonld")
    loader = publish.LocalContexts({CONTEXT_URL: context})
    _put(out / "context.jsonld", context_bytes)
    default = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in data]
    _put(out / "data.jsonld", publish.json_bytes(publish.to_jsonld(default, {"@context": CONTEXT_URL}, loader)))
    under = subclasses(ontology | data)
    for kind in Kind:
        path = publish_dir / "frames" / f"{kind.name.lower()}.json"
        frame_bytes = _read(path)
        _put(out / "frames" / path.name, frame_bytes)
        frame = _json(frame_bytes, path)
        classes = sorted(under.get(kind.root, set()) | {kind.root})
        frame["@type"] = classes
        frame.pop("type", None)
        framed = publish.frame(_neighbourhood(default, set(classes)), frame, loader)
        _put(out / "framed" / f"{kind.name.lower()}.json", publish.json_bytes(framed))


def _neighbourhood(quads: list[ox.Quad], classes: set[str]) -> list[ox.Quad]:
    """The quads a frame needs: the instances of `classes`, what points to them, what they point to,
    and the blank nodes of those. pyld frames the whole input, so a small input keeps it fast."""
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    instances = {q.subject for q in quads if q.predicate.value == rdf_type and text(q.object) in classes}
    nodes: set[object] = set(instances) | {q.subject for q in quads if q.object in instances}
    nodes |= {q.object for q in quads if q.subject in nodes and isinstance(q.object, ox.NamedNode)
              and q.predicate.value != rdf_type}
    for _ in range(2):
        nodes |= {q.object for q in quads if q.subject in nodes and isinstance(q.object, ox.BlankNode)}
    return [q for q in quads if q.subject in nodes]


def _versioned(ontology: set[ox.Triple], version: str) -> set[ox.Triple]:
    """The ontology with owl:versionIRI set to the release's version IRI."""
    node = ox.NamedNode(ONTOLOGY_IRI)
    kept = {t for t in ontology if not (t.subject == node and t.predicate.value == _OWL_VERSION_IRI)}
    return kept | {ox.Triple(node, ox.NamedNode(_OWL_VERSION_IRI), ox.NamedNode(f"{ONTOLOGY_IRI}/{version}"))}


def _title(ontology: set[ox.Triple], version: str) -> str:
    titles = sorted(text(t.object) for t in ontology if text(t.subject) == ONTOLOGY_IRI
                    and t.predicate.value == "http://purl.org/dc/terms/title")
    return f"{titles[0] if titles else 'clustergraph'} ({version})"


def _licence(ontology: set[ox.Triple]) -> str | None:
    found = sorted(text(t.object) for t in ontology if text(t.subject) == ONTOLOGY_IRI
                   and t.predicate.value == "http://purl.org/dc/terms/license")
    return found[0] if found else None


def _previous_triples(dist: Path, previous: str | None) -> set[ox.Triple]:
    if previous is None:
        return set()
    path = dist / previous / DUMP
    return {q.triple for q in publish.parse_bytes(_read(path), RdfFormat.N_QUADS, name=str(path))}


def _describe_files(out: Path) -> list[ReleaseFile]:
    files = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        data = path.read_bytes()
        files.append(ReleaseFile(rel, media_type(path), len(data),
                                 hashlib.sha256(data).hexdigest()))
    return files


def _checksums(out: Path) -> tuple[ReleaseFile, ...]:
    files = _describe_files(out)
    _put(out / "SHA256SUMS", "".join(f"{f.sha256}  {f.path}\n" for f in files).encode("ascii"))
    return tuple(files)


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror or exc})", path=path) from exc


def _json(data: bytes, path: Path) -> dict[str, object]:
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise InputError(f"not JSON ({exc})", path=path) from exc
    if not isinstance(doc, dict):
        raise InputError("a JSON object is needed", path=path)
    return doc
