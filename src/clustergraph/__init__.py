"""clustergraph: a linked-data knowledge graph of industrial clusters in global value chains.

Public API (everything else may change without notice): the store, the settings, the services
the CLI and the server call, and the errors.

The names are imported when first used (PEP 562), so that `import clustergraph` (and the command
line's --help) does not load the RDF, SHACL and reasoning engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clustergraph.base.lazy import lazy_names

if TYPE_CHECKING:
    from clustergraph.api import Graph, Result, open  # noqa: A004 - clustergraph.open is the entry point
    from clustergraph.base.errors import ClusterGraphError, InputError, NotConforming, QueryError, StoreError
    from clustergraph.base.formats import RdfFormat, ResultFormat
    from clustergraph.core import EmbeddedStore, RemoteStore, Store, open_store
    from clustergraph.core.config import Endpoint, Settings
    from clustergraph.services.build import build
    from clustergraph.services.publishing.export import export
    from clustergraph.services.queries import run_query, run_sparql
    from clustergraph.services.validation import validate
    from clustergraph.services.validation.report import Report

#: Each public name and the module it comes from.
_HOMES = {
    "ClusterGraphError": "clustergraph.base.errors",
    "InputError": "clustergraph.base.errors",
    "NotConforming": "clustergraph.base.errors",
    "QueryError": "clustergraph.base.errors",
    "StoreError": "clustergraph.base.errors",
    "RdfFormat": "clustergraph.base.formats",
    "ResultFormat": "clustergraph.base.formats",
    "EmbeddedStore": "clustergraph.core",
    "RemoteStore": "clustergraph.core",
    "Store": "clustergraph.core",
    "open_store": "clustergraph.core",
    "Endpoint": "clustergraph.core.config",
    "Settings": "clustergraph.core.config",
    "build": "clustergraph.services.build",
    "export": "clustergraph.services.publishing.export",
    "run_query": "clustergraph.services.queries",
    "run_sparql": "clustergraph.services.queries",
    "Report": "clustergraph.services.validation.report",
    "validate": "clustergraph.services.validation",
    "Graph": "clustergraph.api",
    "Result": "clustergraph.api",
    "open": "clustergraph.api",
}

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


__getattr__, __dir__ = lazy_names(__name__, _HOMES)
