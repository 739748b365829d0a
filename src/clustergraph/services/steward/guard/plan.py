"""Planning a guarded write: the quads a SPARQL update or a Graph Store write would add and remove.

Nothing here changes the store. `plan_update` reads a SPARQL update's WHERE over the union of the
named graphs (see the package's docstring for the semantics), `plan_put` and `plan_drop` the
graph a Graph Store request names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, URIRef, Variable
from rdflib.term import Identifier

from clustergraph.base import sparql as lex
from clustergraph.base.errors import InputError, QueryError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import BATCH_PREFIX
from clustergraph.core.rdfio import parse_text
from clustergraph.core.results import Solutions
from clustergraph.core.store import SCRATCH_GRAPHS, QueryOptions, Store, bind_rows
from clustergraph.services.sparql import text
from clustergraph.services.steward.guard.change import (
    UPDATE_NAME,
    Change,
    bound,
    graph_quads,
    ox_term,
    present,
)

_NAME = UPDATE_NAME
_HOLDING = text("plan-holding")
_EXISTING = text("plan-existing")


def plan_update(store: Store, text: str, batch_graph: ox.NamedNode, *, base_iri: str | None = None) -> Change:
    """The quads a SPARQL update would add and remove, read from the store; never changes it.

    Raises QueryError (400) for a syntax error or an operation a guarded write does not take.
    """
    data = _data_block(text)
    if data is not None:  # one INSERT DATA or DELETE DATA: parsed as TriG by the store's parser, fast
        planned = _plan_data(store, *data, batch_graph, base_iri)
        if planned is not None:
            return planned
    operations = _operations(text, base_iri)
    update = _Update(store, _prologue(text), _where_groups(text), batch_graph)
    added: dict[ox.Quad, None] = {}
    removed: dict[ox.Quad, None] = {}
    for index, op in enumerate(operations):
        if op.name in ("Modify", "DeleteWhere") and index > 0:
            form = "DELETE/INSERT ... WHERE" if op.name == "Modify" else "DELETE WHERE"
            raise QueryError(_NAME, f"a guarded update takes {form} "
                                    "only as its first operation (its WHERE would not see the operations before "
                                    "it); send it as a request of its own")
        if op.name not in _OPERATIONS:
            raise QueryError(_NAME, f"{op.name.upper()} is not taken by a guarded write (it cannot be checked before "
                                    "it runs); use INSERT/DELETE, or the Graph Store Protocol")
        new, gone = _OPERATIONS[op.name](update, op)
        added.update(dict.fromkeys(new))
        removed.update(dict.fromkeys(gone))
    if any(isinstance(t, ox.BlankNode) for q in removed for t in (q.subject, q.object)):
        raise QueryError(_NAME, "a guarded write cannot delete blank-node triples (they cannot be named to put them "
                                "back); retract the batch that added them instead")
    return _change(store, list(added), list(removed), batch_graph)


def _operations(text: str, base_iri: str | None) -> list[Any]:
    """The operations of an update, as rdflib's SPARQL algebra (QueryError for a syntax error)."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate
    try:
        return list(translateUpdate(parseUpdate(text), base=base_iri).algebra)
    except Exception as exc:  # pyparsing's and rdflib's errors: the engine's own check words them
        raise QueryError(_NAME, f"SPARQL syntax error: {_first_line(exc)}") from exc


@dataclass(frozen=True)
class _Update:
    """What planning one operation needs of its update: the store, the PREFIX and BASE lines, the text
    of each top-level WHERE group, and the write's own batch graph."""

    store: Store
    prologue: str
    wheres: list[str]
    batch_graph: ox.NamedNode


#: (quads added, quads removed) by one operation.
_Planned = tuple[list[ox.Quad], list[ox.Quad]]


def _insert_data(update: _Update, op: Any) -> _Planned:
    """INSERT DATA: its triples (into the batch graph when without GRAPH)."""
    return list(_ground(_field(op, "triples") or [], _field(op, "quads") or {}, {}, update.batch_graph, None)), []


def _delete_data(update: _Update, op: Any) -> _Planned:
    """DELETE DATA: the quads the store holds of its triples (from every named graph when without GRAPH)."""
    return [], _holding(update.store, _patterns(_field(op, "triples") or [], _field(op, "quads") or {}), None)


def _delete_where(update: _Update, op: Any) -> _Planned:
    """DELETE WHERE: its pattern read over the union, each solution's quads the store holds."""
    triples, quads = _field(op, "triples") or [], _field(op, "quads") or {}
    removed: list[ox.Quad] = []
    for row in _solutions(update.store, update.prologue, _pattern_text(triples, quads), (), None):
        removed += _holding(update.store, _instantiate(triples, quads, row), None)
    return [], removed


