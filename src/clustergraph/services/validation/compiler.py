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
from dataclasses import dataclass, field, replace
from itertools import count

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Identifier

from clustergraph.base.terms import XSD
from clustergraph.core.rdfio import INTEGER_RANGES
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
_NODE_KINDS = {SH.IRI: "isIRI(?value)", SH.BlankNode: "isBlank(?value)", SH.Literal: "isLiteral(?value)",
               SH.BlankNodeOrIRI: "(isBlank(?value) || isIRI(?value))",
               SH.BlankNodeOrLiteral: "(isBlank(?value) || isLiteral(?value))",
               SH.IRIOrLiteral: "(isIRI(?value) || isLiteral(?value))"}
_CASTABLE = {XSD + t for t in ("integer", "decimal", "float", "double", "boolean", "dateTime", "date", "time")}
#: What the compiled SPARQL constraints leave to the reference engine: SHACL's pre-binding
#: forbids some of it, and the rest changes meaning when the target is joined in first.
_SPARQL_DELEGATED = re.compile(r"\b(MINUS|VALUES|SERVICE|GRAPH)\b|\bAS\s+[?$]this\b"
                               r"|[$?](currentShape|shapesGraph)\b|\$value\b", re.I)
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
        yield from self.store.select(_PREFIXES + sparql, options=self.dataset).dicts()

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
        many times as `weights` says its focus node is reached (once when None).

        Each constraint component is one function of `_COMPONENTS`, run in its order; then the
        shape's property shapes, on the value nodes."""
        if self.one(shape, SH.deactivated) == Literal(True):
            return []
        for p in set(self.g.predicates(shape, None)):
            if (isinstance(p, URIRef) and p.startswith(str(SH)) and p not in _NOT_CONSTRAINTS | _COMPILED
                    or p in self.custom_parameters):
                raise Unsupported(f"{p}")
        path = self.one(shape, SH.path)
        check = _Check(self, shape, target, path, URIRef(str(self.one(shape, SH.severity) or SH.Violation)),
                       self.message(shape), self.values(shape, target, "?this", "?value"))
        for parameters, component in _COMPONENTS:
            if any((shape, p, None) in self.g for p in parameters):
                component(check)
        out = check.out
        if weights is not None and out:
            reached = weights({r.focus_node for r in out})
            out = [r for r in out for _ in range(reached.get(r.focus_node, 1))]
        for prop in self.objs(shape, SH.property):
            if isinstance(prop, Identifier) and path is None:
                out += self.evaluate(prop, target, weights)
            elif isinstance(prop, Identifier):
                out += self.evaluate(prop, self.value_target(shape, target), self._reached(shape, target, weights))
        return out

    def pairs(self, shape: Identifier, target: Target, values: set[Identifier]) -> list[tuple[Identifier, Identifier]]:
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
            pairs = self.pairs(shape, target, values)
            parents = weights({f for f, _ in pairs}) if weights is not None else {}
            reached: Counter[Identifier] = Counter()
            for focus, value in pairs:
                reached[value] += parents.get(focus, 1)
            return reached
        return count

    def sparql(self, shape: Identifier, constraint: Identifier, target: Target, severity: URIRef) -> list[Result]:
        """The results of one SPARQL-based constraint of `shape` (SHACL 5.3), its SELECT joined to the target."""
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


# -- constraint components ----------------------------------------------------------------------
# One function per SHACL core constraint component (SHACL 4) and one for SPARQL-based constraints
# (SHACL 5), as pySHACL has one class per component. Each reads its parameters from the shape and
# adds a result per focus node (and value node) that violates them.

