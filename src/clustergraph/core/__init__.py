"""The store (embedded or remote) and the settings: the only layer that parses or writes RDF."""

from __future__ import annotations

from clustergraph.core.config import Endpoint, Settings
from clustergraph.core.remote import RemoteStore
from clustergraph.core.store import EmbeddedStore, Store

__all__ = ["Endpoint", "Settings", "Store", "EmbeddedStore", "RemoteStore", "open_store"]


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """The store `settings` name: a remote endpoint, an on-disk store, or a new in-memory one.

    `read_only` opens an on-disk store that another process (a running server) holds.
    Raises StoreError if it cannot be opened.
    """
    if settings.endpoint is not None:
        return RemoteStore(settings.endpoint)
    return EmbeddedStore(settings.store_path, read_only=read_only)
