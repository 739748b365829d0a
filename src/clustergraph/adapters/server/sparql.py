"""The SPARQL 1.1 Protocol at /sparql: GET ?query=, POST form, POST application/sparql-query. Read-only."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from clustergraph.adapters.server.negotiation import GRAPH_TYPES, RESULT_TYPES, choose
from clustergraph.base.terms import PREFIXES
from clustergraph.core.config import Settings
from clustergraph.core.results import Triples, write_solutions, write_triples
from clustergraph.core.store import QueryOptions, Store


async def endpoint(request: Request) -> Response:
    """Answer one SPARQL query; updates are refused (the public endpoint is read-only)."""
    text = await _query_text(request)
    if isinstance(text, Response):
        return text
    if text is None:
        return JSONResponse({"error": "give a SPARQL query (?query=, a form field 'query', "
                                      "or a POST body of type application/sparql-query)"}, status_code=400)
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    options = QueryOptions(name="query", limit=settings.result_limit, allow_service=settings.allow_service)
    result = await run_in_threadpool(store.query, text, options=options)
    accept = request.headers.get("accept")
    headers = {"Vary": "Accept"}
    if result.truncated:
        headers["X-Clustergraph-Truncated"] = f"true; limit={settings.result_limit}"
    if isinstance(result, Triples):
        chosen_rdf = choose(accept, GRAPH_TYPES)
        if chosen_rdf is None:
            return _not_acceptable(GRAPH_TYPES)
        media, rdf = chosen_rdf
        return Response(write_triples(result, rdf, PREFIXES), media_type=media, headers=headers)
    chosen = choose(accept, RESULT_TYPES)
    if chosen is None:
        return _not_acceptable(RESULT_TYPES)
    media, fmt = chosen
    return Response(write_solutions(result, fmt), media_type=media, headers=headers)


async def _query_text(request: Request) -> str | None | Response:
    if request.method == "GET":
        if "update" in request.query_params:
            return JSONResponse({"error": "this endpoint is read-only"}, status_code=403)
        return request.query_params.get("query")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/sparql-query":
        return (await request.body()).decode("utf-8")
    if content_type == "application/sparql-update":
        return JSONResponse({"error": "this endpoint is read-only; SPARQL Update is not allowed"}, status_code=403)
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        if "update" in form:
            return JSONResponse({"error": "this endpoint is read-only; SPARQL Update is not allowed"},
                                status_code=403)
        value = form.get("query")
        return value if isinstance(value, str) else None
    return JSONResponse({"error": f"unsupported content type '{content_type}'; use application/sparql-query "
                                  "or a form"}, status_code=415)


def _not_acceptable(offers: list[tuple[str, object]]) -> Response:
    return JSONResponse({"error": "none of the Accept types can be served; offered: "
                                  + ", ".join(m for m, _ in offers)}, status_code=406)