def _modify(update: _Update, op: Any) -> _Planned:
    """DELETE/INSERT ... WHERE: the first WHERE group read over the union (or USING / WITH graphs),
    each solution's deleted quads the store holds and its inserted quads (fresh blank nodes each)."""
    with_graph = _field(op, "withClause")
    using = tuple(str(_field(u, "default") or u) for u in _field(op, "using") or [] if not _field(u, "named"))
    if not update.wheres:
        raise QueryError(_NAME, "no WHERE group found in the update")
    rows = _solutions(update.store, update.prologue, update.wheres[0], using, with_graph)
    delete, insert = _field(op, "delete"), _field(op, "insert")
    added: list[ox.Quad] = []
    removed: list[ox.Quad] = []
    for row in rows:
        if delete is not None:
            deleted = _instantiate(_field(delete, "triples") or [], _field(delete, "quads") or {}, row)
            removed += _holding(update.store, deleted, with_graph)
        if insert is not None:
            fresh: dict[BNode, ox.BlankNode] = {}
            added += _ground(_field(insert, "triples") or [], _field(insert, "quads") or {}, row,
                             _graph_node(with_graph) or update.batch_graph, fresh)
    return added, removed


def _drop_graph(update: _Update, op: Any) -> _Planned:
    """DROP or CLEAR GRAPH <iri>: every quad of the graph (ALL, NAMED and DEFAULT are refused)."""
    target = _field(op, "graphiri")
    if not isinstance(target, URIRef):
        raise QueryError(_NAME, f"{op.name.upper()} {target} is not taken by a guarded write; drop graphs one "
                                "by one (DROP GRAPH <iri>)")
    return [], graph_quads(update.store, str(target))


def _create(update: _Update, op: Any) -> _Planned:
    """CREATE GRAPH: nothing (a graph exists when it holds a quad)."""
    return [], []


#: The operations a guarded update takes, by the name of rdflib's algebra node.
_OPERATIONS: dict[str, Callable[[_Update, Any], _Planned]] = {
    "InsertData": _insert_data, "DeleteData": _delete_data, "DeleteWhere": _delete_where, "Modify": _modify,
    "Drop": _drop_graph, "Clear": _drop_graph, "Create": _create}


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
    old = set(graph_quads(store, graph))
    if any(isinstance(t, ox.BlankNode) for q in new for t in (q.subject, q.object)):
        raise InputError("blank nodes cannot be written to a graph through a guarded write (they could not be "
                         "taken out again); name them with IRIs", path="request body")
    removed = tuple(sorted(old - new, key=str)) if replace else ()
    change = Change(tuple(sorted(new - old, key=str)), removed)
    _refuse_reserved(change.added + change.removed, None)
    return change


def plan_drop(store: Store, graph: str) -> Change:
    """The change of a Graph Store DELETE of `graph`."""
    change = Change((), tuple(graph_quads(store, graph)))
    _refuse_reserved(change.removed, None)
    return change


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
    return str(ox_term(term))


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
    return ox_term(term)


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
    out = [(None, *(ox_term(t) for t in triple)) for triple in triples]
    out += [(ox_term(g), *(ox_term(t) for t in triple)) for g, inner in quads.items() for triple in inner]
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
            if present(store, quad):
                found.append(quad)
            continue
        result = store.query(_HOLDING, bindings=bound(s=s, p=p, o=o))
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
        rows = [list(bound(s=q.subject, p=q.predicate, o=q.object, g=q.graph_name).values()) for q in chunk]
        result = store.query(bind_rows(_EXISTING, ["s", "p", "o", "g"], rows, _NAME),
                             options=QueryOptions(name=_NAME))
        assert isinstance(result, Solutions)
        found |= {ox.Quad(*row) for row in result.rows}  # type: ignore[arg-type]
    return found


def _graph_node(graph: Identifier | None) -> ox.NamedNode | None:
    return ox.NamedNode(str(graph)) if isinstance(graph, URIRef) else None


def _refuse_reserved(quads: Sequence[ox.Quad], own: ox.NamedNode | None) -> None:
    for quad in quads:
        g = quad.graph_name
        if isinstance(g, ox.NamedNode) and g != own and (g.value.startswith(BATCH_PREFIX)
                                                         or g.value.startswith(SCRATCH_GRAPHS)):
            raise QueryError(_NAME, f"<{g.value}> is a batch's record; batches are changed by retract only")
