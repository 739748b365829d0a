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

__all__ = [
    "ClusterGraphError",
    "EmbeddedStore",
    "Endpoint",
    "InputError",
    "NotConforming",
    "QueryError",
    "RdfFormat",
    "RemoteStore",
    "ResultFormat",
    "Settings",
    "Store",
    "StoreError",
    "build",
    "export",
    "open_store",
    "run_query",
    "run_sparql",
]
