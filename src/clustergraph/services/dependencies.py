"""What a shape reads: the edges whose change can change a focus node's results, as SPARQL.

Delta validation (services/delta.py) validates only the focus nodes a change can affect. A focus
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

from clustergraph.base.sparql import Token, tokens
from clustergraph.services.fastvalidation import Compiler, Unsupported, term, top_shapes



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
_STRUCTURE = {"FILTER", "BIND", "OPTIONAL", "MINUS", "UNION", "EXISTS", "NOT", "VALUES", "GRAPH", "SERVICE",
              "SELECT", "WHERE", "DISTINCT", "REDUCED", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET", "AS"}


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
        union = " UNION ".join(f"{{ {p} }}" for p in sorted(self.patterns))
        graphs = " ".join(seed_graphs)
        return f"SELECT DISTINCT ?this WHERE {{ VALUES ?_g {{ {graphs} }} {union} }}"


def reads(shapes: Graph, compiler: Compiler) -> Reads:
    """What every top shape of `shapes` reads (see the module docstring)."""
    out = Reads()
    for shape in top_shapes(shapes):
        try:
            found: set[str] = set()
            _targets(compiler, shape, found)
            _shape(compiler, shape, (), found, top=True, depth=0)
            out.patterns |= found
        except (Unbounded, Unsupported):
            out.unbounded.add(shape)
        if (shape, SH.targetObjectsOf, None) in shapes or (shape, SH.targetNode, None) in shapes:
            out.literal_targets = True
    return out


# -- shapes ----------------------------------------------------------------------------------------

def _targets(c: Compiler, shape: Identifier, found: set[str]) -> None:
    if c.objs(shape, SH.targetClass) or (shape, RDF.type, RDFS.Class) in c.g:
        found.update(_positions(_TYPE, ()))
    for p in c.objs(shape, SH.targetSubjectsOf):
        found.update(_positions(Step(term(p)), ()))
    for p in c.objs(shape, SH.targetObjectsOf):
        found.update(_positions(Step(term(p), False), ()))
    if c.objs(shape, SH.target):
        raise Unbounded("sh:target")


def _shape(c: Compiler, shape: Identifier, prefix: tuple[PathTree, ...], found: set[str], *,
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
        found.update(_sparql_reads(c._prefixes(constraint) + text))
    if any((shape, p, None) in c.g for p in c._custom):
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
        step = tree.predicate or "(!<urn:x-clustergraph:none>|^!<urn:x-clustergraph:none>)"
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

@dataclass
class _Group:
    parent: _Group | None
    patterns: list[tuple[str, str, str]] = field(default_factory=list)

    def around(self) -> list[tuple[str, str, str]]:
        """The patterns of this group and of the groups around it."""
        out: list[tuple[str, str, str]] = []
        group: _Group | None = self
        while group is not None:
            out += group.patterns
            group = group.parent
        return out


def _sparql_reads(text: str) -> set[str]:
    """The patterns that bind ?this to the focus nodes an edge filling any triple pattern affects."""
    toks = [t for t in tokens(text) if t.kind not in ("space", "comment")]
    words = [t.text.upper() for t in toks if t.kind == "word"]
    if words.count("SELECT") != 1 or "GRAPH" in words or "SERVICE" in words:
        raise Unbounded("a SPARQL constraint with a sub-SELECT, GRAPH or SERVICE")
    prefixes = {m.group(1): m.group(2) for m in re.finditer(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", text, re.I)}
    start = next(i for i, t in enumerate(toks) if t.text == "{")
    groups: list[_Group] = []
    _parse_group(toks, start + 1, _Group(None), groups, prefixes)
    found: set[str] = set()
    for group in groups:
        around = group.around()
        for i, (s, p, o) in enumerate(group.patterns):
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


def _parse_group(toks: list[Token], i: int, group: _Group, groups: list[_Group], prefixes: dict[str, str]) -> int:
    """Read the group that starts after its '{' at `i`; returns the index after its '}'."""
    groups.append(group)
    current: list[Token] = []

    def flush() -> None:
        if current:
            group.patterns.extend(_triples(current, prefixes))
            current.clear()

    while i < len(toks):
        t = toks[i]
        word = t.text.upper() if t.kind == "word" else ""
        if t.text == "}":
            flush()
            return i + 1
        if t.text == "{":
            flush()
            i = _parse_group(toks, i + 1, _Group(group), groups, prefixes)
            continue
        if word in ("FILTER", "BIND"):
            flush()
            i += 1
            if i < len(toks) and toks[i].text == "(":
                i = _skip_parens(toks, i)
            continue  # FILTER NOT EXISTS { } and FILTER EXISTS { }: the group comes next
        if word in ("OPTIONAL", "MINUS", "UNION", "NOT", "EXISTS"):
            flush()
            i += 1
            continue
        if word == "VALUES":
            raise Unbounded("VALUES in a SPARQL constraint")
        if t.text == "." and current and not _in_number(toks, i):
            current.append(t)
            i += 1
            continue
        current.append(t)
        i += 1
    raise Unbounded("an unbalanced SPARQL constraint")


def _skip_parens(toks: list[Token], i: int) -> int:
    depth = 0
    while i < len(toks):
        depth += {"(": 1, ")": -1}.get(toks[i].text, 0)
        i += 1
        if depth == 0:
            return i
    raise Unbounded("unbalanced parentheses")


def _in_number(toks: list[Token], i: int) -> bool:
    return 0 < i < len(toks) - 1 and toks[i - 1].text.isdigit() and toks[i + 1].text.isdigit()


def _triples(toks: list[Token], prefixes: dict[str, str]) -> list[tuple[str, str, str]]:
    """Triple patterns of a run of tokens (subjects, ';' predicate lists and ',' object lists)."""
    out: list[tuple[str, str, str]] = []
    i, n = 0, len(toks)
    while i < n:
        if toks[i].text == ".":
            i += 1
            continue
        subject, i = _term(toks, i, prefixes)
        while True:
            predicate, i = _path_text(toks, i, prefixes)
            while True:
                obj, i = _term(toks, i, prefixes)
                out.append((subject, predicate, obj))
                if i < n and toks[i].text == ",":
                    i += 1
                    continue
                break
            if i < n and toks[i].text == ";":
                i += 1
                if i < n and toks[i].text in (".", ";"):
                    continue
                if i >= n:
                    break
                continue
            break
    return out


def _resolve(t: Token, prefixes: dict[str, str]) -> str:
    if t.kind == "pname":
        prefix, _, local = t.text.partition(":")
        if prefix not in prefixes:
            raise Unbounded(f"unknown prefix {prefix}:")
        return f"<{prefixes[prefix]}{local}>"
    return t.text


def _term(toks: list[Token], i: int, prefixes: dict[str, str]) -> tuple[str, int]:
    if i >= len(toks):
        raise Unbounded("a triple pattern cut short")
    t = toks[i]
    if t.kind in ("var", "iri", "pname"):
        return _resolve(t, prefixes), i + 1
    if t.text == "[" and i + 1 < len(toks) and toks[i + 1].text == "]":
        return "[]", i + 2
    if t.kind == "string" or t.text.isdigit() or t.text in ("-", "+") or t.kind == "word":
        j = i + 1
        while j < len(toks) and toks[j].text not in (".", ";", ",") or (j < len(toks) and _in_number(toks, j)):
            j += 1
        return "".join(x.text if x.kind != "pname" else _resolve(x, prefixes) for x in toks[i:j]), j
    raise Unbounded(f"a triple pattern term the reader does not know: {t.text}")


def _path_text(toks: list[Token], i: int, prefixes: dict[str, str]) -> tuple[str, int]:
    """The predicate (a variable, IRI or property path) at `i`, in SPARQL syntax with full IRIs."""
    if i < len(toks) and toks[i].kind == "var":
        return toks[i].text, i + 1
    out: list[str] = []
    depth, expect_step = 0, True
    while i < len(toks):
        t = toks[i]
        if expect_step:
            if t.text in ("^", "("):
                depth += t.text == "("
                out.append(t.text)
            elif t.kind in ("iri", "pname"):
                out.append(_resolve(t, prefixes))
                expect_step = False
            elif t.kind == "word" and t.text == "a":
                out.append(term(RDF.type))
                expect_step = False
            else:
                raise Unbounded(f"a property path the reader does not know at {t.text}")
        elif t.text in ("/", "|"):
            out.append(t.text)
            expect_step = True
        elif t.text in ("*", "+", "?"):
            out.append(t.text)
        elif t.text == ")" and depth > 0:
            depth -= 1
            out.append(t.text)
        else:
            break
        i += 1
    return "".join(out), i


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
