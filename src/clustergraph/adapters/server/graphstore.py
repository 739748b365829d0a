"""The SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graphs (indirect identification: ?graph= or ?default).

GET and HEAD are open to all; PUT, POST and DELETE need the operator's bearer token. The default
graph is the union of the named graphs (as for queries), so it can be read but not written (405).
A body is parsed strictly before anything changes, and each write is one atomic SPARQL update,
run by the server's one writer (services/steward/writes.py); the body's size is limited by the app (413).
"""

from __future__ import annotations

import io
import re

from rdflib import URIRef
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from clustergraph.adapters.server.auth import writer as writing_agent
from clustergraph.adapters.server.limits import RECYCLE_BYTES
from clustergraph.adapters.server.negotiation import GRAPH_TYPES, choose
from clustergraph.adapters.server.reports import refused, written
from clustergraph.adapters.server.sparql import not_acceptable
from clustergraph.base.errors import NotConforming
from clustergraph.base.formats import RdfFormat
from clustergraph.core.config import Settings
from clustergraph.core.pool import Writer
from clustergraph.core.store import Store
from clustergraph.services.steward import guard, writes

_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_TRIPLE_FORMATS = (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.RDF_XML, RdfFormat.JSON_LD)


async def graph_store(request: Request) -> Response:
    """Read (GET, HEAD), replace (PUT), add to (POST) or remove (DELETE) one graph."""
    params = request.query_params
    if ("graph" in params) == ("default" in params):
        return _error(400, "name the graph: give either ?graph=<IRI> or ?default")
    if request.method not in ("GET", "HEAD"):
        if "default" in params:
            return JSONResponse({"error": "the default graph is the union of the named graphs and cannot be "
                                          "written; name a graph with ?graph=<IRI>"},
                                status_code=405, headers={"Allow": "GET, HEAD"})
        agent = writing_agent(request)
        if isinstance(agent, Response):
            return agent
    graph = params.get("graph")
    if graph is not None and not _IRI.fullmatch(graph):
        return _error(400, f"?graph= needs an absolute IRI, got {graph!r}")
    if request.method in ("GET", "HEAD"):
        store: Store = request.app.state.store
        if graph is not None and URIRef(graph) not in await run_in_threadpool(store.graph_sizes):
            return _error(404, f"no graph <{graph}> in the store")
        return await _read(request, store, graph)
    assert graph is not None
    writer: Writer = request.app.state.writer
    settings: Settings = request.app.state.settings
    if not settings.guarded_writes:
        return await _unguarded(request, writer, graph)
    try:
        if request.method == "DELETE":
            dropped = await run_in_threadpool(writer.run, guard.guarded_drop, settings.shapes_dir, graph,
                                              agent=agent, name="graph store")
            if dropped is None:
                return _error(404, f"no graph <{graph}> in the store")
            return written(dropped, 200)
        body = await _body(request)
        if isinstance(body, Response):
            return body
        data, fmt = body
        existed, done = await run_in_threadpool(
            writer.run, guard.guarded_put, settings.shapes_dir, graph, data, fmt, replace=request.method == "PUT",
            agent=agent, recycle=len(data) > RECYCLE_BYTES, name="graph store")
    except NotConforming as refusal:
        return refused(refusal, request.headers.get("accept"))
    return written(done, 200 if existed else 201, location=graph)


async def _unguarded(request: Request, writer: Writer, graph: str) -> Response:
    """A Graph Store write applied as it is (serve --unguarded-writes): no check, no batch."""
    if request.method == "DELETE":
        if not await run_in_threadpool(writer.run, writes.drop_graph, graph, name="graph store"):
            return _error(404, f"no graph <{graph}> in the store")
        return Response(status_code=204)
    body = await _body(request)
    if isinstance(body, Response):
        return body
    data, fmt = body
    existed = await run_in_threadpool(writer.run, writes.put_graph, graph, data, fmt,
                                      replace=request.method == "PUT", recycle=len(data) > RECYCLE_BYTES,
                                      name="graph store")
    return Response(status_code=204 if existed else 201)


async def _read(request: Request, store: Store, graph: str | None) -> Response:
    chosen = choose(request.headers.get("accept"), [(m, f) for m, f in GRAPH_TYPES if f in _TRIPLE_FORMATS])
    if chosen is None:
        return not_acceptable([(m, f) for m, f in GRAPH_TYPES if f in _TRIPLE_FORMATS])
    media, fmt = chosen
    buffer = io.BytesIO()
    graphs = [URIRef(graph)] if graph is not None else None
    await run_in_threadpool(store.dump, buffer, fmt, graphs=graphs)
    body = b"" if request.method == "HEAD" else buffer.getvalue()
    return Response(body, media_type=media, headers={"Vary": "Accept", "Content-Length": str(len(buffer.getvalue()))})


async def _body(request: Request) -> tuple[bytes, RdfFormat] | Response:
    """The request body and the syntax its Content-Type names; or the error to send."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = RdfFormat.from_media_type(media) if media else None
    if fmt not in _TRIPLE_FORMATS:
        offered = ", ".join(f.media_type for f in _TRIPLE_FORMATS)
        return _error(415, f"send the graph as one of {offered}, not {media or '(no Content-Type)'}")
    assert fmt is not None
    return await request.body(), fmt


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)
