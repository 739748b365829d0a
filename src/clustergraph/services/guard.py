"""Guarded writes: a SPARQL Update or a Graph Store write checked like an ingest and kept as a batch.

A write is first turned into the quads it would add and the quads it would remove (`plan_update`,
`plan_put`, `plan_drop`), without changing the store. Its semantics over the union are chosen on
purpose, because the store's own default graph holds nothing:

- `WHERE` reads the union of the named graphs (or the graphs of `USING` / `WITH`);
- a triple deleted without `GRAPH` is removed from every named graph that holds it (with `WITH g`:
  from g only), so `DELETE WHERE { <a> ?p ?o }` really removes a curated fact from its file's graph;
- a triple inserted without `GRAPH` goes into the write's own batch graph (with `WITH g`: into g).

The change is then checked by delta validation on the store as it would be after it (the graphs
it removes from are read as they would be left); only if it introduces no violation is it applied,
in one update, together with its record. The record is the batch graph `graph/batch/<id>`: the
PROV-O record an ingest writes (agent, time, the request's text as the "file" with its SHA-256),
the triples inserted without `GRAPH`, and, as `rdf:Statement`s with the graph in `sd:name`, each
quad it removed (`prov:invalidated` by the activity) and each quad it added to another graph
(`prov:generated`). `retract_change` restores exactly the state of those quads before the write.

Supported: INSERT DATA, DELETE DATA, DELETE WHERE, DELETE/INSERT ... WHERE (one per request when
it follows another operation, since its WHERE would read the unapplied change), DROP/CLEAR GRAPH,
CREATE. LOAD, ADD, MOVE, COPY and DROP/CLEAR of ALL, NAMED or DEFAULT are refused with 400.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.namespace import RDF
from rdflib.term import Identifier

from clustergraph.base import sparql as lex
from clustergraph.base.errors import InputError, NotConforming, QueryError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import GRAPH, PROV
from clustergraph.core.rdfio import parse_text
from clustergraph.core.results import Solutions, Triples, to_oxigraph, to_rdflib
from clustergraph.core.store import SCRATCH_GRAPHS, QueryOptions, Store
from clustergraph.services.ingest import (
    BATCH_PREFIX,
    Batch,
    Retracted,
    batch_record,
    batches,
    find_batch,
    free_batch_id,
    record_quad,
)
from clustergraph.services.ingest import retract as retract_ingested
from clustergraph.services.report import Report
from clustergraph.services.validation import Shapes, load_shapes, validate_delta

SD_NAME = URIRef("http://www.w3.org/ns/sparql-service-description#name")
_NAME = "update"


@dataclass(frozen=True)
class Change:
    """What a write would do: quads it adds, quads it removes (each present or absent as it says)."""

    added: tuple[ox.Quad, ...]
    removed: tuple[ox.Quad, ...]


@dataclass(frozen=True)
class Written:
    """A guarded write applied: its batch, what it added and removed, and the report of its check."""

    batch: Batch
    added: int
    removed: int
    report: Report


# -- planning ---------------------------------------------------------------------------------------

def plan_update(store: Store, text: str, batch_graph: ox.NamedNode, *, base_iri: str | None = None) -> Change:
    """The quads a SPARQL update would add and remove, read from the store; never changes it.

    Raises QueryError (400) for a syntax error or an operation a guarded write does not take.
    """
    data = _data_block(text)
    if data is not None:  # one INSERT DATA or DELETE DATA: parsed as TriG by the store's parser, fast
        planned = _plan_data(store, *data, batch_graph, base_iri)
        if planned is not None:
            return planned
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate
    try:
        operations = list(translateUpdate(parseUpdate(text), base=base_iri).algebra)
    except Exception as exc:  # pyparsing's and rdflib's errors: the engine's own check words them
        raise QueryError(_NAME, f"SPARQL syntax error: {_first_line(exc)}") from exc
    wheres = _where_groups(text)
    prologue = _prologue(text)
    added: dict[ox.Quad, None] = {}
    removed: dict[ox.Quad, None] = {}
    for index, op in enumerate(operations):
        name = op.name
        if name in ("Modify", "DeleteWhere") and index > 0:
            form = "DELETE/INSERT ... WHERE" if name == "Modify" else "DELETE WHERE"
            raise QueryError(_NAME, f"a guarded update takes {form} "
                                    "only as its first operation (its WHERE would not see the operations before "
                                    "it); send it as a request of its own")
        if name == "InsertData":
            for quad in _ground(_field(op, "triples") or [], _field(op, "quads") or {}, {}, batch_graph, None):
                added[quad] = None
        elif name == "DeleteData":
            for quad in _holding(store, _patterns(_field(op, "triples") or [], _field(op, "quads") or {}), None):
                removed[quad] = None
        elif name == "DeleteWhere":
            triples, quads = _field(op, "triples") or [], _field(op, "quads") or {}
            rows = _solutions(store, prologue, _pattern_text(triples, quads), (), None)
            for row in rows:
                for quad in _holding(store, _instantiate(triples, quads, row), None):
                    removed[quad] = None
        elif name == "Modify":
            with_graph = _field(op, "withClause")
            using = tuple(str(_field(u, "default") or u) for u in _field(op, "using") or [] if not _field(u, "named"))
            if not wheres:
                raise QueryError(_NAME, "no WHERE group found in the update")
            rows = _solutions(store, prologue, wheres[0], using, with_graph)
            delete, insert = _field(op, "delete"), _field(op, "insert")
            for row in rows:
                if delete is not None:
                    deleted = _instantiate(_field(delete, "triples") or [], _field(delete, "quads") or {}, row)
                    for quad in _holding(store, deleted, with_graph):
                        removed[quad] = None
                if insert is not None:
                    fresh: dict[BNode, ox.BlankNode] = {}
                    for quad in _ground(_field(insert, "triples") or [], _field(insert, "quads") or {}, row,
                                        _graph_node(with_graph) or batch_graph, fresh):
                        added[quad] = None
        elif name in ("Drop", "Clear"):
            target = _field(op, "graphiri")
            if not isinstance(target, URIRef):
                raise QueryError(_NAME, f"{name.upper()} {target} is not taken by a guarded write; drop graphs one "
                                        "by one (DROP GRAPH <iri>)")
            for quad in _graph_quads(store, str(target)):
                removed[quad] = None
        elif name == "Create":
            continue
        else:
            raise QueryError(_NAME, f"{name.upper()} is not taken by a guarded write (it cannot be checked before it "
                                    "runs); use INSERT/DELETE, or the Graph Store Protocol")
    if any(isinstance(t, ox.BlankNode) for q in removed for t in (q.subject, q.object)):
        raise QueryError(_NAME, "a guarded write cannot delete blank-node triples (they cannot be named to put them "
                                "back); retract the batch that added them instead")
    return _change(store, list(added), list(removed), batch_graph)


def _change(store: Store, added: list[ox.Quad], removed: list[ox.Quad], batch_graph: ox.NamedNode) -> Change:
    """The change: quads to add that the store lacks, quads to remove that it has."""
    gone = set(removed)
    there = _existing(store, [q for q in added if q not in gone])
    change_added = tuple(q for q in dict.fromkeys(added) if q not in gone and q not in there)
    change_removed = tuple(q for q in dict.fromkeys(removed) if q not in set(added))
    _refuse_reserved(change_added + change_removed, batch_graph)
    return Change(change_added, change_removed)


def _data_block(text: str) -> tuple[str, str, str] | None:
    """(prologue, 'INSERT' or 'DELETE', the block's inside) when `text` is exactly one INSERT/DELETE DATA."""
    toks = [t for t in lex.tokens(text) if t.kind not in ("space", "comment")]
    words = [t.text.upper() if t.kind == "word" else t.text for t in toks]
    i = 0
    while i < len(words) and words[i] in ("PREFIX", "BASE"):
        i += 3 if words[i] == "PREFIX" else 2
    if i + 2 >= len(words) or words[i] not in ("INSERT", "DELETE") or words[i + 1:i + 3] != ["DATA", "{"]:
        return None
    depth = 0
    for j in range(i + 2, len(toks)):
        if toks[j].kind == "other" and toks[j].text == "{":
            depth += 1
        elif toks[j].kind == "other" and toks[j].text == "}":
            depth -= 1
            if depth == 0:
                if j != len(toks) - 1:
                    return None  # another operation follows: the general path
                return text[:toks[i].start], words[i], text[toks[i + 2].start + 1:toks[j].start]
    return None


def _plan_data(store: Store, prologue: str, verb: str, body: str, batch_graph: ox.NamedNode,
               base_iri: str | None) -> Change | None:
    """The change of one DATA block, or None when TriG does not read it (SPARQL lets a block's last
    triple go without its '.'; rdflib's SPARQL parser then reads it, slowly)."""
    tail = body.rstrip()
    try:
        quads = parse_text(f"{prologue}\n{body}" + ("" if tail.endswith((".", "}")) or not tail else " ."),
                           RdfFormat.TRIG, name="update", base_iri=base_iri)
    except InputError:
        return None
    if verb == "INSERT":
        added = [ox.Quad(q.subject, q.predicate, q.object,
                         batch_graph if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name) for q in quads]
        if any(isinstance(t, ox.BlankNode)
               for q in added if q.graph_name != batch_graph for t in (q.subject, q.object)):
            raise QueryError(_NAME, "blank nodes may only be inserted without GRAPH (into the write's own batch "
                                    "graph), where retracting the batch can take them out again")
        return _change(store, added, [], batch_graph)
    if any(isinstance(t, ox.BlankNode) for q in quads for t in (q.subject, q.object)):
        raise QueryError(_NAME, "DELETE DATA cannot hold blank nodes")
    patterns = [(None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name, q.subject, q.predicate,
                 q.object) for q in quads]
    return _change(store, [], _holding(store, patterns, None), batch_graph)


def plan_put(store: Store, graph: str, body: bytes, fmt: RdfFormat, *, replace: bool) -> Change:
    """The change of a Graph Store PUT (`replace`) or POST of `body` into `graph`."""
    node = ox.NamedNode(graph)
    new = {ox.Quad(q.subject, q.predicate, q.object, node) for q in parse_text(body, fmt, name="request body")}
    old = set(_graph_quads(store, graph))
    if any(isinstance(t, ox.BlankNode) for q in new for t in (q.subject, q.object)):
        raise InputError("blank nodes cannot be written to a graph through a guarded write (they could not be "
                         "taken out again); name them with IRIs", path="request body")
    removed = tuple(sorted(old - new, key=str)) if replace else ()
    change = Change(tuple(sorted(new - old, key=str)), removed)
    _refuse_reserved(change.added + change.removed, None)
    return change


def plan_drop(store: Store, graph: str) -> Change:
    """The change of a Graph Store DELETE of `graph`."""
    change = Change((), tuple(_graph_quads(store, graph)))
    _refuse_reserved(change.removed, None)
    return change


# -- checking and applying --------------------------------------------------------------------------

def check(store: Store, shapes: Path | Shapes, change: Change, name: str) -> Report:
    """Delta validation of `change` on the store as it would be after it; never changes the store.

    The graphs the change removes from are read as they would be left (their other quads join
    the added ones in the check's scratch graph), so the cost grows with those graphs.
    """
    loaded = shapes if isinstance(shapes, Shapes) else load_shapes(shapes)
    touched = sorted({q.graph_name.value for q in change.removed if isinstance(q.graph_name, ox.NamedNode)})
    gone = set(change.removed)
    kept = [q for g in touched for q in _graph_quads(store, g) if q not in gone]
    return validate_delta(store, loaded, list(change.added) + kept, [URIRef(g) for g in touched], checked=(name,))


def apply(store: Store, shapes: Path | Shapes, text: bytes, change: Change, batch_graph: ox.NamedNode, *,
          agent: str, name: str, strict: bool = False, now: datetime | None = None) -> Written:
    """Check `change` and, if it introduces nothing, apply it with its record in one update.

    Raises NotConforming (with the report) when it would introduce violations (warnings too when
    `strict`), QueryError when it changes nothing; the store is unchanged then.
    """
    if not change.added and not change.removed:
        raise QueryError(name, "the write changes nothing (every quad it inserts is there already and none it "
                               "deletes is); nothing was recorded", status=400)
    report = check(store, shapes, change, name)
    if report.failed(strict=strict):
        failing = len(report.failing(strict=strict))
        raise NotConforming(name, report, detail=f"introduces {failing} result{'s' if failing != 1 else ''} that "
                                                 "break the shapes")
    started = now or datetime.now(UTC)
    digest = hashlib.sha256(text).hexdigest()
    batch_id = batch_graph.value.removeprefix(BATCH_PREFIX)
    target = URIRef(batch_graph.value)
    own = [q for q in change.added if q.graph_name == batch_graph]
    record = batch_record(target, batch_id, agent, None, name, digest, len(own), started)
    activity = URIRef(f"{target}#activity")
    quads = [record_quad(s, p, o, batch_graph) for s, p, o in record]
    quads += _statements(activity, PROV.invalidated, change.removed, batch_graph, "removed")
    quads += _statements(activity, PROV.generated, [q for q in change.added if q.graph_name != batch_graph],
                         batch_graph, "added")
    quads.append(record_quad(URIRef(f"{target}#file"), URIRef("http://purl.org/dc/terms/description"),
                             Literal(text.decode("utf-8", "replace")), batch_graph))
    store.update(_update_text(change.removed, list(change.added) + quads), allow_load=True,
                 graphs=_graphs_of(change.removed + change.added + (batch_graph,)))
    batch = Batch(batch_id, target, agent, started, name, digest, None, len(own))
    return Written(batch, len(change.added), len(change.removed), report)


def new_batch_graph(store: Store, text: bytes, now: datetime | None = None) -> ox.NamedNode:
    """A free batch graph for a write of `text` (time and the first 8 hex digits of its SHA-256)."""
    started = now or datetime.now(UTC)
    digest = hashlib.sha256(text).hexdigest()
    return ox.NamedNode(str(GRAPH[f"batch/{free_batch_id(store, f'{started:%Y%m%dT%H%M%SZ}-{digest[:8]}')}"]))


def guarded_update(store: Store, shapes: Path, text: str, *, agent: str, base_iri: str | None = None,
                   allow_load: bool = False) -> Written:
    """Plan, check and apply one SPARQL update as a batch (the server's writer runs it)."""
    if not allow_load and lex.uses_keyword(text, "LOAD"):
        raise QueryError(_NAME, "LOAD is not allowed here; load files with 'clustergraph build'", status=403)
    body = text.encode("utf-8")
    graph = new_batch_graph(store, body)
    change = plan_update(store, text, graph, base_iri=base_iri)
    return apply(store, shapes, body, change, graph, agent=agent, name="SPARQL update")


def guarded_put(store: Store, shapes: Path, graph: str, body: bytes, fmt: RdfFormat, *, replace: bool,
                agent: str) -> tuple[bool, Written]:
    """A Graph Store PUT or POST as a batch; returns whether the graph existed, and the batch."""
    existed = URIRef(graph) in store.graph_sizes()
    change = plan_put(store, graph, body, fmt, replace=replace)
    batch = new_batch_graph(store, body)
    verb = "PUT" if replace else "POST"
    return existed, apply(store, shapes, body, change, batch, agent=agent, name=f"Graph Store {verb} <{graph}>")


def guarded_drop(store: Store, shapes: Path, graph: str, *, agent: str) -> Written | None:
    """A Graph Store DELETE as a batch; None when there is no such graph."""
    if URIRef(graph) not in store.graph_sizes():
        return None
    text = f"DELETE <{graph}>".encode()
    return apply(store, shapes, text, plan_drop(store, graph), new_batch_graph(store, text), agent=agent,
                 name=f"Graph Store DELETE <{graph}>")


# -- retracting -------------------------------------------------------------------------------------

def recorded(store: Store, batch: Batch) -> Change | None:
    """The change a guarded write recorded in `batch` (None for an ingested file's batch)."""
    rows = store.query(f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?how ?s ?p ?o ?g WHERE {{ GRAPH ?batch {{
            ?activity ?how ?st . VALUES ?how {{ prov:invalidated prov:generated }}
            ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; <{SD_NAME}> ?g }} }}""",
                       bindings={"batch": batch.graph})
    assert isinstance(rows, Solutions)
    own = store.query("SELECT ?s ?p ?o WHERE { GRAPH ?batch { ?s ?p ?o } }", bindings={"batch": batch.graph})
    assert isinstance(own, Solutions)
    is_write = store.query("ASK { GRAPH ?batch { ?f <http://purl.org/dc/terms/description> ?text } }",
                           bindings={"batch": batch.graph})
    if not getattr(is_write, "value", False):
        return None
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    for how, s, p, o, g in rows.rows:
        quad = ox.Quad(s, p, o, g)  # type: ignore[arg-type]
        (removed if getattr(how, "value", None) == str(PROV.invalidated) else added).append(quad)
    return Change(tuple(added), tuple(removed))


def retract_change(store: Store, shapes: Path | Shapes, batch: Batch, change: Change, *, force: bool,
                   strict: bool) -> Report:
    """Undo a guarded write: its added quads out (its batch graph dropped), its removed quads back.

    Refuses (NotConforming), unless `force`, when the result would break the shapes or a later
    batch depends on the quads: a later guarded write added or removed one of them, or a later
    ingest holds one of them.
    """
    later = _later_users(store, batch, change)
    if later and not force:
        raise InputError(f"batch {batch.id}: a later batch ({', '.join(later[:3])}) changed the same triples; "
                         "retract it first, or --force", consequence="nothing was retracted")
    undo = Change(change.removed, change.added)
    loaded = shapes if isinstance(shapes, Shapes) else load_shapes(shapes)
    touched = sorted({q.graph_name.value for q in undo.removed if isinstance(q.graph_name, ox.NamedNode)}
                     | {batch.graph})
    gone = set(undo.removed)
    kept = [q for g in touched if g != str(batch.graph) for q in _graph_quads(store, g) if q not in gone]
    report = validate_delta(store, loaded, list(undo.added) + kept, [URIRef(g) for g in touched],
                            checked=(f"retract {batch.id}",))
    if report.failed(strict=strict) and not force:
        failing = len(report.failing(strict=strict))
        raise NotConforming(f"batch {batch.id}", report,
                            detail=f"retracting it would leave the graph with {failing} new "
                                   f"result{'s' if failing != 1 else ''} that break the shapes; "
                                   "--force retracts it anyway")
    text = _update_text(undo.removed, undo.added) + f" ;\nDROP SILENT GRAPH <{batch.graph}>"
    store.update(text, allow_load=True, graphs=_graphs_of(undo.removed + undo.added) + [str(batch.graph)])
    return report


def retract(store: Store, shapes: Path | Shapes, batch_id: str, *, force: bool = False,
            strict: bool = False) -> Retracted:
    """Retract any batch: an ingested file's (its graph dropped) or a guarded write's (undone exactly)."""
    batch = find_batch(store, batch_id)
    change = recorded(store, batch)
    if change is None:
        return retract_ingested(store, shapes, batch_id, force=force, strict=strict)
    return Retracted(batch, retract_change(store, shapes, batch, change, force=force, strict=strict))


# -- helpers ----------------------------------------------------------------------------------------

_ESCAPED = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def _ox(term: Identifier) -> Any:
    """The pyoxigraph term of an rdflib term from rdflib's SPARQL parser, which keeps a prefixed
    name's escapes (`cgd:cluster\\/a`) in the IRI; an IRI never holds a backslash, so they go."""
    if isinstance(term, URIRef) and "\\" in term:
        term = URIRef(_ESCAPED.sub(r"\1", str(term)))
    return to_oxigraph(term)


def _field(node: Any, key: str) -> Any:
    """A part of an rdflib algebra node, None when absent (its own get() answers the key itself)."""
    return node[key] if key in node else None


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _prologue(text: str) -> str:
    """The PREFIX and BASE declarations of an update, to run its WHERE as a query."""
    out, toks, i = [], [t for t in lex.tokens(text) if t.kind not in ("space", "comment")], 0
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(toks):
            out.append(f"PREFIX {toks[i + 1].text} {toks[i + 2].text}")
            i += 3
            continue
        if word == "BASE" and i + 1 < len(toks):
            out.append(f"BASE {toks[i + 1].text}")
            i += 2
            continue
        i += 1
    return "\n".join(out)


def _where_groups(text: str) -> list[str]:
    """The text of each top-level `WHERE { ... }` group of DELETE/INSERT ... WHERE operations."""
    toks = list(lex.tokens(text))
    groups, depth, previous = [], 0, ""
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "other" and tok.text == "{":
            depth += 1
        elif tok.kind == "other" and tok.text == "}":
            depth -= 1
        elif tok.kind == "word" and depth == 0:
            word = tok.text.upper()
            if word == "WHERE" and previous != "DELETE":
                start = i + 1
                while start < len(toks) and toks[start].text != "{":
                    start += 1
                level, end = 0, start
                while end < len(toks):
                    if toks[end].text == "{":
                        level += 1
                    elif toks[end].text == "}":
                        level -= 1
                        if level == 0:
                            break
                    end += 1
                groups.append("".join(t.text for t in toks[start:end + 1]))
                i = end
            previous = word
        i += 1
    return groups


def _term(term: Identifier) -> str:
    if isinstance(term, Variable):
        return f"?{term}"
    if isinstance(term, BNode):
        return f"?_b{abs(hash(str(term)))}"  # a blank node in a pattern matches anything, as a variable
    return str(_ox(term))


def _pattern_text(triples: Sequence[tuple[Identifier, ...]], quads: dict[Any, Any]) -> str:
    body = " ".join(f"{_term(s)} {_term(p)} {_term(o)} ." for s, p, o in triples)
    for graph, inner in quads.items():
        patterns = " ".join(f"{_term(s)} {_term(p)} {_term(o)} ." for s, p, o in inner)
        body += f" GRAPH {_term(graph)} {{ " + patterns + " }"
    return "{ " + body + " }"


def _solutions(store: Store, prologue: str, where: str, using: tuple[str, ...],
               with_graph: Identifier | None) -> list[dict[str, Any]]:
    graphs = using or ((str(with_graph),) if isinstance(with_graph, URIRef) else ())
    result = store.query(f"{prologue}\nSELECT * WHERE {where}", options=QueryOptions(name=_NAME, default_graphs=graphs))
    assert isinstance(result, Solutions)
    return [{v: t for v, t in zip(result.variables, row) if t is not None} for row in result.rows]


def _value(term: Identifier, row: dict[str, Any], fresh: dict[BNode, ox.BlankNode] | None) -> Any:
    if isinstance(term, Variable):
        return row.get(str(term))
    if isinstance(term, BNode):
        if fresh is None:
            return None
        return fresh.setdefault(term, ox.BlankNode())
    return _ox(term)


def _ground(triples: Sequence[tuple[Identifier, ...]], quads: dict[Any, Any], row: dict[str, Any],
            default: ox.NamedNode, fresh: dict[BNode, ox.BlankNode] | None) -> Iterable[ox.Quad]:
    """The quads of an insert template for one solution (a triple with an unbound variable is left out)."""
    fresh = {} if fresh is None else fresh
    for graph, inner in [(None, triples), *quads.items()]:
        g = default if graph is None else _value(graph, row, fresh)
        if not isinstance(g, ox.NamedNode):
            continue
        for s, p, o in inner:
            terms = [_value(t, row, fresh) for t in (s, p, o)]
            if None not in terms:
                if g != default and any(isinstance(t, ox.BlankNode) for t in terms):
                    raise QueryError(_NAME, "blank nodes may only be inserted without GRAPH (into the write's own "
                                            "batch graph), where retracting the batch can take them out again")
                yield ox.Quad(terms[0], terms[1], terms[2], g)


def _patterns(triples: Sequence[tuple[Identifier, ...]], quads: dict[Any, Any]) -> list[tuple[Any, ...]]:
    """Ground (graph or None, s, p, o) of DELETE DATA."""
    out = [(None, *(_ox(t) for t in triple)) for triple in triples]
    out += [(_ox(g), *(_ox(t) for t in triple)) for g, inner in quads.items() for triple in inner]
    return out


def _instantiate(triples: Sequence[tuple[Identifier, ...]], quads: dict[Any, Any],
                 row: dict[str, Any]) -> list[tuple[Any, ...]]:
    out = []
    for graph, inner in [(None, triples), *quads.items()]:
        g = None if graph is None else _value(graph, row, None)
        if graph is not None and g is None:
            continue
        for s, p, o in inner:
            terms = [_value(t, row, None) for t in (s, p, o)]
            if None not in terms:
                out.append((g, *terms))
    return out


def _holding(store: Store, patterns: list[tuple[Any, ...]], with_graph: Identifier | None) -> list[ox.Quad]:
    """The quads the store has for ground (graph, s, p, o): in that graph, WITH's, or any named graph."""
    found: list[ox.Quad] = []
    for g, s, p, o in patterns:
        if g is None and isinstance(with_graph, URIRef):
            g = ox.NamedNode(str(with_graph))
        if g is not None:
            quad = ox.Quad(s, p, o, g)
            if _present(store, quad):
                found.append(quad)
            continue
        result = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", bindings=_bound(s=s, p=p, o=o))
        assert isinstance(result, Solutions)
        found += [ox.Quad(s, p, o, row[0]) for row in result.rows if isinstance(row[0], ox.NamedNode)
                  and not row[0].value.startswith(SCRATCH_GRAPHS)]
    return found


def _existing(store: Store, quads: Sequence[ox.Quad]) -> set[ox.Quad]:
    """Those of `quads` the store has, asked 500 at a time."""
    named = [q for q in quads if isinstance(q.graph_name, ox.NamedNode)
             and not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)]
    found: set[ox.Quad] = set()
    for start in range(0, len(named), 500):
        chunk = named[start:start + 500]
        rows = " ".join(f"({q.subject} {q.predicate} {q.object} {q.graph_name})" for q in chunk)
        result = store.query(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o ?g) {{ {rows} }} "
                             "GRAPH ?g { ?s ?p ?o } }", options=QueryOptions(name=_NAME))
        assert isinstance(result, Solutions)
        found |= {ox.Quad(*row) for row in result.rows}  # type: ignore[arg-type]
    return found


