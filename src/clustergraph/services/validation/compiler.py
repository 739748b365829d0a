"""SHACL shapes compiled to SPARQL SELECTs and run on the store.

Each shape that has targets is compiled into SPARQL SELECTs over the store's union graph: the
target (sh:targetClass following rdfs:subClassOf*, sh:targetNode, sh:targetSubjectsOf,
sh:targetObjectsOf, implicit class targets) is a group pattern binding a focus variable, the
path a SPARQL property path, and each core constraint a FILTER or a GROUP BY ... HAVING. Shapes
nested through sh:node, sh:not, sh:and, sh:or, sh:xone and sh:property are evaluated the same way
on the value nodes (their target is the outer pattern), and combined as sets in Python.
SHACL-SPARQL constraints (sh:select) run with the target pattern put first in their WHERE group,
so `$this` is bound by the target as pre-binding would bind it.

A shape using anything else raises `Unsupported` (services/validation/shapesgraph.py), and
services/validation/fastvalidation.py hands it to the reference engine.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import count

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Identifier

from clustergraph.core.rdfio import INTEGER_RANGES
from clustergraph.core.results import Solutions, to_rdflib
from clustergraph.core.store import QueryOptions, Store
from clustergraph.services.validation.report import Result
from clustergraph.services.validation.shapesgraph import ShapesGraph, Unsupported, as_returned, term
from clustergraph.services.validation.sparqltext import binds_this_in_groups, not_exists_as_minus

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


@dataclass(frozen=True)
class Focus:
    """The only focus nodes to validate, listed per top shape in the store's named graph `graph`
    as `<graph> <graph#slot> ?node` (services/validation/delta.py writes them; a list in the store rather
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


class Compiler(ShapesGraph):
    """Compiles and runs the shapes of one shapes graph against one store."""

    def __init__(self, shapes: Graph, store: Store, *, focus: Focus | None = None,
                 dataset: QueryOptions = QueryOptions(name="compiled shape")) -> None:
        super().__init__(shapes)
        self.store = store
        self.focus = focus
        self.dataset = dataset
        self._vars = count()
        # Literal target nodes as a query returns them ("4.0"^^xsd:decimal comes back as "4"),
        # to report them as the shapes graph writes them
        self._written: dict[Identifier, Identifier] = {}

    # -- helpers -------------------------------------------------------------------------------
    def fresh(self) -> str:
        return f"?_cg{next(self._vars)}"

    def select(self, sparql: str) -> Iterator[dict[str, Identifier | None]]:
        result = self.store.query(_PREFIXES + sparql, options=self.dataset)
        assert isinstance(result, Solutions)
        for row in result.rows:
            yield {v: to_rdflib(t) for v, t in zip(result.variables, row)}

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
                    or p in self.custom_parameters):
                raise Unsupported(f"{p}")
        path = self.one(shape, SH.path)
        severity = URIRef(str(self.one(shape, SH.severity) or SH.Violation))
        message = self.message(shape)
        out: list[Result] = []

        def result(focus: Identifier | None, value: Identifier | None, component: str) -> None:
            assert focus is not None
            out.append(Result(focus, path, value, message or f"{component} violated", severity, shape,
                              SH[f"{component}ConstraintComponent"], path_triples=self.described(path)))

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
        query = self.prefixes(constraint) + head + "{ " + target("?this") + " " + not_exists_as_minus(
            body, target("?this") if self.focus else "")
        message = self.message(constraint) or self.message(shape)
        out = []
        for row in self.select(query):
            focus = row.get("this")
            if focus is None:
                continue
            value = row.get("value") if "value" in row else None
            if path is None and value is None:
                value = focus
            found_path = row.get("path") or path
            text_message = re.sub(r"\{[?$](\w+)\}", lambda m: str(row.get(m.group(1)) or ""), message)  # noqa: B023 - run here
            out.append(Result(focus, found_path, value, text_message, severity, shape,
                              SH.SPARQLConstraintComponent, path_triples=self.described(found_path)))
        return out

    def as_written(self, result: Result) -> Result:
        """`result` with a literal target node as the shapes graph writes it."""
        if not self._written:
            return result
        return replace(result, focus_node=self._written.get(result.focus_node, result.focus_node),
                       value=self._written.get(result.value, result.value) if result.value is not None else None)


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
