"""create_app: the Starlette application around one store and one Settings.

The store runs in a worker process (core/worker.py) so that every query and update has a time
limit that really stops it. Routes:

    /                        home: what the graph holds, links into it
    /sparql                  SPARQL 1.1 Protocol queries (read-only); service description without a query
    /sparql/update           SPARQL 1.1 Update (bearer token)
    /rdf-graphs              SPARQL 1.1 Graph Store Protocol (reads open, writes need the token)
    /id/..., /concept/...    dereferenceable data and concept IRIs (HTML or RDF by Accept or suffix)
    /ontology                the ontology's documentation (or its triples by Accept)
    /editor                  the SPARQL editor (YASGUI) with the catalogue as examples
    /catalogue[/{name}]      the named queries, with their forms and results
    /map                     the clusters on a world map
    /compare, /evidence      clusters side by side; hypotheses with their evidence (analysis.py)
    /api/...                 the catalogue API (catalogue_api.py) and the steward operations
    /static/...              stylesheets, scripts and the bundled npm assets
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from clustergraph.adapters.server import catalogue_api, graphstore, linked_data, pages, sparql, steward_api
from clustergraph.adapters.server import releases
from clustergraph.adapters.server import analysis
from clustergraph.base.errors import ClusterGraphError, QueryError
from clustergraph.core.config import Settings
from clustergraph.core.worker import WorkerStore

log = logging.getLogger("clustergraph.server")


def create_app(settings: Settings) -> Starlette:
    """The server for `settings`: it starts the store's worker at start-up and stops it at shutdown."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.store = WorkerStore(settings, timeout_s=settings.query_timeout_s)
        app.state.docs_lock = asyncio.Lock()
        try:
            yield
        finally:
            app.state.store.close()

    routes: list[BaseRoute] = [
        Route("/", pages.home, methods=["GET"]),
        Route("/sparql", sparql.endpoint, methods=["GET", "POST"]),
        Route("/sparql/update", sparql.update, methods=["POST"]),
        Route("/rdf-graphs", graphstore.graph_store, methods=["GET", "HEAD", "PUT", "POST", "DELETE"]),
        Route("/id/{rest:path}", linked_data.resource, methods=["GET", "HEAD"]),
        Route("/concept/{rest:path}", linked_data.resource, methods=["GET", "HEAD"]),
        Route("/ontology", linked_data.ontology, methods=["GET", "HEAD"]),
        Route("/ontology/{path:path}", linked_data.ontology_file, methods=["GET", "HEAD"]),
        Route("/editor", pages.editor, methods=["GET"]),
        Route("/catalogue", pages.catalogue_page, methods=["GET"]),
        Route("/catalogue/{name}", pages.catalogue_query, methods=["GET"]),
        Route("/map", pages.map_page, methods=["GET"]),
        *analysis.routes,
        *catalogue_api.routes,
        *steward_api.routes,
        *releases.routes,
        Mount("/static", StaticFiles(directory=str(pages.STATIC), check_dir=False), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        ClusterGraphError: user_error,
        Exception: server_error,
    })
    app.state.settings = settings
    app.state.templates = pages.templates(settings)
    return app


async def user_error(request: Request, exc: Exception) -> Response:
    """A ClusterGraphError as JSON: 400, or the status the error carries (404 unknown query, 403 refused,
    503 stopped at the time limit, which also says the answer is incomplete)."""
    status = exc.status if isinstance(exc, QueryError) else 400
    body: dict[str, object] = {"error": str(exc)}
    if status == 503:
        body["incomplete"] = True
    return JSONResponse(body, status_code=status)


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything else is a bug: logged with its traceback, answered with a plain 500 and no details."""
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "internal server error"}, status_code=500)