def _present(store: Store, quad: ox.Quad) -> bool:
    if not isinstance(quad.graph_name, ox.NamedNode) or isinstance(quad.subject, ox.BlankNode) \
            or isinstance(quad.object, ox.BlankNode):
        return False
    answer = store.query("ASK { GRAPH ?g { ?s ?p ?o } }", bindings=_bound(
        g=quad.graph_name, s=quad.subject, p=quad.predicate, o=quad.object))
    return bool(getattr(answer, "value", False))


def _bound(**terms: Any) -> dict[str, Identifier]:
    """Bindings (rdflib terms) from pyoxigraph terms."""
    out: dict[str, Identifier] = {}
    for name, term in terms.items():
        value = to_rdflib(term)
        assert value is not None
        out[name] = value
    return out


def _graph_node(graph: Identifier | None) -> ox.NamedNode | None:
    return ox.NamedNode(str(graph)) if isinstance(graph, URIRef) else None


def _graph_quads(store: Store, graph: str) -> list[ox.Quad]:
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": URIRef(graph)})
    assert isinstance(result, Triples)
    node = ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, node) for t in result.triples]


def _refuse_reserved(quads: Sequence[ox.Quad], own: ox.NamedNode | None) -> None:
    for quad in quads:
        g = quad.graph_name
        if isinstance(g, ox.NamedNode) and g != own and (g.value.startswith(BATCH_PREFIX)
                                                         or g.value.startswith(SCRATCH_GRAPHS)):
            raise QueryError(_NAME, f"<{g.value}> is a batch's record; batches are changed by retract only")


