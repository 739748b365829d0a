"""The HTTP server: SPARQL 1.1 Protocol, linked-data pages and the web UI. Only this package imports Starlette."""

from __future__ import annotations

from clustergraph.adapters.server.app import create_app

__all__ = ["create_app"]