@dataclass
class _Check:
    """One shape's constraints evaluated on the focus nodes of one target: what the component
    functions read (`values` binds ?this to each focus node and ?value to each value node) and
    where they put their results (`out`)."""

    compiler: Compiler
    shape: Identifier
    target: Target
    path: Identifier | None
    severity: URIRef
    message: str
    values: str
    out: list[Result] = field(default_factory=list)

    def params(self, parameter: URIRef) -> list[Identifier]:
        """The values of `parameter` on the shape."""
        return self.compiler.objs(self.shape, parameter)

    def result(self, focus: Identifier | None, value: Identifier | None, component: str) -> None:
        """A result of the component `sh:<component>ConstraintComponent`."""
        assert focus is not None
        self.out.append(Result(focus, self.path, value, self.message or f"{component} violated", self.severity,
                               self.shape, SH[f"{component}ConstraintComponent"],
                               path_triples=self.compiler.described(self.path)))

    def rows(self, where: str, component: str, with_value: bool = True) -> None:
        """A result for each (?this, ?value) of `where` (each ?this, without `with_value`)."""
        projection = "?this ?value" if with_value else "?this"
        for row in self.compiler.select(f"SELECT DISTINCT {projection} WHERE {{ {where} }}"):
            self.result(row["this"], row.get("value") if with_value else None, component)

    def grouped(self, query: str, component: str) -> None:
        """A result, without a value, for each ?this of a GROUP BY query."""
        for row in self.compiler.select(query):
            self.result(row["this"], None, component)


def _class(check: _Check) -> None:
    """sh:class, SHACL 4.1.1: each value node is an instance of the class (through rdfs:subClassOf*)."""
    for c in check.params(SH["class"]):
        # not FILTER NOT EXISTS: the store evaluates it once per value, at a cost that grows
        # with the instances of the class; a left join reads each value's types once
        found = check.compiler.fresh()
        check.rows(f"{check.values} OPTIONAL {{ ?value rdf:type/rdfs:subClassOf* {term(c)} BIND(true AS {found}) }} "
                   f"FILTER(!BOUND({found}))", "Class")


def _datatype(check: _Check) -> None:
    """sh:datatype, SHACL 4.1.2: each value node is a well-formed literal of the datatype."""
    for d in check.params(SH.datatype):
        check.rows(f"{check.values} FILTER(!isLiteral(?value) || datatype(?value) != {term(d)}{_ill_typed(str(d))})",
                   "Datatype")


def _node_kind(check: _Check) -> None:
    """sh:nodeKind, SHACL 4.1.3: each value node is of the node kind (IRI, blank node, literal, ...)."""
    for k in check.params(SH.nodeKind):
        kind = _NODE_KINDS.get(URIRef(str(k)))
        if kind is None:
            raise Unsupported(f"node kind {k}")
        check.rows(f"{check.values} FILTER(!{kind})", "NodeKind")


def _pattern(check: _Check) -> None:
    """sh:pattern (with sh:flags), SHACL 4.4.3: the string of each value node matches the regex."""
    for pattern in check.params(SH.pattern):
        flags = check.compiler.one(check.shape, SH.flags)
        args = f"{term(Literal(str(pattern)))}" + (f", {term(Literal(str(flags)))}" if flags else "")
        check.rows(f"{check.values} FILTER(isBlank(?value) || !regex(str(?value), {args}))", "Pattern")


def _in(check: _Check) -> None:
    """sh:in, SHACL 4.8.3: each value node is a member of the list."""
    for head in check.params(SH["in"]):
        allowed = " ".join(term(i) for i in check.compiler.items(head))
        check.rows(f"{check.values} FILTER NOT EXISTS {{ VALUES ?value {{ {allowed} }} }}", "In")


def _compare(check: _Check, parameter: URIRef, op: str, component: str) -> None:
    """Each value node compares with the bound by `op`; a value SPARQL cannot compare fails."""
    for bound in check.params(parameter):
        check.rows(f"{check.values} FILTER(!COALESCE(?value {op} {term(bound)}, false))", component)


def _min_inclusive(check: _Check) -> None:
    """sh:minInclusive, SHACL 4.3.2: each value node is >= the bound."""
    _compare(check, SH.minInclusive, ">=", "MinInclusive")


def _max_inclusive(check: _Check) -> None:
    """sh:maxInclusive, SHACL 4.3.4: each value node is <= the bound."""
    _compare(check, SH.maxInclusive, "<=", "MaxInclusive")


def _min_exclusive(check: _Check) -> None:
    """sh:minExclusive, SHACL 4.3.1: each value node is > the bound."""
    _compare(check, SH.minExclusive, ">", "MinExclusive")


def _max_exclusive(check: _Check) -> None:
    """sh:maxExclusive, SHACL 4.3.3: each value node is < the bound."""
    _compare(check, SH.maxExclusive, "<", "MaxExclusive")


