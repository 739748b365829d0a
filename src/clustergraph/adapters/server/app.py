"""create_app: the Starlette application around one store and one Settings."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from clustergraph.adapters.server import catalogue_api, sparql
from clustergraph.base.errors import ClusterGraphError, QueryError
from clustergraph.core import open_store
from clustergraph.core.config import Settings

log = logging.getLogger("clustergraph.server")


def create_app(settings: Settings) -> Starlette:
    """The server for `settings`: it opens the store at start-up and closes it at shutdown."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.store = open_store(settings)
        try:
            yield
        finally:
            app.state.store.close()

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/sparql", sparql.endpoint, methods=["GET", "POST"]),
        *catalogue_api.routes,
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ClusterGraphError: user_error,
        Exception: server_error,
    })
    app.state.settings = settings
    return app


async def home(request: Request) -> Response:
    """A minimal home page pointing at the endpoint."""
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>clustergraph</title></head>"
        "<body><h1>clustergraph</h1><p>SPARQL 1.1 endpoint: <a href='/sparql'>/sparql</a></p></body></html>"
    )


async def user_error(request: Request, exc: Exception) -> Response:
    """A ClusterGraphError as JSON: 400, or the status the error carries (404 unknown query, 403 refused)."""
    status = exc.status if isinstance(exc, QueryError) else 400
    return JSONResponse({"error": str(exc)}, status_code=status)


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything else is a bug: logged with its traceback, answered with a plain 500 and no details."""
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "internal server error"}, status_code=500)
