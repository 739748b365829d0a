"""Reading a SHACL shapes graph: a shape's values, lists, paths, messages and prefixes.

`ShapesGraph` reads an rdflib shapes graph and needs no store; services/validation/compiler.py compiles
shapes with it and services/validation/dependencies.py works out what they read. `term` writes a node in
SPARQL syntax, and `as_returned` a literal as a query of the store returns it.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Identifier

from clustergraph.core.results import to_oxigraph, to_rdflib
from clustergraph.core.store import bind
from clustergraph.services.sparql import text


class Unsupported(Exception):
    """A shape uses something the compiled engine does not compile; the reference engine takes it."""


def term(node: Identifier) -> str:
    """`node` in SPARQL syntax; blank nodes cannot be written into a query."""
    if isinstance(node, BNode):
        raise Unsupported(f"blank node {node} as a constant")
    return str(to_oxigraph(node))


class ShapesGraph:
    """Reads the shapes of one shapes graph; raises Unsupported for what it cannot read."""

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        # The parameters of SPARQL-based constraint components (of any class): left to pyshacl.
        self.custom_parameters = {p for param in shapes.objects(None, SH.parameter)
                                  for p in shapes.objects(param, SH.path)}

    def objs(self, node: Identifier, p: URIRef) -> list[Identifier]:
        """The objects of `node` for predicate `p`."""
        return [o for o in self.g.objects(node, p) if isinstance(o, Identifier)]

    def one(self, node: Identifier, p: URIRef) -> Identifier | None:
        """One object of `node` for predicate `p`, or None."""
        return next((o for o in self.objs(node, p) if isinstance(o, Identifier)), None)

    def items(self, head: Identifier | None) -> list[Identifier]:
        """The members of the RDF list starting at `head`."""
        out: list[Identifier] = []
        while head is not None and head != RDF.nil and len(out) < 10_000:
            first = self.one(head, RDF.first)
            if first is None:
                raise Unsupported(f"ill-formed list {head}")
            out.append(first)
            head = self.one(head, RDF.rest)
        return out

    def path(self, node: Identifier) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(node, URIRef):
            return term(node)
        if self.one(node, RDF.first) is not None:
            return "(" + "/".join(self.path(i) for i in self.items(node)) + ")"
        unary = {SH.inversePath: "^({})", SH.zeroOrMorePath: "({})*", SH.oneOrMorePath: "({})+",
                 SH.zeroOrOnePath: "({})?"}
        for p, template in unary.items():
            inner = self.one(node, p)
            if inner is not None:
                return template.format(self.path(inner))
        alternatives = self.one(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(i) for i in self.items(alternatives)) + ")"
        raise Unsupported(f"path {node}")

    def prefixes(self, node: Identifier) -> str:
        """The PREFIX lines that `node`'s sh:prefixes declare."""
        lines = []
        for holder in self.objs(node, SH.prefixes):
            for declaration in self.objs(holder, SH.declare):
                prefix, namespace = self.one(declaration, SH.prefix), self.one(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    lines.append(f"PREFIX {prefix}: <{namespace}>\n")
        return "".join(sorted(set(lines)))

    def message(self, node: Identifier) -> str:
        """`node`'s sh:message (English or untagged first), or ""."""
        messages = sorted((m for m in self.objs(node, SH.message) if isinstance(m, Literal)),
                          key=lambda m: (m.language not in (None, "en"), m.language or "", str(m)))
        return str(messages[0]) if messages else ""

    def described(self, node: Identifier | None) -> tuple[tuple[Identifier, Identifier, Identifier], ...]:
        """The triples describing blank node `node` (a path), and the blank nodes it reaches."""
        out: list[tuple[Identifier, Identifier, Identifier]] = []
        todo, seen = [node], set()
        while todo:
            current = todo.pop()
            if isinstance(current, BNode) and current not in seen:
                seen.add(current)
                for p, o in self.g.predicate_objects(current):
                    if isinstance(p, Identifier) and isinstance(o, Identifier):
                        out.append((current, p, o))
                        todo.append(o)
        return tuple(out)


def top_shapes(shapes: Graph) -> list[Identifier]:
    """The shapes that have targets of their own (explicit or implicit class targets), sorted."""
    found = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
             for s in shapes.subjects(p, None) if isinstance(s, Identifier)}
    found |= {s for s in shapes.subjects(RDF.type, RDFS.Class) if isinstance(s, Identifier)
              and ((s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape) in shapes)}
    return sorted(found, key=str)


def as_returned(literal: Literal) -> Identifier:
    """`literal` as a query of the store returns it: Oxigraph keeps some literals in a canonical
    form ("4.0"^^xsd:decimal as "4", "1"^^xsd:byte as "1"^^xsd:integer; oxigraph/oxigraph#526)."""
    found = _CANONICAL.query(bind(_AS_RETURNED, {"x": literal}, "as_returned"))
    assert isinstance(found, ox.QuerySolutions)
    returned = to_rdflib(next(iter(found))[0])
    assert returned is not None
    return returned


_CANONICAL = ox.Store()  # empty, in memory: only for as_returned
_AS_RETURNED = text("shapesgraph-as-returned")
