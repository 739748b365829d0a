"""The server's writes, each one whole operation run in the writer process (core/pool.py Writer).

Every function takes the store first and only picklable arguments, so that the writer can run it
under the time limit: SPARQL Update, the Graph Store Protocol's PUT, POST and DELETE, and the
steward's validate and ingest. A body arrives as bytes and is parsed here, in the writer, so the
memory a large body takes goes with the writer process when it is recycled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from clustergraph.base import sparql as lex
from clustergraph.base.errors import QueryError
from clustergraph.base.formats import RdfFormat
from clustergraph.core.rdfio import parse_text
from clustergraph.core.store import Store
from clustergraph.services.sheets import SheetSource, as_rdf
from clustergraph.services.steward.ingest import Ingested, ingest
from clustergraph.services.validation import Engine, Limits, RdfInput, validate
from clustergraph.services.validation.report import Report


@dataclass(frozen=True)
class UpdateRequest:
    """A SPARQL update as the protocol sends it: its text, base IRI and USING graphs."""

    text: str
    base_iri: str | None = None
    using: tuple[str, ...] = ()
    using_named: tuple[str, ...] = ()


def update(store: Store, request: UpdateRequest, *, allow_load: bool) -> None:
    """Run one SPARQL update atomically, with the protocol's using-graph-uri / using-named-graph-uri.

    Raises QueryError (400) when the protocol's graphs meet USING or WITH in the text.
    """
    store.update(using(request), allow_load=allow_load, base_iri=request.base_iri)


def _iri(value: str, name: str) -> str:
    """`value` written as an IRI by pyoxigraph (checked, so no value can change the update's shape)."""
    try:
        return str(ox.NamedNode(value))
    except ValueError as exc:
        raise QueryError(name, f"using-graph-uri {value!r} is not an IRI: {exc}") from exc


def using(request: UpdateRequest) -> str:
    """The update text with the protocol's dataset written as USING clauses before each WHERE.

    SPARQL 1.1 Protocol §2.2.3: using-graph-uri and using-named-graph-uri give the dataset of every
    operation with a WHERE; a request that gives them and also USING or WITH in its text is an error.
    """
    if not request.using and not request.using_named:
        return request.text
    name = "update"
    if lex.uses_keyword(request.text, "USING") or lex.uses_keyword(request.text, "WITH"):
        raise QueryError(name, "the request gives using-graph-uri or using-named-graph-uri and the update has "
                               "USING or WITH; give the dataset in one place only")
    clause = " ".join([f"USING {_iri(g, name)}" for g in request.using]
                      + [f"USING NAMED {_iri(g, name)}" for g in request.using_named])
    toks = list(lex.tokens(request.text))
    out: list[str] = []
    previous = ""
    for tok in toks:
        word = tok.text.upper() if tok.kind == "word" else ""
        if word == "WHERE":
            if previous in ("DELETE", "INSERT"):
                raise QueryError(name, "DELETE WHERE cannot take using-graph-uri; write DELETE { ... } WHERE "
                                       "{ ... } instead")
            out.append(clause + " ")
        out.append(tok.text)
        if tok.kind == "word":
            previous = word
        elif tok.kind != "space" and tok.kind != "comment":
            previous = tok.text
    return "".join(out)


def put_graph(store: Store, graph: str, body: bytes, fmt: RdfFormat, *, replace: bool) -> bool:
    """Replace (PUT) or add to (POST) the named graph `graph` with the body's triples, in one transaction.

    Returns whether the graph existed before. Raises InputError for a body that does not parse
    (nothing changes).
    """
    existed = URIRef(graph) in store.graph_sizes()
    target = ox.NamedNode(graph)
    quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in parse_text(body, fmt, name="request body")]
    store.change_quads(drop=[URIRef(graph)] if replace else [], add=quads)
    return existed


def drop_graph(store: Store, graph: str) -> bool:
    """Remove the named graph `graph`; returns whether it existed (nothing changes if not)."""
    if URIRef(graph) not in store.graph_sizes():
        return False
    store.remove_graph(URIRef(graph))
    return True


def check(store: Store, shapes: Path, source: RdfInput | SheetSource, *, max_triples: int,
          mappings: Path) -> Report:
    """Validate one document (or a spreadsheet, by its mapping in `mappings`) in the context of the
    store, as `clustergraph validate FILE [--mapping KIND]` does."""
    rdf = as_rdf(store, mappings, source)
    return validate(store, shapes, [rdf], limits=Limits(max_triples=max_triples), engine=Engine.SPARQL)


def add_batch(store: Store, shapes: Path, source: RdfInput | SheetSource, *, agent: str, origin: str | None,
              strict: bool, max_triples: int, mappings: Path) -> Ingested:
    """Ingest one document (or a spreadsheet) as a new batch, as `clustergraph ingest FILE` does
    (NotConforming if refused)."""
    rdf = as_rdf(store, mappings, source)
    return ingest(store, shapes, rdf, agent=agent, origin=origin, strict=strict,
                  limits=Limits(max_triples=max_triples))
