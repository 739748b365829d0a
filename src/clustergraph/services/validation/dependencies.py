"""What a shape reads: the edges whose change can change a focus node's results, as SPARQL.

Delta validation (services/validation/delta.py) validates only the focus nodes a change can affect. A focus
node F of a shape can be affected by an added or removed edge (s, p, o) only when the shape reads
that edge from F: p is a step of one of the shape's paths (or of a nested shape's path, of the
`rdf:type/rdfs:subClassOf*` that sh:class and class targets read, of sh:equals ...), and s (or o,
for an inverse step) is reached from F by the steps before it. So each such *position* gives a
SPARQL pattern that finds, from the changed edges, the focus nodes that reach them:

    GRAPH ?_g { ?_n <p> ?_m }   ?this <steps before p> ?_n .

A SPARQL constraint reads the triple patterns of its WHERE clause. An edge that fills one of
them changes a result only in a solution where the patterns of that group and of the groups
around it hold too (never those of a sibling OPTIONAL, NOT EXISTS, MINUS or UNION branch), so
the pattern joins the edge with those patterns to reach ?this. A shape whose reads cannot be
bounded this way (a SPARQL constraint this reader cannot parse, a nested sub-SELECT, GRAPH,
a constraint on a nested shape's SPARQL) is *unbounded*: delta validation runs it in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Identifier

from clustergraph.base.terms import NOTHING
from clustergraph.services.validation.shapesgraph import ShapesGraph, Unsupported, term, top_shapes
from clustergraph.services.validation.sparqltext import Unreadable, triple_groups


@dataclass(frozen=True)
class Step:
    """One step of a path: a predicate ("<iri>", or None for any), forward or inverse."""

    predicate: str | None
    forward: bool = True


@dataclass(frozen=True)
class Seq:
    parts: tuple[PathTree, ...]


@dataclass(frozen=True)
class Alt:
    parts: tuple[PathTree, ...]


@dataclass(frozen=True)
class Rep:
    """A repeated path: `op` is "*", "+" or "?"."""

    op: str
    inner: PathTree


PathTree = Step | Seq | Alt | Rep
_TYPE: PathTree = Seq((Step(term(RDF.type)), Rep("*", Step(term(RDFS.subClassOf)))))
_NESTED = (SH.node, SH["not"], SH.property, SH.qualifiedValueShape)
_LISTS = (SH["and"], SH["or"], SH.xone)


class Unbounded(Exception):
    """The reads of a shape cannot be bounded; the shape is validated in full."""


@dataclass
class Reads:
    """Patterns binding ?this to the focus nodes a change can affect; `seed` is bound to the
    graphs that hold the changed edges. `unbounded` lists the top shapes to validate in full."""

    patterns: set[str] = field(default_factory=set)
    unbounded: set[Identifier] = field(default_factory=set)
    literal_targets: bool = False

    def query(self, seed_graphs: list[str]) -> str:
        """One SELECT of the affected focus nodes, the changed edges in `seed_graphs`."""
        graphs = " ".join(seed_graphs)
        # the seed graphs in each branch: joined to the union from outside, they came last, after
        # each branch had read every graph
        union = " UNION ".join(f"{{ VALUES ?_g {{ {graphs} }} {p} }}" for p in sorted(self.patterns))
        return f"SELECT DISTINCT ?this WHERE {{ {union} }}"


def reads(shapes: ShapesGraph) -> Reads:
    """What every top shape of `shapes` reads (see the module docstring)."""
    out = Reads()
    for shape in top_shapes(shapes.g):
        try:
            found: set[str] = set()
            _targets(shapes, shape, found)
            _shape(shapes, shape, (), found, top=True, depth=0)
            out.patterns |= found
        except (Unbounded, Unsupported):
            out.unbounded.add(shape)
        if (shape, SH.targetObjectsOf, None) in shapes.g or (shape, SH.targetNode, None) in shapes.g:
            out.literal_targets = True
    return out


# -- shapes ----------------------------------------------------------------------------------------

def _targets(c: ShapesGraph, shape: Identifier, found: set[str]) -> None:
    if c.objs(shape, SH.targetClass) or (shape, RDF.type, RDFS.Class) in c.g:
        found.update(_positions(_TYPE, ()))
    for p in c.objs(shape, SH.targetSubjectsOf):
        found.update(_positions(Step(term(p)), ()))
    for p in c.objs(shape, SH.targetObjectsOf):
        found.update(_positions(Step(term(p), False), ()))
    if c.objs(shape, SH.target):
        raise Unbounded("sh:target")


def _shape(c: ShapesGraph, shape: Identifier, prefix: tuple[PathTree, ...], found: set[str], *,
           top: bool, depth: int) -> None:
    """Add what `shape` reads from a node reached from ?this by `prefix`."""
    if depth > 12:
        raise Unbounded("shapes nested too deep (or recursive)")
    path = c.one(shape, SH.path)
    value_prefix = prefix
    if path is not None:
        tree = _shacl_path(c.g, path)
        found.update(_positions(tree, prefix))
        value_prefix = prefix + (tree,)
    if c.objs(shape, SH["class"]):
        found.update(_positions(_TYPE, value_prefix))
    for p in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
        for other in c.objs(shape, p):
            found.update(_positions(Step(term(other)), prefix))
    if c.objs(shape, SH.closed):
        found.update(_positions(Step(None), value_prefix))
    nested = [n for p in _NESTED for n in c.objs(shape, p)]
    nested += [m for p in _LISTS for head in c.objs(shape, p) for m in c.items(head)]
    for n in nested:
        _shape(c, n, value_prefix, found, top=False, depth=depth + 1)
    for constraint in c.objs(shape, SH.sparql):
        if not top:
            raise Unbounded("a SPARQL constraint on a nested shape")
        select = c.one(constraint, SH.select)
        if select is None:
            raise Unbounded("a SPARQL constraint without sh:select")
        text = str(select)
        if path is not None:
            text = text.replace("$PATH", c.path(path))
        text = re.sub(r"\$(\w+)", r"?\1", text)
        found.update(_sparql_reads(c.prefixes(constraint) + text))
    if any((shape, p, None) in c.g for p in c.custom_parameters):
        raise Unbounded("a SPARQL-based constraint component")


def _shacl_path(g: Graph, node: Identifier) -> PathTree:
    if isinstance(node, URIRef):
        return Step(term(node))
    if g.value(node, RDF.first) is not None:
        return Seq(tuple(_shacl_path(g, i) for i in _list(g, node)))
    inverse = g.value(node, SH.inversePath)
    if isinstance(inverse, Identifier):
        return _inverse(_shacl_path(g, inverse))
    for p, op in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = g.value(node, p)
        if isinstance(inner, Identifier):
            return Rep(op, _shacl_path(g, inner))
    alternatives = g.value(node, SH.alternativePath)
    if isinstance(alternatives, Identifier):
        return Alt(tuple(_shacl_path(g, i) for i in _list(g, alternatives)))
    raise Unbounded(f"path {node}")


def _list(g: Graph, head: Identifier) -> list[Identifier]:
    out: list[Identifier] = []
    while head != RDF.nil and len(out) < 10_000:
        first, rest = g.value(head, RDF.first), g.value(head, RDF.rest)
        if not isinstance(first, Identifier) or not isinstance(rest, Identifier):
            raise Unbounded(f"ill-formed list {head}")
        out.append(first)
        head = rest
    return out


# -- paths -----------------------------------------------------------------------------------------

def _inverse(tree: PathTree) -> PathTree:
    if isinstance(tree, Step):
        return Step(tree.predicate, not tree.forward)
    if isinstance(tree, Seq):
        return Seq(tuple(_inverse(t) for t in reversed(tree.parts)))
    if isinstance(tree, Alt):
        return Alt(tuple(_inverse(t) for t in tree.parts))
    return Rep(tree.op, _inverse(tree.inner))


def sparql_path(tree: PathTree) -> str:
    """The path in SPARQL syntax (a step with any predicate as a negated property set)."""
    if isinstance(tree, Step):
        step = tree.predicate or f"(!<{NOTHING}>|^!<{NOTHING}>)"
        return step if tree.forward else f"^{step}"
    if isinstance(tree, Seq):
        return "(" + "/".join(sparql_path(t) for t in tree.parts) + ")"
    if isinstance(tree, Alt):
        return "(" + "|".join(sparql_path(t) for t in tree.parts) + ")"
    return f"({sparql_path(tree.inner)}){tree.op}"


def _steps(tree: PathTree, prefix: tuple[PathTree, ...]) -> Iterator[tuple[tuple[PathTree, ...], Step]]:
    """Each single step of `tree` with the path that leads to it from the start of `prefix`."""
    if isinstance(tree, Step):
        yield prefix, tree
    elif isinstance(tree, Seq):
        for i, part in enumerate(tree.parts):
            yield from _steps(part, prefix + tree.parts[:i])
    elif isinstance(tree, Alt):
        for part in tree.parts:
            yield from _steps(part, prefix)
    elif tree.op == "?":
        yield from _steps(tree.inner, prefix)
    else:  # * and +: any number of rounds may come first
        yield from _steps(tree.inner, prefix + (Rep("*", tree.inner),))


def _positions(tree: PathTree, prefix: tuple[PathTree, ...], start: str = "?this") -> Iterator[str]:
    """Patterns binding `start` to each node from which `prefix` then `tree` reads a changed edge."""
    for before, step in _steps(tree, prefix):
        predicate = step.predicate or "?_p"
        edge = f"GRAPH ?_g {{ ?_n {predicate} ?_m }}" if step.forward else f"GRAPH ?_g {{ ?_m {predicate} ?_n }}"
        if not before:
            yield edge.replace("?_n", start)
        else:
            yield f"{edge} {start} {'/'.join(sparql_path(t) for t in before)} ?_n ."


# -- SPARQL constraints ----------------------------------------------------------------------------

def _sparql_reads(text: str) -> set[str]:
    """The patterns that bind ?this to the focus nodes an edge filling any triple pattern affects."""
    try:
        parsed = triple_groups(text)
    except Unreadable as exc:
        raise Unbounded(str(exc)) from exc
    found: set[str] = set()
    for group in parsed:
        around = group.around()
        for s, p, o in group.patterns:
            others = " ".join(f"{a} {b} {c} ." for a, b, c in around if (a, b, c) != (s, p, o))
            variables = {x for x in re.findall(r"\?\w+", f"{s} {p} {o} {others}")}
            if "?this" not in variables:
                raise Unbounded("a triple pattern not joined to $this")
            tree = _sparql_path_tree(p)
            if tree is None:  # a variable or a single IRI: the edge fills the pattern itself
                found.add(f"GRAPH ?_g {{ {s} {p} {o} }} {others}")
                continue
            for pos in _positions(tree, (), start=s):
                found.add(f"{pos} {s} {p} {o} . {others}")
    return found


def _sparql_path_tree(text: str) -> PathTree | None:
    """The tree of a SPARQL property path; None for a variable or a single IRI."""
    if text.startswith("?") or re.fullmatch(r"<[^>]*>", text):
        return None
    parts = re.findall(r"<[^>]*>|[()^/|*+?]", text)
    tree, rest = _alt(parts)
    if rest:
        raise Unbounded(f"property path {text}")
    return tree


def _alt(parts: list[str]) -> tuple[PathTree, list[str]]:
    items = []
    tree, parts = _seq(parts)
    items.append(tree)
    while parts and parts[0] == "|":
        tree, parts = _seq(parts[1:])
        items.append(tree)
    return (items[0] if len(items) == 1 else Alt(tuple(items))), parts


def _seq(parts: list[str]) -> tuple[PathTree, list[str]]:
    items = []
    tree, parts = _elt(parts)
    items.append(tree)
    while parts and parts[0] == "/":
        tree, parts = _elt(parts[1:])
        items.append(tree)
    return (items[0] if len(items) == 1 else Seq(tuple(items))), parts


def _elt(parts: list[str]) -> tuple[PathTree, list[str]]:
    if not parts:
        raise Unbounded("a property path cut short")
    inverse = parts[0] == "^"
    if inverse:
        parts = parts[1:]
    tree: PathTree
    if parts and parts[0] == "(":
        tree, parts = _alt(parts[1:])
        if not parts or parts[0] != ")":
            raise Unbounded("unbalanced property path")
        parts = parts[1:]
    elif parts and parts[0].startswith("<"):
        tree, parts = Step(parts[0]), parts[1:]
    else:
        raise Unbounded("a property path the reader does not know")
    while parts and parts[0] in ("*", "+", "?"):
        tree, parts = Rep(parts[0], tree), parts[1:]
    return (_inverse(tree) if inverse else tree), parts
