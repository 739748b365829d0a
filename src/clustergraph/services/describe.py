"""What the graph says about one resource, for people (a page) and machines (its triples).

A resource's description is its label and types, its properties (outgoing triples, with one level
of blank nodes), the links to it (incoming triples), and the claims about it: any cg:Claim (or a
subclass) with any property pointing at it, with the claim's source, locator and evidence status.
Never changes the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import URIRef

from clustergraph.base.terms import CG_IRI, shorten
from clustergraph.core.results import OxTerm, Solutions, Triples
from clustergraph.core.store import QueryOptions, Store, bind_rows
from clustergraph.services.sparql import text

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: Properties that name a thing, best first (describe-labels.rq reads them).
LABEL_PROPERTIES = ("skos:prefLabel", "rdfs:label", "dcterms:title", "schema:name", "foaf:name", "skos:notation")
#: Most incoming links and properties a page shows.
PAGE_ROWS = 500
#: The fixed queries (services/sparql/describe-*.rq); ?x is bound to the resource.
_EXISTS = text("describe-exists")
_TRIPLES = text("describe-triples")
_PROPERTIES = text("describe-properties")  # LIMIT PAGE_ROWS * 4
_INCOMING = text("describe-incoming")  # LIMIT PAGE_ROWS + 1
_TYPES = text("describe-types")
_CLAIMS = text("describe-claims")  # LIMIT PAGE_ROWS * 4
_LABELS = text("describe-labels")  # ?x bound to a list; the properties of LABEL_PROPERTIES


@dataclass(frozen=True)
class Value:
    """An RDF term as a page shows it: the term's text, its label if it has one, and its kind."""

    text: str
    label: str | None = None
    kind: str = "iri"  # iri | literal | bnode
    language: str | None = None
    datatype: str | None = None
    nested: tuple[tuple[Value, Value], ...] = ()

    @property
    def shown(self) -> str:
        """What a person reads: the label, else the text."""
        return self.label or self.text


@dataclass(frozen=True)
class Claim:
    """A claim about a resource: its kinds, sources, locator, evidence status and what it states."""

    iri: Value
    kinds: tuple[Value, ...]
    sources: tuple[Value, ...]
    status: Value | None
    locator: str | None
    statement: str | None
    via: tuple[Value, ...]  # the claim's properties that point at the resource


@dataclass(frozen=True)
class Description:
    """Everything a resource's page shows."""

    iri: str
    label: str | None
    types: tuple[Value, ...]
    properties: tuple[tuple[Value, Value], ...]
    incoming: tuple[tuple[Value, Value], ...]
    claims: tuple[Claim, ...] = field(default=())
    truncated: bool = False

    def is_a(self, class_iri: str) -> bool:
        """Whether the resource has `class_iri` among its (asserted or superclass) types."""
        return any(t.text == class_iri for t in self.types)


def exists(store: Store, iri: str) -> bool:
    """Whether any triple has `iri` as subject or object; False for text that is not an IRI."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return store.ask(_EXISTS, bindings={"x": URIRef(iri)}, options=QueryOptions(name=iri))


def resource_triples(store: Store, iri: str, *, limit: int | None = None) -> Triples:
    """The resource's triples for machines: outgoing (with one level of blank nodes) and incoming."""
    return store.construct(_TRIPLES, bindings={"x": URIRef(iri)}, options=QueryOptions(name=iri, limit=limit))


def describe(store: Store, iri: str) -> Description:
    """The description of `iri` for its page; labels are fetched for every IRI it shows."""
    out = _select(store, _PROPERTIES, iri, about=iri)
    incoming = _select(store, _INCOMING, iri, about=iri)
    types = _select(store, _TYPES, iri, about=iri)
    claims = _select(store, _CLAIMS, iri, about=iri)
    terms = [t for result in (out, incoming, types, claims) for row in result.rows for t in row]
    names = labels(store, terms + [ox.NamedNode(iri)])
    own_label = names.get(iri)

    properties: dict[tuple[str, str], tuple[Value, Value, list[tuple[Value, Value]]]] = {}
    for p, o, p2, o2 in out.rows:
        key = (str(p), str(o))
        if key not in properties:
            properties[key] = (value(p, names), value(o, names), [])
        if p2 is not None and o2 is not None:
            properties[key][2].append((value(p2, names), value(o2, names)))
    props = tuple(
        (p, Value(o.text, o.label, o.kind, o.language, o.datatype, tuple(nested)))
        for p, o, nested in sorted(properties.values(), key=lambda x: (_property_order(x[0]), x[1].shown))
    )
    return Description(
        iri=iri,
        label=own_label,
        types=tuple(value(t[0], names) for t in types.rows if t[0] is not None),
        properties=props,
        incoming=tuple((value(s, names), value(p, names)) for s, p in incoming.rows[:PAGE_ROWS]),
        claims=_claims(claims, names),
        truncated=len(incoming.rows) > PAGE_ROWS or len(out.rows) >= PAGE_ROWS * 4,
    )