def _min_length(check: _Check) -> None:
    """sh:minLength, SHACL 4.4.1: the string of each value node (not a blank node) is at least this long."""
    for n in check.params(SH.minLength):
        check.rows(f"{check.values} FILTER(isBlank(?value) || !(STRLEN(STR(?value)) >= {int(n)}))", "MinLength")


def _max_length(check: _Check) -> None:
    """sh:maxLength, SHACL 4.4.2: the string of each value node (not a blank node) is at most this long."""
    for n in check.params(SH.maxLength):
        check.rows(f"{check.values} FILTER(isBlank(?value) || !(STRLEN(STR(?value)) <= {int(n)}))", "MaxLength")


def _has_value(check: _Check) -> None:
    """sh:hasValue, SHACL 4.8.2: the value is among the value nodes (the focus node is it, without a path)."""
    for v in check.params(SH.hasValue):
        if check.path is None:
            check.rows(f"{check.target('?this')} FILTER(!sameTerm(?this, {term(v)}))", "HasValue", with_value=False)
        else:
            check.rows(f"{check.target('?this')} FILTER NOT EXISTS {{ ?this {check.compiler.path(check.path)} "
                       f"{term(v)} }}", "HasValue", with_value=False)


def _min_count(check: _Check) -> None:
    """sh:minCount, SHACL 4.2.1: at least this many value nodes (of a property shape)."""
    if check.path is None:
        return
    p = check.compiler.path(check.path)
    for n in check.params(SH.minCount):
        if int(n) > 0:
            check.grouped(f"SELECT ?this WHERE {{ {check.target('?this')} OPTIONAL {{ ?this {p} ?value }} }} "
                          f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(n)})", "MinCount")


def _max_count(check: _Check) -> None:
    """sh:maxCount, SHACL 4.2.2: at most this many value nodes (of a property shape)."""
    if check.path is None:
        return
    p = check.compiler.path(check.path)
    for n in check.params(SH.maxCount):
        check.grouped(f"SELECT ?this WHERE {{ {check.target('?this')} ?this {p} ?value }} "
                      f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(n)})", "MaxCount")


def _unique_lang(check: _Check) -> None:
    """sh:uniqueLang, SHACL 4.4.5: no two value nodes (of a property shape) share a language tag."""
    if check.path is None or check.compiler.one(check.shape, SH.uniqueLang) != Literal(True):
        return
    p = check.compiler.path(check.path)
    check.grouped(f"SELECT ?this ?lang WHERE {{ {check.target('?this')} ?this {p} ?value "
                  f"BIND(LANG(?value) AS ?lang) FILTER(isLiteral(?value) && ?lang != \"\") }} "
                  f"GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)", "UniqueLang")


def _equals(check: _Check) -> None:
    """sh:equals, SHACL 4.5.1: the value nodes are exactly the focus node's values of the property."""
    for other in check.params(SH.equals):
        check.rows(f"{check.values} FILTER NOT EXISTS {{ ?this {term(other)} ?value }}", "Equals")
        back = (f"FILTER NOT EXISTS {{ ?this {check.compiler.path(check.path)} ?value }}" if check.path is not None
                else "FILTER(!sameTerm(?this, ?value))")
        check.rows(f"{check.target('?this')} ?this {term(other)} ?value . {back}", "Equals")


def _disjoint(check: _Check) -> None:
    """sh:disjoint, SHACL 4.5.2: no value node is a value of the focus node's property."""
    for other in check.params(SH.disjoint):
        check.rows(f"{check.values} ?this {term(other)} ?value .", "Disjoint")


def _node(check: _Check, members: list[Identifier], nodes: set[Identifier], inner: Target) -> set[Identifier]:
    """sh:node, SHACL 4.7.1: the value nodes that fail the node shape."""
    return check.compiler.failing(members[0], inner)


def _not(check: _Check, members: list[Identifier], nodes: set[Identifier], inner: Target) -> set[Identifier]:
    """sh:not, SHACL 4.6.1: the value nodes that conform to the shape."""
    return nodes - check.compiler.failing(members[0], inner)


