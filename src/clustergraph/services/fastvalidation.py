"""SHACL validation compiled to SPARQL and run on the store, with pyshacl for what it cannot compile.

Each shape that has targets is compiled into SPARQL SELECTs over the store's union graph: the
target (sh:targetClass following rdfs:subClassOf*, sh:targetNode, sh:targetSubjectsOf,
sh:targetObjectsOf, implicit class targets) is a group pattern binding a focus variable, the
path a SPARQL property path, and each core constraint a FILTER or a GROUP BY ... HAVING. Shapes
nested through sh:node, sh:not, sh:and, sh:or, sh:xone and sh:property are evaluated the same way
on the value nodes (their target is the outer pattern), and combined as sets in Python.
SHACL-SPARQL constraints (sh:select) run with the target pattern put first in their WHERE group,
so `$this` is bound by the target as pre-binding would bind it.

A shape using anything else (sh:closed, sh:qualifiedValueShape, sh:lessThan, sh:languageIn,
sh:target, `$shapesGraph` ...) is never skipped: it is validated by the reference engine in
validation.py, on the shapes graph with the compiled shapes' targets removed. Results are the same
`Result` values that engine gives (focus node, path, value, severity, source shape, component).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import count

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Identifier

from clustergraph.core.rdfio import INTEGER_RANGES
from clustergraph.core.results import Solutions, Triples, to_oxigraph, to_rdflib
from clustergraph.core.store import EmbeddedStore, QueryOptions, Store
from clustergraph.services.report import Origin, Report, Result
from clustergraph.services.sparqltext import binds_this_in_groups, not_exists_as_minus
from clustergraph.services.validation import Shapes, _order, _with, store_graph
from clustergraph.services.validation import _engine as reference_engine

Target = Callable[[str], str]  # a group pattern binding the given variable to each focus node
#: How many times each of the given focus nodes is reached: a nested shape's value node shared by
#: two parent focus nodes is validated, and its results reported, once for each (as pyshacl does)
Weights = Callable[[set[Identifier]], Mapping[Identifier, int]]

#: sh: predicates of a shape that are not constraints (or are handled where targets are).
_NOT_CONSTRAINTS = {SH.name, SH.description, SH.message, SH.severity, SH.order, SH.group, SH.defaultValue,
                    SH.deactivated, SH.path, SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                    SH.targetObjectsOf, SH.flags, SH.property}
_COMPILED = {SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.pattern, SH["in"], SH.hasValue,
             SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive, SH.minLength, SH.maxLength,
             SH.uniqueLang, SH.equals, SH.disjoint, SH.node, SH["not"], SH["and"], SH["or"], SH.xone, SH.sparql}
_NODE_KINDS = {SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
               SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
               SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
               SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))"}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_CASTABLE = {_XSD + t for t in ("integer", "decimal", "float", "double", "boolean", "dateTime", "date", "time")}
#: What the compiled SPARQL constraints leave to the reference engine: SHACL's pre-binding
#: forbids some of it, and the rest changes meaning when the target is joined in first.
_SPARQL_DELEGATED = re.compile(r"\b(MINUS|VALUES|SERVICE|GRAPH)\b|\bAS\s+[?$]this\b"
                               r"|[$?](currentShape|shapesGraph)\b|\$value\b", re.I)
_RANGES = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}
_PREFIXES = ("PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
             "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")


class Unsupported(Exception):
    """A shape uses something this engine does not compile; the reference engine takes it."""


@dataclass(frozen=True)
class Outcome:
    """What the compiled engine found, and the shapes it handed to the reference engine."""

    results: tuple[Result, ...]
    delegated: tuple[Identifier, ...]


def term(node: Identifier) -> str:
    """`node` in SPARQL syntax; blank nodes cannot be written into a query."""
    if isinstance(node, BNode):
        raise Unsupported(f"blank node {node} as a constant")
    return str(to_oxigraph(node))


@dataclass(frozen=True)
class Focus:
    """The only focus nodes to validate, listed per top shape in the store's named graph `graph`
    as `<graph> <graph#slot> ?node` (services/delta.py writes them; a list in the store rather
    than in the query text, which any term, blank nodes too, can join)."""

    graph: str
    slots: Mapping[Identifier, int]

    def target(self, shape: Identifier) -> Target | None:
        """The listed focus nodes of top shape `shape`, or None when it has none."""
        slot = self.slots.get(shape)
        if slot is None:
            return None
        g = self.graph
        return lambda v: f"{{ SELECT DISTINCT {v} WHERE {{ GRAPH <{g}> {{ <{g}> <{g}#{slot}> {v} }} }} }}"


class Compiler:
    """Compiles and runs the shapes of one shapes graph against one store."""

    def __init__(self, shapes: Graph, store: Store, *, focus: Focus | None = None,
                 dataset: QueryOptions = QueryOptions(name="compiled shape")) -> None:
        self.g = shapes
        self.store = store
        self.focus = focus
        self.dataset = dataset
        self._vars = count()
        # The parameters of SPARQL-based constraint components (of any class): left to pyshacl.
        self._custom = {p for param in shapes.objects(None, SH.parameter) for p in shapes.objects(param, SH.path)}
        # Literal target nodes as a query returns them ("4.0"^^xsd:decimal comes back as "4"),
        # to report them as the shapes graph writes them
        self._written: dict[Identifier, Identifier] = {}

    # -- helpers -------------------------------------------------------------------------------
    def fresh(self) -> str:
        return f"?_cg{next(self._vars)}"

    def objs(self, node: Identifier, p: URIRef) -> list[Identifier]:
        return [o for o in self.g.objects(node, p) if isinstance(o, Identifier)]

    def one(self, node: Identifier, p: URIRef) -> Identifier | None:
        return next((o for o in self.objs(node, p) if isinstance(o, Identifier)), None)

    def items(self, head: Identifier | None) -> list[Identifier]:
        out: list[Identifier] = []
        while head is not None and head != RDF.nil and len(out) < 10_000:
            first = self.one(head, RDF.first)
            if first is None:
                raise Unsupported(f"ill-formed list {head}")
            out.append(first)
            head = self.one(head, RDF.rest)
        return out

    def select(self, sparql: str) -> Iterator[dict[str, Identifier | None]]:
        result = self.store.query(_PREFIXES + sparql, options=self.dataset)
        assert isinstance(result, Solutions)
        for row in result.rows:
            yield {v: to_rdflib(t) for v, t in zip(result.variables, row)}

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

    # -- targets -------------------------------------------------------------------------------
    def top_target(self, shape: Identifier) -> Target | None:
        """The target pattern of a shape that has targets, else None."""
        parts: list[Callable[[str], str]] = []
        classes = list(self.objs(shape, SH.targetClass))
        if (shape, RDF.type, RDFS.Class) in self.g or (shape, RDF.type, OWL.Class) in self.g:
            classes.append(shape)
        for c in classes:
            parts.append(lambda v, c=c: f"{v} rdf:type/rdfs:subClassOf* {term(c)} .")  # type: ignore[misc]
        nodes = [n for n in self.objs(shape, SH.targetNode) if isinstance(n, Identifier)]
        for n in nodes:
            if isinstance(n, Literal) and (returned := as_returned(n)) != n:
                self._written.setdefault(returned, n)
        if nodes:
            parts.append(lambda v: f"VALUES {v} {{ {' '.join(term(n) for n in nodes)} }}")
        for p in self.objs(shape, SH.targetSubjectsOf):
            parts.append(lambda v, p=p: f"{v} {term(p)} [] .")  # type: ignore[misc]
        for p in self.objs(shape, SH.targetObjectsOf):
            parts.append(lambda v, p=p: f"[] {term(p)} {v} .")  # type: ignore[misc]
        if (shape, SH.target, None) in self.g:
            raise Unsupported("sh:target")
        if not parts:
            return None
        if self.focus is not None:
            return self.focus.target(shape)
        return lambda v: ("{ SELECT DISTINCT " + v + " WHERE { "
                          + " UNION ".join("{ " + part(v) + " }" for part in parts) + " } }")

    def values(self, shape: Identifier, target: Target, focus: str, value: str) -> str:
        """A pattern binding `focus` to each focus node and `value` to each of its value nodes."""
        path = self.one(shape, SH.path)
        if path is None:
            return f"{target(focus)} BIND({focus} AS {value})"
        return f"{target(focus)} {focus} {self.path(path)} {value} ."

    def value_target(self, shape: Identifier, target: Target) -> Target:
        """The value nodes of `shape` as the target of a nested shape."""
        def nested(v: str) -> str:
            return f"{{ SELECT DISTINCT {v} WHERE {{ {self.values(shape, target, self.fresh(), v)} }} }}"
        return nested

    # -- evaluation ----------------------------------------------------------------------------
    def failing(self, shape: Identifier, target: Target) -> set[Identifier]:
        """The focus nodes of `target` that do not conform to `shape`."""
        return {r.focus_node for r in self.evaluate(shape, target)}

    def evaluate(self, shape: Identifier, target: Target, weights: Weights | None = None) -> list[Result]:
        """The results of validating the focus nodes of `target` against `shape`, each result as
        many times as `weights` says its focus node is reached (once when None)."""
        if self.one(shape, SH.deactivated) == Literal(True):
            return []
        for p in set(self.g.predicates(shape, None)):
            if (isinstance(p, URIRef) and p.startswith(str(SH)) and p not in _NOT_CONSTRAINTS | _COMPILED
                    or p in self._custom):
                raise Unsupported(f"{p}")
        path = self.one(shape, SH.path)
        severity = URIRef(str(self.one(shape, SH.severity) or SH.Violation))
        message = self._message(shape)
        out: list[Result] = []

        def result(focus: Identifier | None, value: Identifier | None, component: str) -> None:
            assert focus is not None
            out.append(Result(focus, path, value, message or f"{component} violated", severity, shape,
                              SH[f"{component}ConstraintComponent"], path_triples=self._described(path)))

        def rows(where: str, component: str, with_value: bool = True) -> None:
            projection = "?this ?value" if with_value else "?this"
            for row in self.select(f"SELECT DISTINCT {projection} WHERE {{ {where} }}"):
                result(row["this"], row.get("value") if with_value else None, component)

        vals = self.values(shape, target, "?this", "?value")
        for c in self.objs(shape, SH["class"]):
            # not FILTER NOT EXISTS: the store evaluates it once per value, at a cost that grows
            # with the instances of the class; a left join reads each value's types once
            found = self.fresh()
            rows(f"{vals} OPTIONAL {{ ?value rdf:type/rdfs:subClassOf* {term(c)} BIND(true AS {found}) }} "
                 f"FILTER(!BOUND({found}))", "Class")
        for d in self.objs(shape, SH.datatype):
            rows(f"{vals} FILTER(!isLiteral(?value) || datatype(?value) != {term(d)}{_ill_typed(str(d))})",
                 "Datatype")
        for k in self.objs(shape, SH.nodeKind):
            kind = _NODE_KINDS.get(URIRef(str(k)))
            if kind is None:
                raise Unsupported(f"node kind {k}")
            rows(f"{vals} FILTER(!{kind})", "NodeKind")
        for pattern in self.objs(shape, SH.pattern):
            flags = self.one(shape, SH.flags)
            args = f"{term(Literal(str(pattern)))}" + (f", {term(Literal(str(flags)))}" if flags else "")
            rows(f"{vals} FILTER(isBlank(?value) || !regex(str(?value), {args}))", "Pattern")
        for head in self.objs(shape, SH["in"]):
            allowed = " ".join(term(i) for i in self.items(head))
            rows(f"{vals} FILTER NOT EXISTS {{ VALUES ?value {{ {allowed} }} }}", "In")
        for p, op in _RANGES.items():
            for bound in self.objs(shape, p):
                rows(f"{vals} FILTER(!COALESCE(?value {op} {term(bound)}, false))", p.split("#")[-1][:1].upper()
                     + p.split("#")[-1][1:])
        for p, op in ((SH.minLength, ">="), (SH.maxLength, "<=")):
            for n in self.objs(shape, p):
                rows(f"{vals} FILTER(isBlank(?value) || !(STRLEN(STR(?value)) {op} {int(n)}))",
                     "MinLength" if p == SH.minLength else "MaxLength")
        for v in self.objs(shape, SH.hasValue):
            if path is None:
                rows(f"{target('?this')} FILTER(!sameTerm(?this, {term(v)}))", "HasValue", with_value=False)
            else:
                rows(f"{target('?this')} FILTER NOT EXISTS {{ ?this {self.path(path)} {term(v)} }}", "HasValue",
                     with_value=False)
        if path is not None:
            self._counts(shape, target, path, result)
        for other in self.objs(shape, SH.equals):
            rows(f"{vals} FILTER NOT EXISTS {{ ?this {term(other)} ?value }}", "Equals")
            back = (f"FILTER NOT EXISTS {{ ?this {self.path(path)} ?value }}" if path is not None
                    else "FILTER(!sameTerm(?this, ?value))")
            rows(f"{target('?this')} ?this {term(other)} ?value . {back}", "Equals")
        for other in self.objs(shape, SH.disjoint):
            rows(f"{vals} ?this {term(other)} ?value .", "Disjoint")
        self._logical(shape, target, result)
        for sparql in self.objs(shape, SH.sparql):
            if isinstance(sparql, Identifier):
                out += self._sparql(shape, sparql, target, severity)
        if weights is not None and out:
            reached = weights({r.focus_node for r in out})
            out = [r for r in out for _ in range(reached.get(r.focus_node, 1))]
        for prop in self.objs(shape, SH.property):
            if isinstance(prop, Identifier) and path is None:
                out += self.evaluate(prop, target, weights)
            elif isinstance(prop, Identifier):
                out += self.evaluate(prop, self.value_target(shape, target), self._reached(shape, target, weights))
        return out

    def _pairs(self, shape: Identifier, target: Target, values: set[Identifier]) -> list[tuple[Identifier, Identifier]]:
        """The (focus node, value node) pairs of `shape` whose value is one of `values`."""
        vals = self.values(shape, target, "?this", "?value")
        restrict = ("" if any(isinstance(n, BNode) for n in values)
                    else f"VALUES ?value {{ {' '.join(sorted(term(n) for n in values))} }} ")
        query = f"SELECT DISTINCT ?this ?value WHERE {{ {restrict}{{ {vals} }} }}"
        return [(f, v) for r in self.select(query)
                if (f := r["this"]) is not None and (v := r["value"]) is not None and v in values]

    def _reached(self, shape: Identifier, target: Target, weights: Weights | None) -> Weights:
        """The weights of the value nodes of `shape`: once per focus node that has the value, times
        the times that focus node is reached."""
        def count(values: set[Identifier]) -> Mapping[Identifier, int]:
            pairs = self._pairs(shape, target, values)
            parents = weights({f for f, _ in pairs}) if weights is not None else {}
            reached: Counter[Identifier] = Counter()
            for focus, value in pairs:
                reached[value] += parents.get(focus, 1)
            return reached
        return count

    def _counts(self, shape: Identifier, target: Target, path: Identifier,
                result: Callable[[Identifier | None, Identifier | None, str], None]) -> None:
        p = self.path(path)
        for n in self.objs(shape, SH.minCount):
            if int(n) > 0:
                query = (f"SELECT ?this WHERE {{ {target('?this')} OPTIONAL {{ ?this {p} ?value }} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(n)})")
                for row in self.select(query):
                    result(row["this"], None, "MinCount")
        for n in self.objs(shape, SH.maxCount):
            query = (f"SELECT ?this WHERE {{ {target('?this')} ?this {p} ?value }} "
                     f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(n)})")
            for row in self.select(query):
                result(row["this"], None, "MaxCount")
        if self.one(shape, SH.uniqueLang) == Literal(True):
            query = (f"SELECT ?this ?lang WHERE {{ {target('?this')} ?this {p} ?value "
                     f"BIND(LANG(?value) AS ?lang) FILTER(isLiteral(?value) && ?lang != \"\") }} "
                     f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)")
            for row in self.select(query):
                result(row["this"], None, "UniqueLang")

    def _logical(self, shape: Identifier, target: Target,
                 result: Callable[[Identifier | None, Identifier | None, str], None]) -> None:
        """sh:node, sh:not, sh:and, sh:or, sh:xone: nested shapes on the value nodes, as sets."""
        lists = {k: [self.items(h) for h in self.objs(shape, k)] for k in (SH["and"], SH["or"], SH.xone)}
        singles = {k: [s for s in self.objs(shape, k) if isinstance(s, Identifier)]
                   for k in (SH.node, SH["not"])}
        if not any(lists.values()) and not any(singles.values()):
            return
        inner = self.value_target(shape, target)
        vals = self.values(shape, target, "?this", "?value")
        # the distinct value nodes first (few, where many focus nodes share them); the pairs only
        # for the values that fail
        nodes = {v for r in self.select(f"SELECT DISTINCT ?value WHERE {{ {vals} }}") if (v := r["value"]) is not None}
        bad: list[tuple[set[Identifier], str]] = []
        for s in singles[SH.node]:
            bad.append((self.failing(s, inner), "Node"))
        for s in singles[SH["not"]]:
            bad.append((nodes - self.failing(s, inner), "Not"))
        for members in lists[SH["and"]]:
            bad.append((set().union(*(self.failing(s, inner) for s in members)), "And"))
        for members in lists[SH["or"]]:
            fails = [self.failing(s, inner) for s in members]
            bad.append(({n for n in nodes if all(n in f for f in fails)}, "Or"))
        for members in lists[SH.xone]:
            fails = [self.failing(s, inner) for s in members]
            bad.append(({n for n in nodes if sum(n not in f for f in fails) != 1}, "Xone"))
        failed = set().union(*(b for b, _ in bad)) & nodes
        if not failed:
            return
        pairs = self._pairs(shape, target, failed)
        for values, component in bad:
            for focus, value in pairs:
                if value in values:
                    result(focus, value, component)

    def _sparql(self, shape: Identifier, constraint: Identifier, target: Target, severity: URIRef) -> list[Result]:
        if self.one(constraint, SH.deactivated) == Literal(True):
            return []
        select = self.one(constraint, SH.select)
        if select is None:
            raise Unsupported("SPARQL constraint without sh:select")
        text = str(select)
        if _SPARQL_DELEGATED.search(text) or len(re.findall(r"\bSELECT\b", text, re.I)) > 1:
            raise Unsupported("a SPARQL constraint the compiler leaves to the reference engine")
        path = self.one(shape, SH.path)
        if path is not None:
            text = text.replace("$PATH", self.path(path))
        text = re.sub(r"\$this\b", "?this", text)
        text = re.sub(r"\$(\w+)", r"?\1", text)
        head, brace, body = text.partition("{")
        if not binds_this_in_groups(body):
            # a group inside the WHERE (not an EXISTS) that does not match $this in a triple
            # pattern would see it unbound, where pre-binding would have bound it
            raise Unsupported("a nested group in a SPARQL constraint")
        if not brace or not re.search(r"\bSELECT\b", head, re.I):
            raise Unsupported("a SELECT the compiler cannot read")
        if not re.search(r"(\?this\b|\*)", head):
            head = re.sub(r"\bSELECT(\s+(DISTINCT|REDUCED))?", lambda m: m.group(0) + " ?this", head, count=1,
                          flags=re.I)
        query = self._prefixes(constraint) + head + "{ " + target("?this") + " " + not_exists_as_minus(
            body, target("?this") if self.focus else "")
        message = self._message(constraint) or self._message(shape)
        out = []
        for row in self.select(query):
            focus = row.get("this")
            if focus is None:
                continue
            value = row.get("value") if "value" in row else None
            if path is None and value is None:
                value = focus
            found_path = row.get("path") or path
            text_message = re.sub(r"\{[?$](\w+)\}", lambda m: str(row.get(m.group(1)) or ""), message)
            out.append(Result(focus, found_path, value, text_message, severity, shape,
                              SH.SPARQLConstraintComponent, path_triples=self._described(found_path)))
        return out

    def as_written(self, result: Result) -> Result:
        """`result` with a literal target node as the shapes graph writes it."""
        if not self._written:
            return result
        return replace(result, focus_node=self._written.get(result.focus_node, result.focus_node),
                       value=self._written.get(result.value, result.value) if result.value is not None else None)

    def _prefixes(self, node: Identifier) -> str:
        lines = []
        for holder in self.objs(node, SH.prefixes):
            for declaration in self.objs(holder, SH.declare):
                prefix, namespace = self.one(declaration, SH.prefix), self.one(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    lines.append(f"PREFIX {prefix}: <{namespace}>\n")
        return "".join(sorted(set(lines)))

    def _message(self, node: Identifier) -> str:
        messages = sorted((m for m in self.objs(node, SH.message) if isinstance(m, Literal)),
                          key=lambda m: (m.language not in (None, "en"), m.language or "", str(m)))
        return str(messages[0]) if messages else ""

    def _described(self, node: Identifier | None) -> tuple[tuple[Identifier, Identifier, Identifier], ...]:
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


def as_returned(literal: Literal) -> Identifier:
    """`literal` as a query of the store returns it: Oxigraph keeps some literals in a canonical
    form ("4.0"^^xsd:decimal as "4", "1"^^xsd:byte as "1"^^xsd:integer; oxigraph/oxigraph#526)."""
    found = _CANONICAL.query(f"SELECT ?x WHERE {{ VALUES ?x {{ {term(literal)} }} }}")
    assert isinstance(found, ox.QuerySolutions)
    returned = to_rdflib(next(iter(found))[0])
    assert returned is not None
    return returned


_CANONICAL = ox.Store()  # empty, in memory: only for as_returned


def _ill_typed(datatype: str) -> str:
    """A disjunct of a sh:datatype FILTER that also fails an ill-typed literal of `datatype` (such
    as "aldi"^^xsd:integer or "300"^^xsd:byte), where SPARQL can tell; else nothing."""
    if datatype in _CASTABLE:
        return f" || !COALESCE(isLiteral(<{datatype}>(STR(?value))), false)"
    if datatype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[datatype]
        bounds = [f"xsd:integer(STR(?value)) >= {low}"] if low is not None else []
        bounds += [f"xsd:integer(STR(?value)) <= {high}"] if high is not None else []
        return f" || !COALESCE(isLiteral(xsd:integer(STR(?value))) && {' && '.join(bounds)}, false)"
    return ""


def top_shapes(shapes: Graph) -> list[Identifier]:
    """The shapes that have targets of their own (explicit or implicit class targets), sorted."""
    found = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
             for s in shapes.subjects(p, None) if isinstance(s, Identifier)}
    found |= {s for s in shapes.subjects(RDF.type, RDFS.Class) if isinstance(s, Identifier)
              and ((s, RDF.type, SH.NodeShape) in shapes or (s, RDF.type, SH.PropertyShape) in shapes)}
    return sorted(found, key=str)


