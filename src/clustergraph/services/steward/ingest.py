"""Ingest: add a steward's file to the store as one batch, all or nothing; list and retract batches.

A batch is one named graph, `https://w3id.org/clustergraph/graph/batch/<id>`, with `<id>` the UTC
time of the ingest and the first 8 hex digits of the file's SHA-256 (`20250101T120000Z-1a2b3c4d`).
The graph holds the file's triples and, beside them, the batch's PROV-O record, so one write adds
a batch and one graph drop takes it out again, on the embedded store and on a remote endpoint
alike. Every subject of the record is the graph IRI or starts with `<graph IRI>#`:

    <batch>            a prov:Entity ; dcterms:identifier "<id>" ; void:triples N ;
                       prov:wasGeneratedBy <batch#activity> .
    <batch#activity>   a prov:Activity ; prov:wasAssociatedWith <agent> ;
                       prov:startedAtTime t0 ; prov:endedAtTime t1 ;
                       prov:used <batch#file> ; prov:generated <batch> .
    <batch#agent>      a prov:Agent ; rdfs:label "the --by text"     (when --by is not an IRI)
    <batch#file>       a prov:Entity ; dcterms:title "file name" ; spdx:checksum <batch#sha256> ;
                       dcterms:source <IRI> or "text"                (when --source is given)
    <batch#sha256>     a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;
                       spdx:checksumValue "hex" .

Graph names inside a TriG or N-Quads file are not kept: all its triples go into the batch graph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from clustergraph.base.errors import InputError, NotConforming
from clustergraph.base.terms import BATCH_PREFIX, CG_IRI, GRAPH, ONTOLOGY_IRI, PROV, SPDX, VOID
from clustergraph.core.config import Limits
from clustergraph.core.results import Boolean, Solutions, to_oxigraph
from clustergraph.core.store import Store
from clustergraph.services.sparql import text
from clustergraph.services.validation import RdfInput, Shapes, load_shapes, read_quads, validate_delta
from clustergraph.services.validation.report import Report

_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}(-[0-9]+)?")


@dataclass(frozen=True)
class Batch:
    """One ingested batch, as its PROV-O record in the store says."""

    id: str
    graph: URIRef
    agent: str
    started: datetime
    file_name: str
    sha256: str
    source: str | None
    triples: int


@dataclass(frozen=True)
class Ingested:
    """What an ingest did: the new batch, and the report of its check in context."""

    batch: Batch
    report: Report


@dataclass(frozen=True)
class Retracted:
    """What a retract did: the batch removed, and the report of the graph without it."""

    batch: Batch
    report: Report


def ingest(store: Store, shapes: Path | Shapes, source: Path | RdfInput, *, agent: str,
           origin: str | None = None, strict: bool = False, limits: Limits = Limits(),
           now: datetime | None = None) -> Ingested:
    """Validate `source` in the context of the store and, if it passes, commit it as a new batch.

    `agent` is who ingests (an IRI, or a name); `origin` where the data comes from (an IRI, or a
    free text). The commit is one transaction: the store gains the whole batch or nothing.
    Raises InputError for a file that cannot be used (syntax, ill-typed literal, empty, too big,
    a subject in the ontology's namespace) and NotConforming (with the report) when the file
    introduces violations (or warnings, when `strict`); the store is unchanged then.
    """
    if not agent.strip():
        raise InputError("--by needs the name or IRI of who ingests")
    loaded = shapes if isinstance(shapes, Shapes) else load_shapes(shapes)
    src = RdfInput.of(source)
    quads = read_quads(src, limits)
    refuse_reserved_subjects(src.name, quads)
    # only the focus nodes the file can affect, on the store itself (never read whole)
    report = validate_delta(store, loaded, quads, checked=(src.name,))
    if report.failed(strict=strict):
        failing = len(report.failing(strict=strict))
        raise NotConforming(src.name, report, detail=f"introduces {failing} result{'s' if failing != 1 else ''} "
                            "that break the shapes")
    started = now or datetime.now(UTC)
    digest = _sha256(src, quads)
    batch_id = free_batch_id(store, f"{started:%Y%m%dT%H%M%SZ}-{digest[:8]}")
    target = GRAPH[f"batch/{batch_id}"]
    node = ox.NamedNode(str(target))
    triples = {q.triple for q in quads}
    record = batch_record(target, batch_id, agent.strip(), origin, Path(src.name).name, digest, len(triples), started)
    store.add_quads([ox.Quad(t.subject, t.predicate, t.object, node) for t in triples]
                    + [record_quad(s, p, o, node) for s, p, o in record])
    batch = Batch(batch_id, target, agent.strip(), started, Path(src.name).name, digest,
                  origin, len(triples))
    return Ingested(batch, report)


def refuse_reserved_subjects(name: str, quads: Sequence[ox.Quad]) -> None:
    """The ontology changes through ontology/, and batch graphs describe themselves: refuse both."""
    ontology = sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)
                       and (q.subject.value.startswith(CG_IRI) or q.subject.value == ONTOLOGY_IRI
                            or q.subject.value.startswith(ONTOLOGY_IRI + "/"))})
    if ontology:
        shown = ", ".join("cg:" + s[len(CG_IRI):] if s.startswith(CG_IRI) else f"<{s}>" for s in ontology[:3])
        more = f" and {len(ontology) - 3} more" if len(ontology) > 3 else ""
        raise InputError(f"{len(ontology)} subject{'s are' if len(ontology) != 1 else ' is'} in the ontology's "
                         f"namespace ({shown}{more}); the ontology changes through ontology/, not through ingest",
                         path=name, consequence="nothing was ingested")
    batches = sorted({q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)
                      and q.subject.value.startswith(BATCH_PREFIX)})
    if batches:
        raise InputError(f"<{batches[0]}> is a batch graph; batch records are written by ingest only",
                         path=name, consequence="nothing was ingested")


def _sha256(src: RdfInput, quads: Sequence[ox.Quad]) -> str:
    digest = hashlib.sha256()
    if src.path is not None:
        with src.path.open("rb") as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
    elif src.data is not None or src.original is not None:
        digest.update(src.data if src.data is not None else src.original or b"")
    else:
        digest.update(b"".join(str(q).encode("utf-8") + b"\n" for q in quads))
    return digest.hexdigest()


def free_batch_id(store: Store, base: str) -> str:
    candidate, n = base, 1
    while _has_graph(store, URIRef(BATCH_PREFIX + candidate)):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


_HAS_GRAPH = text("ingest-has-graph")


def _has_graph(store: Store, graph: URIRef) -> bool:
    """Whether the store has `graph` (an ASK: counting every graph's triples grows with the store)."""
    answer = store.query(_HAS_GRAPH, bindings={"g": graph})
    assert isinstance(answer, Boolean)
    return answer.value


def batch_record(target: URIRef, batch_id: str, agent: str, origin: str | None, file_name: str, digest: str,
            count: int, started: datetime) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The PROV-O record of a batch (see the module docstring)."""
    def spdx(local: str) -> URIRef:
        return SPDX[local]

    activity, file, checksum = URIRef(f"{target}#activity"), URIRef(f"{target}#file"), URIRef(f"{target}#sha256")
    ended = datetime.now(UTC)
    record: list[tuple[URIRef, URIRef, URIRef | Literal]] = [
        (target, RDF.type, PROV.Entity),
        (target, DCTERMS.identifier, Literal(batch_id)),
        (target, VOID.triples, Literal(str(count), datatype=XSD.integer)),
        (target, PROV.wasGeneratedBy, activity),
        (activity, RDF.type, PROV.Activity),
        (activity, PROV.startedAtTime, Literal(_xsd_time(started), datatype=XSD.dateTime)),
        (activity, PROV.endedAtTime, Literal(_xsd_time(max(ended, started)), datatype=XSD.dateTime)),
        (activity, PROV.used, file),
        (activity, PROV.generated, target),
        (file, RDF.type, PROV.Entity),
        (file, DCTERMS.title, Literal(file_name)),
        (file, spdx("checksum"), checksum),
        (checksum, RDF.type, spdx("Checksum")),
        (checksum, spdx("algorithm"), spdx("checksumAlgorithm_sha256")),
        (checksum, spdx("checksumValue"), Literal(digest)),
    ]
    if _is_iri(agent):
        record.append((activity, PROV.wasAssociatedWith, URIRef(agent)))
    else:
        person = URIRef(f"{target}#agent")
        record += [(activity, PROV.wasAssociatedWith, person), (person, RDF.type, PROV.Agent),
                   (person, RDFS.label, Literal(agent))]
    if origin:
        record.append((file, DCTERMS.source, URIRef(origin) if _is_iri(origin) else Literal(origin)))
    return record


def record_quad(s: URIRef, p: URIRef, o: URIRef | Literal, graph: ox.NamedNode) -> ox.Quad:
    subject, predicate = to_oxigraph(s), to_oxigraph(p)
    assert isinstance(subject, ox.NamedNode) and isinstance(predicate, ox.NamedNode)
    return ox.Quad(subject, predicate, to_oxigraph(o), graph)


def _is_iri(text: str) -> bool:
    """Whether `text` is an absolute IRI that N-Triples can write (scheme, no spaces or <>\"{}|^`\\)."""
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+", text))


def _xsd_time(moment: datetime) -> str:
    """UTC in the canonical xsd:dateTime form (the form the store gives back)."""
    utc = moment.astimezone(UTC)
    fraction = f".{utc.microsecond:06d}".rstrip("0") if utc.microsecond else ""
    return f"{utc:%Y-%m-%dT%H:%M:%S}{fraction}Z"


# -- batches -----------------------------------------------------------------------------------------

_BATCHES = text("ingest-batches")


def batches(store: Store) -> list[Batch]:
    """Every batch in the store, oldest first, read from the batches' own PROV-O records."""
    result = store.query(_BATCHES, bindings={"prefix": Literal(BATCH_PREFIX)})
    assert isinstance(result, Solutions)
    found = []
    for row in result.dicts():
        agent = row["label"] if row["label"] is not None else row["agent"]
        found.append(Batch(
            id=str(row["id"]), graph=URIRef(str(row["g"])), agent=str(agent),
            started=datetime.fromisoformat(str(row["started"]).replace("Z", "+00:00")),
            file_name=str(row["title"]), sha256=str(row["sum"]),
            source=None if row["source"] is None else str(row["source"]), triples=int(str(row["n"])),
        ))
    return found


def find_batch(store: Store, batch_id: str) -> Batch:
    """The batch named `batch_id` (its id, or its graph IRI); raises InputError if there is none."""
    wanted = batch_id.removeprefix(BATCH_PREFIX)
    for batch in batches(store):
        if batch.id == wanted:
            return batch
    raise InputError(f"batch '{batch_id}': no such batch; 'clustergraph batches' lists them")


def refuse_retract(batch: Batch, report: Report, *, strict: bool, force: bool) -> None:
    """Raise NotConforming, unless `force`, when retracting `batch` would introduce the failing
    results of `report` (violations, or warnings too when `strict`)."""
    if report.failed(strict=strict) and not force:
        failing = len(report.failing(strict=strict))
        raise NotConforming(f"batch {batch.id}", report,
                            detail=f"retracting it would leave the graph with {failing} new "
                                   f"result{'s' if failing != 1 else ''} that break the shapes; "
                                   "--force retracts it anyway")


def retract(store: Store, shapes: Path | Shapes, batch_id: str, *, force: bool = False,
            strict: bool = False) -> Retracted:
    """Remove one batch (its triples and its record) in one step.

    Refuses, unless `force`, when the graph without the batch would gain violations (or
    warnings, when `strict`): raises NotConforming with the report, whose *introduced* results
    are the ones the removal would cause; the store is unchanged then. Raises InputError for an
    unknown batch or unusable shapes.
    """
    batch = find_batch(store, batch_id)
    loaded = shapes if isinstance(shapes, Shapes) else load_shapes(shapes)
    report = validate_delta(store, loaded, removed_graphs=[batch.graph], checked=(f"retract {batch.id}",))
    refuse_retract(batch, report, strict=strict, force=force)
    store.remove_graph(batch.graph)
    return Retracted(batch, report)