def labels(store: Store, terms: Iterable[OxTerm | str | None]) -> dict[str, str]:
    """The best label of each IRI among `terms` (terms, or IRIs as text): English, then no language, then any."""
    iris = sorted({t.value if isinstance(t, ox.NamedNode) else t for t in terms if isinstance(t, (ox.NamedNode, str))})
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(iris), 400):
        chunk = bind_rows(_LABELS, ["x"], [[URIRef(i)] for i in iris[start:start + 400]], "labels")
        result = _select(store, chunk, "labels")
        for x, label in result.rows:
            if not isinstance(x, ox.NamedNode) or not isinstance(label, ox.Literal):
                continue
            rank = 0 if label.language == "en" else 1 if not label.language else 2
            best = found.get(x.value)
            if best is None or (rank, label.value) < best:
                found[x.value] = (rank, label.value)
    return {iri: text for iri, (_, text) in found.items()}


def value(term: OxTerm | str | None, names: dict[str, str]) -> Value:
    """The Value a page shows for `term` (an IRI if text), labelled from `names` (else a short name)."""
    if isinstance(term, str):
        return Value(term, names.get(term) or prefixed(term), "iri")
    if isinstance(term, ox.NamedNode):
        return Value(term.value, names.get(term.value) or prefixed(term.value), "iri")
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if not term.language else None
        return Value(term.value, None, "literal", term.language or None,
                     None if datatype == "http://www.w3.org/2001/XMLSchema#string" else datatype)
    if isinstance(term, ox.BlankNode):
        return Value(f"_:{term.value}", None, "bnode")
    return Value("", None, "literal")


def prefixed(iri: str) -> str:
    """`prefix:local` for an IRI under a known prefix, else the IRI itself: a page and a spreadsheet
    message show an IRI as a link or as typed, never in the <...> of shorten()."""
    short = shorten(iri)
    return iri if short == f"<{iri}>" else short


@dataclass
class _ClaimRows:
    """The rows of one claim, gathered (a claim with two sources comes in two rows)."""

    iri: Value
    kinds: dict[str, Value] = field(default_factory=dict)
    sources: dict[str, Value] = field(default_factory=dict)
    via: dict[str, Value] = field(default_factory=dict)
    status: Value | None = None
    locator: str | None = None
    statement: str | None = None

    def claim(self) -> Claim:
        kinds = dict(self.kinds)
        if len(kinds) > 1:
            kinds.pop(f"<{CG_IRI}Claim>", None)  # the more specific kinds say more
        return Claim(self.iri, tuple(kinds.values()), tuple(self.sources.values()), self.status, self.locator,
                     self.statement, tuple(self.via.values()))


def _claims(result: Solutions, names: dict[str, str]) -> tuple[Claim, ...]:
    grouped: dict[str, _ClaimRows] = {}
    for claim, via, kind, source, status, locator, statement in result.rows:
        if claim is None:
            continue
        rows = grouped.setdefault(str(claim), _ClaimRows(value(claim, names)))
        for found, term in ((rows.kinds, kind), (rows.sources, source), (rows.via, via)):
            if term is not None:
                found[str(term)] = value(term, names)
        if status is not None:
            rows.status = value(status, names)
        if isinstance(locator, ox.Literal):
            rows.locator = locator.value
        if isinstance(statement, ox.Literal):
            rows.statement = statement.value
    return tuple(rows.claim() for rows in grouped.values())


def _property_order(p: Value) -> tuple[int, str]:
    # rdf:type first, then labels, then everything else by its shown name.
    if p.text == _RDF_TYPE:
        return (0, "")
    if prefixed(p.text) in LABEL_PROPERTIES:
        return (1, p.shown)
    return (2, p.shown)


def _select(store: Store, sparql: str, name: str, *, about: str | None = None) -> Solutions:
    """Run a SELECT named `name` for errors; `about`, an IRI, is bound to ?x (never pasted in)."""
    bindings = {"x": URIRef(about)} if about is not None else None
    return store.select(sparql, bindings=bindings, options=QueryOptions(name=name))