def run_compiled(store: Store, shapes: Graph, *, focus: Focus | None = None,
                 dataset: QueryOptions = QueryOptions(name="compiled shape"),
                 only: set[Identifier] | None = None) -> Outcome:
    """Validate the store against every shape with targets that compiles; list the others.

    `focus` replaces every target by the focus nodes listed for it, `dataset` says which graphs the
    queries read, `only` which top shapes to run (all when None). Never changes the store.
    The delegated shapes must be validated by the reference engine.
    """
    compiler = Compiler(shapes, store, focus=focus, dataset=dataset)
    results: list[Result] = []
    delegated: list[Identifier] = []
    for shape in top_shapes(shapes):
        if only is not None and shape not in only:
            continue
        try:
            target = compiler.top_target(shape)
            if target is not None:
                results += [compiler.as_written(r) for r in compiler.evaluate(shape, target)]
        except Unsupported:
            delegated.append(shape)
    return Outcome(tuple(results), tuple(delegated))


def residual(shapes: Graph, delegated: tuple[Identifier, ...]) -> Graph:
    """A copy of `shapes` in which only the `delegated` shapes keep their targets."""
    targets = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
    kept = set(delegated)
    out = Graph(bind_namespaces="none")
    for s, p, o in shapes:
        if p in targets and s not in kept:
            continue
        if p == RDF.type and o in (RDFS.Class, OWL.Class) and s not in kept:
            continue
        out.add((s, p, o))
    return out


