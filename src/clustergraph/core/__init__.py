"""The store (embedded or remote) and the settings: the only layer that parses or writes RDF.

The store classes are imported when first used (PEP 562), so that importing the light modules of
this package (core.config) does not load pyoxigraph, rdflib and SPARQLWrapper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clustergraph.base.lazy import lazy_names
from clustergraph.core.config import Endpoint, Settings

if TYPE_CHECKING:
    from clustergraph.core.remote.client import RemoteStore
    from clustergraph.core.store import EmbeddedStore, Store

__all__ = ["Endpoint", "Settings", "Store", "EmbeddedStore", "RemoteStore", "open_store"]

#: The names imported on first use, and their modules.
_LAZY = {"Store": "clustergraph.core.store", "EmbeddedStore": "clustergraph.core.store",
         "RemoteStore": "clustergraph.core.remote"}


__getattr__, __dir__ = lazy_names(__name__, _LAZY)


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """The store `settings` name: a remote endpoint, an on-disk store, or a new in-memory one.

    `read_only` opens an on-disk store that another process (a running server) holds.
    Raises StoreError if it cannot be opened.
    """
    if settings.endpoint is not None:
        from clustergraph.core.remote.client import RemoteStore

        return RemoteStore(settings.endpoint)
    from clustergraph.core.store import EmbeddedStore

    return EmbeddedStore(settings.store_path, read_only=read_only)
