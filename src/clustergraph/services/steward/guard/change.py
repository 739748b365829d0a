"""What a guarded write changes (`Change`), and the reads and writes of quads every step shares.

A change is a set of quads to add and a set of quads to remove; `present` and `graph_quads` read
them in the store, Store.change_quads writes them in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Identifier

from clustergraph.core.results import Triples, to_oxigraph, to_rdflib
from clustergraph.core.store import Store
from clustergraph.services.sparql import text

SD_NAME = URIRef("http://www.w3.org/ns/sparql-service-description#name")


#: The name errors of a guarded update give as their source.
UPDATE_NAME = "update"

_PRESENT = text("change-present")
_GRAPH_QUADS = text("change-graph-quads")


@dataclass(frozen=True)
class Change:
    """What a write would do: quads it adds, quads it removes (each present or absent as it says)."""

    added: tuple[ox.Quad, ...]
    removed: tuple[ox.Quad, ...]


_ESCAPED = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def ox_term(term: Identifier) -> Any:
    """The pyoxigraph term of an rdflib term from rdflib's SPARQL parser, which keeps a prefixed
    name's escapes (`cgd:cluster\\/a`) in the IRI; an IRI never holds a backslash, so they go."""
    if isinstance(term, URIRef) and "\\" in term:
        term = URIRef(_ESCAPED.sub(r"\1", str(term)))
    return to_oxigraph(term)


def bound(**terms: Any) -> dict[str, Identifier]:
    """Bindings (rdflib terms) from pyoxigraph terms."""
    out: dict[str, Identifier] = {}
    for name, term in terms.items():
        value = to_rdflib(term)
        assert value is not None
        out[name] = value
    return out


def present(store: Store, quad: ox.Quad) -> bool:
    if not isinstance(quad.graph_name, ox.NamedNode) or isinstance(quad.subject, ox.BlankNode) \
            or isinstance(quad.object, ox.BlankNode):
        return False
    answer = store.query(_PRESENT, bindings=bound(
        g=quad.graph_name, s=quad.subject, p=quad.predicate, o=quad.object))
    return bool(getattr(answer, "value", False))


def graph_quads(store: Store, graph: str) -> list[ox.Quad]:
    result = store.query(_GRAPH_QUADS, bindings={"g": URIRef(graph)})
    assert isinstance(result, Triples)
    node = ox.NamedNode(graph)
    return [ox.Quad(t.subject, t.predicate, t.object, node) for t in result.triples]