def validate_compiled(store: Store, shapes: Shapes) -> list[Result]:
    """All results of the store against `shapes`: compiled where possible, the rest by pyshacl.

    Raises InputError when the reference engine cannot use a delegated shape.
    """
    outcome = run_compiled(store, shapes.graph)
    results = list(outcome.results)
    if outcome.delegated:
        rest = Shapes(residual(shapes.graph, outcome.delegated), shapes.files)
        results += reference_engine(store_graph(store), rest)
    return results


def validate_with_sparql(store: Store, shapes: Shapes, added: list[ox.Quad], checked: tuple[str, ...]) -> Report:
    """`validate` with the compiled engine: the store, with the `added` quads of `checked` files.

    Never changes the store: the files are validated in an in-memory copy of it. A result is
    pre-existing when the store alone has it, otherwise introduced.
    """
    if not added:
        labelled = [_with(r, Origin.PRE_EXISTING) for r in validate_compiled(store, shapes)]
    else:
        copied = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        assert isinstance(copied, Triples)
        graph = ox.NamedNode("urn:x-clustergraph:scratch")
        with EmbeddedStore() as scratch:
            scratch.add_quads([ox.Quad(t.subject, t.predicate, t.object, graph) for t in copied.triples]
                              + [ox.Quad(q.subject, q.predicate, q.object, graph) for q in added])
            found = validate_compiled(scratch, shapes)
        before = {r.key for r in validate_compiled(store, shapes)}
        labelled = [_with(r, Origin.PRE_EXISTING if r.key in before else Origin.INTRODUCED) for r in found]
    labelled.sort(key=_order)
    return Report(conforms=not labelled, results=tuple(labelled), checked=checked)
