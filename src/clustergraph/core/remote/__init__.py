"""A store behind a SPARQL 1.1 endpoint (Oxigraph server, Virtuoso ...).

    client.py  RemoteStore: queries and updates through SPARQLWrapper, loads through the Graph
               Store Protocol, all-or-nothing writes staged in a graph (the only SPARQLWrapper user)
    build.py   building into the endpoint: files sent in chunks, resumable through a journal graph
"""

from __future__ import annotations

from clustergraph.base.terms import JOURNAL
from clustergraph.core.remote.build import journal, load_files
from clustergraph.core.remote.client import RemoteStore

__all__ = ["JOURNAL", "RemoteStore", "journal", "load_files"]
