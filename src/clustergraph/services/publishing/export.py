"""Export: the whole graph or chosen named graphs in any RDF syntax."""

from __future__ import annotations

from collections.abc import Sequence
from typing import BinaryIO

from rdflib import URIRef

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import GRAPH
from clustergraph.core.store import Store


def resolve_graphs(store: Store, names: Sequence[str]) -> list[URIRef]:
    """The graph IRIs for `names`: full IRIs, or short names under graph/ ('data/clusters').

    Raises InputError naming the first graph the store does not hold, with the ones it does.
    """
    held = store.graph_sizes()
    graphs = []
    for name in names:
        iri = URIRef(name) if "://" in name else GRAPH[name.strip("/")]
        if iri not in held:
            known = ", ".join(sorted(str(g).removeprefix(str(GRAPH)) for g in held)) or "none: run build first"
            raise InputError(f"the store holds no graph '{name}' (graphs: {known})")
        graphs.append(iri)
    return graphs


def export(store: Store, out: BinaryIO, fmt: RdfFormat, graphs: Sequence[URIRef] | None = None) -> None:
    """Write the chosen graphs (all if None) to `out` in `fmt`.

    Dataset syntaxes (N-Quads, TriG, JSON-LD) keep graph names where the syntax allows; triple
    syntaxes get the union of the chosen graphs. Written as it is read, on both stores: a remote
    store streams each graph from the endpoint, so no graph is held in memory.
    """
    store.dump(out, fmt, graphs=graphs)