def _and(check: _Check, members: list[Identifier], nodes: set[Identifier], inner: Target) -> set[Identifier]:
    """sh:and, SHACL 4.6.2: the value nodes that fail any shape of the list."""
    return set().union(*(check.compiler.failing(s, inner) for s in members))


def _or(check: _Check, members: list[Identifier], nodes: set[Identifier], inner: Target) -> set[Identifier]:
    """sh:or, SHACL 4.6.3: the value nodes that fail every shape of the list."""
    fails = [check.compiler.failing(s, inner) for s in members]
    return {n for n in nodes if all(n in f for f in fails)}


def _xone(check: _Check, members: list[Identifier], nodes: set[Identifier], inner: Target) -> set[Identifier]:
    """sh:xone, SHACL 4.6.4: the value nodes that conform to none, or to more than one, shape of the list."""
    fails = [check.compiler.failing(s, inner) for s in members]
    return {n for n in nodes if sum(n not in f for f in fails) != 1}


#: The components on nested shapes: for each parameter, its component, whether its value is a list
#: of shapes (else one shape), and the function giving the value nodes that violate one value of it.
_Nested = Callable[[_Check, list[Identifier], set[Identifier], Target], set[Identifier]]
_LOGICAL: dict[URIRef, tuple[str, bool, _Nested]] = {
    SH.node: ("Node", False, _node), SH["not"]: ("Not", False, _not), SH["and"]: ("And", True, _and),
    SH["or"]: ("Or", True, _or), SH.xone: ("Xone", True, _xone)}


def _logical(check: _Check) -> None:
    """sh:node, sh:not, sh:and, sh:or, sh:xone (SHACL 4.7.1, 4.6): the nested shapes validated on the
    distinct value nodes, combined as sets (`_LOGICAL`), then a result for each failing value node's
    focus nodes."""
    compiler = check.compiler
    params = {p: ([compiler.items(h) for h in check.params(p)] if is_list
                  else [[s] for s in check.params(p) if isinstance(s, Identifier)])
              for p, (_, is_list, _) in _LOGICAL.items()}
    if not any(params.values()):
        return
    inner = compiler.value_target(check.shape, check.target)
    # the distinct value nodes first (few, where many focus nodes share them); the pairs only
    # for the values that fail
    nodes = {v for r in compiler.select(f"SELECT DISTINCT ?value WHERE {{ {check.values} }}")
             if (v := r["value"]) is not None}
    bad = [(violating(check, members, nodes, inner), component)
           for p, (component, _, violating) in _LOGICAL.items() for members in params[p]]
    failed = set().union(*(b for b, _ in bad)) & nodes
    if not failed:
        return
    pairs = compiler.pairs(check.shape, check.target, failed)
    for values, component in bad:
        for focus, value in pairs:
            if value in values:
                check.result(focus, value, component)


def _sparql(check: _Check) -> None:
    """sh:sparql, SHACL 5 (SPARQL-based constraints): each SELECT joined to the shape's target."""
    for sparql in check.params(SH.sparql):
        if isinstance(sparql, Identifier):
            check.out += check.compiler.sparql(check.shape, sparql, check.target, check.severity)


#: The constraint components the compiler runs, each with its parameters, in the order their results come.
_COMPONENTS: tuple[tuple[tuple[URIRef, ...], Callable[[_Check], None]], ...] = (
    ((SH["class"],), _class), ((SH.datatype,), _datatype), ((SH.nodeKind,), _node_kind), ((SH.pattern,), _pattern),
    ((SH["in"],), _in), ((SH.minInclusive,), _min_inclusive), ((SH.maxInclusive,), _max_inclusive),
    ((SH.minExclusive,), _min_exclusive), ((SH.maxExclusive,), _max_exclusive), ((SH.minLength,), _min_length),
    ((SH.maxLength,), _max_length), ((SH.hasValue,), _has_value), ((SH.minCount,), _min_count),
    ((SH.maxCount,), _max_count), ((SH.uniqueLang,), _unique_lang), ((SH.equals,), _equals),
    ((SH.disjoint,), _disjoint), (tuple(_LOGICAL), _logical), ((SH.sparql,), _sparql))
#: The sh: predicates of a shape the compiler runs; a shape with any other constraint is Unsupported.
_COMPILED = {p for parameters, _ in _COMPONENTS for p in parameters}


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