def _statements(activity: URIRef, how: URIRef, quads: Iterable[ox.Quad], graph: ox.NamedNode,
                kind: str) -> list[ox.Quad]:
    """`activity how [ a rdf:Statement ; rdf:subject s ; rdf:predicate p ; rdf:object o ; sd:name g ]`."""
    out = []
    act = _ox(activity)
    for n, q in enumerate(quads, start=1):
        st = ox.NamedNode(f"{graph.value}#{kind}-{n}")
        out += [ox.Quad(act, _ox(how), st, graph), ox.Quad(st, _ox(RDF.type), _ox(RDF.Statement), graph),
                ox.Quad(st, _ox(RDF.subject), q.subject, graph),
                ox.Quad(st, _ox(RDF.predicate), q.predicate, graph),
                ox.Quad(st, _ox(RDF.object), q.object, graph),
                ox.Quad(st, _ox(SD_NAME), q.graph_name, graph)]  # type: ignore[arg-type]
    return out


def _graphs_of(items: Sequence[ox.Quad | ox.NamedNode]) -> list[str]:
    """The named graphs of quads (and graph names), each once."""
    names = [i.value if isinstance(i, ox.NamedNode) else getattr(i.graph_name, "value", None) for i in items]
    return sorted({n for n in names if n})


def _update_text(removed: Sequence[ox.Quad], added: Sequence[ox.Quad]) -> str:
    """One update that removes then adds the quads (terms written by the store's serialiser)."""
    parts = []
    if removed:
        parts.append("DELETE DATA { " + " ".join(_quad_text(q) for q in removed) + " }")
    if added:
        parts.append("INSERT DATA { " + " ".join(_quad_text(q) for q in added) + " }")
    return " ;\n".join(parts) or "CLEAR SILENT GRAPH <urn:x-clustergraph:nothing>"


def _quad_text(q: ox.Quad) -> str:
    return f"GRAPH {q.graph_name} {{ {q.subject} {q.predicate} {q.object} }}"


def _later_users(store: Store, batch: Batch, change: Change) -> list[str]:
    """Ids of later batches that added or removed one of the quads of `change`."""
    later = []
    for other in batches(store):
        if other.started <= batch.started or other.id == batch.id:
            continue
        theirs = recorded(store, other)
        quads = set(change.added) | set(change.removed)
        if theirs is not None and quads & (set(theirs.added) | set(theirs.removed)):
            later.append(other.id)
        elif theirs is None and any(_in_graph(store, q, other.graph) for q in quads):
            later.append(other.id)
    return later


def _in_graph(store: Store, quad: ox.Quad, graph: URIRef) -> bool:
    return _present(store, ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(str(graph))))
