"""create_app: the Starlette application around one store and one Settings.

Reads go to a pool of query worker processes and writes to one writer process (core/pool.py), so
that every query, update, validation and ingest has a time limit that really stops it, a slow query
holds only its own worker, and a full queue answers 503 at once. Every request body has a size
limit (413), and read answers carry CORS headers (limits.py). Routes:

    /                        home: what the graph holds, links into it
    /sparql                  SPARQL 1.1 Protocol queries (read-only); service description without a query
    /sparql/update           SPARQL 1.1 Update (bearer token)
    /rdf-graphs              SPARQL 1.1 Graph Store Protocol (reads open, writes need the token)
    /id/..., /concept/...    dereferenceable data and concept IRIs (HTML or RDF by Accept or suffix)
    /ontology                the ontology's documentation (or its triples by Accept)
    /editor                  the SPARQL editor (YASGUI) with the catalogue as examples
    /catalogue[/{name}]      the named queries, with their forms and results
    /map                     the clusters on a world map
    /search, /api/search     full-text search (search.py); /api/complete for the header's search box
    /compare, /evidence      clusters side by side; hypotheses with their evidence (analysis.py)
    /steward                 the steward page: check, ingest, list and retract batches (steward.js)
    /api/...                 the catalogue API (catalogue_api.py) and the steward operations
    /static/...              stylesheets, scripts and the bundled npm assets
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import anyio.to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from clustergraph.adapters.server import (
    analysis,
    catalogue_api,
    graphstore,
    linked_data,
    pages,
    releases,
    search,
    sparql,
    steward_api,
)
from clustergraph.adapters.server.limits import BodyLimit, Cors
from clustergraph.base.errors import Busy, ClusterGraphError, QueryError, TooLarge
from clustergraph.core.config import Settings
from clustergraph.core.pool import ReadPool, Writer, default_workers
from clustergraph.core.worker import WorkerStore

log = logging.getLogger("clustergraph.server")


def create_app(settings: Settings) -> Starlette:
    """The server for `settings`: it starts the writer and the query workers at start-up and stops
    them at shutdown. An in-memory store is kept in a temporary folder that both share."""
    middleware = [Middleware(Cors, origin=settings.cors_origin), Middleware(BodyLimit, max_body=settings.max_body)]
    app = Starlette(routes=_routes(), lifespan=_lifespan(settings), middleware=middleware, exception_handlers={
        ClusterGraphError: user_error,
        Exception: server_error,
    })
    app.state.settings = settings
    app.state.templates = pages.templates(settings)
    return app


def _lifespan(settings: Settings) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """Start-up and shutdown of the server: the writer, the query workers and (for an in-memory
    store) the temporary folder they share."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        scratch: Path | None = None
        shared = settings
        if settings.endpoint is None and settings.store_path is None:
            scratch = Path(tempfile.mkdtemp(prefix="clustergraph-store-"))
            shared = settings.with_store(scratch / "store")
        timeout = settings.query_timeout_s if settings.query_timeout_s > 0 else None
        writer = WorkerStore(shared, timeout_s=timeout)
        try:
            pool = ReadPool(shared, workers=settings.workers or default_workers(), timeout_s=timeout,
                            queue_size=settings.queue_size)
        except BaseException:
            writer.close()
            raise
        app.state.store = pool
        app.state.writer = Writer(writer, pool, timeout_s=timeout, queue_size=settings.queue_size)
        app.state.docs_lock = asyncio.Lock()
        # Every waiting request holds a thread: enough threads that the queues, not the thread
        # limiter, decide who waits (a request past the queues gets 503 at once).
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = max(limiter.total_tokens, pool.workers + 2 * settings.queue_size + 16)
        try:
            yield
        finally:
            pool.close()
            writer.close()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    return lifespan


def _routes() -> list[BaseRoute]:
    """Every route: the pages, SPARQL, the Graph Store, linked data, and the routes each module lists."""
    return [
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
        Route("/steward", pages.steward, methods=["GET"]),
        *catalogue_api.routes,
        *steward_api.routes,
        *releases.routes,
        *search.routes,
        Mount("/static", StaticFiles(directory=str(pages.STATIC), check_dir=False), name="static"),
    ]


async def user_error(request: Request, exc: Exception) -> Response:
    """A ClusterGraphError as JSON: 400, or the status the error carries (404 unknown query, 403 refused,
    503 stopped at the time limit, which also says the answer is incomplete; 503 with Retry-After when
    the queue is full; 413 for a body past the limit)."""
    if isinstance(exc, Busy):
        return JSONResponse({"error": str(exc)}, status_code=503, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, TooLarge):
        return JSONResponse({"error": str(exc)}, status_code=413, headers={"Connection": "close"})
    status = exc.status if isinstance(exc, QueryError) else 400
    body: dict[str, object] = {"error": str(exc)}
    if getattr(exc, "problems", None):  # a spreadsheet: one line per cell at fault
        body["problems"] = list(exc.problems)  # type: ignore[attr-defined]
    if status == 503:
        body["incomplete"] = True
    return JSONResponse(body, status_code=status)


async def server_error(request: Request, exc: Exception) -> Response:
    """Anything else is a bug: logged with its traceback, answered with a plain 500 and no details."""
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse({"error": "internal server error"}, status_code=500)
