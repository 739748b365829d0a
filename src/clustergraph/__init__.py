"""clustergraph: a linked-data knowledge graph of industrial clusters in global value chains.

Public API (everything else may change without notice): the store, the settings, the services
the CLI and the server call, and the errors.
"""

from __future__ import annotations

from clustergraph.base.errors import ClusterGraphError, InputError, NotConforming, QueryError, StoreError
from clustergraph.base.formats import RdfFormat, ResultFormat
from clustergraph.core import EmbeddedStore, RemoteStore, Store, open_store
from clustergraph.core.config import Endpoint, Settings
from clustergraph.services.build import build
from clustergraph.services.export import export
from clustergraph.services.queries import run_query, run_sparql
from clustergraph.services.report import Report
from clustergraph.services.validation import validate
from clustergraph.api import Graph, Result, open  # noqa: A004 - clustergraph.open is the entry point

__all__ = [
    "ClusterGraphError",
    "EmbeddedStore",
    "Endpoint",
    "Graph",
    "InputError",
    "NotConforming",
    "QueryError",
    "RdfFormat",
    "RemoteStore",
    "Report",
    "Result",
    "ResultFormat",
    "Settings",
    "Store",
    "StoreError",
    "build",
    "export",
    "open",
    "open_store",
    "run_query",
    "run_sparql",
    "validate",
]
