"""The query catalogue as a web API, as grlc makes one from a folder of .rq files.

    GET /api/queries               the catalogue: name, summary, parameters (JSON)
    GET /api/queries/{name}?k=v    run one; the answer's format comes from Accept, as at /sparql
    GET /api/openapi.json          an OpenAPI 3.1 document generated from the '#+' headers

Queries are read from queries/ on every request, so an edited file is served at once; concept
parameters list the concepts their scheme has in the store at that moment.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from clustergraph.adapters.server.negotiation import GRAPH_TYPES, RESULT_TYPES, choose
from clustergraph.adapters.server.search import openapi_paths as search_paths
from clustergraph.base.errors import QueryError
from clustergraph.base.sparql import QueryForm
from clustergraph.base.terms import PREFIXES
from clustergraph.core.config import Settings
from clustergraph.core.results import Triples, write_solutions, write_triples
from clustergraph.core.store import Store
from clustergraph.services.queries import (
    NamedQuery,
    Param,
    ParamType,
    allowed_concepts,
    bind,
    catalogue,
    describe,
    find_query,
    run_named,
)

_ERROR = {"$ref": "#/components/schemas/Error"}


async def list_queries(request: Request) -> Response:
    """The catalogue as JSON: one entry per query with its parameters and its URL."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store

    def entries() -> list[dict[str, Any]]:
        return [describe(q, store) | {"url": f"/api/queries/{q.name}"} for q in catalogue(settings.queries_dir)]

    return JSONResponse(await run_in_threadpool(entries))


async def run_query(request: Request) -> Response:
    """Run one named query with the URL's query parameters; 404 unknown query, 400 bad value, 406."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    query = find_query(settings.queries_dir, request.path_params["name"])
    values: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in values:
            raise QueryError(query.label, f"parameter '{key}' is given more than once")
        values[key] = value
    offers: list[tuple[str, Any]] = list(GRAPH_TYPES if _is_graph(query) else RESULT_TYPES)
    chosen = choose(request.headers.get("accept"), offers)
    if chosen is None:
        return JSONResponse({"error": "none of the Accept types can be served; offered: "
                                      + ", ".join(m for m, _ in offers)}, status_code=406)
    media, fmt = chosen
    result = await run_in_threadpool(run_named, store, query, values, limit=settings.result_limit)
    headers = {"Vary": "Accept"}
    if result.truncated:
        headers["X-Clustergraph-Truncated"] = f"true; limit={settings.result_limit}"
    if isinstance(result, Triples):
        body = write_triples(result, fmt, PREFIXES)
    else:
        body = write_solutions(result, fmt)
    return Response(body, media_type=media, headers=headers)


async def openapi(request: Request) -> Response:
    """The OpenAPI 3.1 document of the catalogue: one GET path per query."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    base = str(request.base_url).rstrip("/")
    document = await run_in_threadpool(
        lambda: openapi_document(catalogue(settings.queries_dir), store, base))
    return JSONResponse(document)


def openapi_document(queries: list[NamedQuery], store: Store, server_url: str) -> dict[str, Any]:
    """An OpenAPI 3.1 document for `queries`, served at `server_url`.

    Parameters get JSON Schema types (iri: string/iri, literal: string, integer: integer, year: a
    string of four digits); a concept parameter gets the concepts its scheme has in `store` as an enum.
    Responses list the media types the query's form can be answered in.
    """
    paths: dict[str, Any] = {
        "/api/queries": {"get": {
            "operationId": "listQueries",
            "summary": "The catalogue of named queries, with their parameters",
            "responses": {"200": {"description": "One entry per query.",
                                  "content": {"application/json": {"schema": {"type": "array",
                                                                              "items": {"type": "object"}}}}}},
        }},
    }
    tags: dict[str, None] = {}
    for query in queries:
        tags.update(dict.fromkeys(query.tags))
        operation: dict[str, Any] = {
            "operationId": query.name,
            "summary": query.summary,
            "parameters": [_parameter(query, p, store) for p in query.params],
            "responses": {
                "200": {"description": _answer(query), "content": _content(query)},
                "400": {"description": "A parameter is unknown, missing or of the wrong type.",
                        "content": {"application/json": {"schema": _ERROR}}},
                "406": {"description": "None of the Accept types can be served.",
                        "content": {"application/json": {"schema": _ERROR}}},
            },
        }
        if query.description:
            operation["description"] = query.description
        if query.tags:
            operation["tags"] = list(query.tags)
        paths[f"/api/queries/{query.name}"] = {"get": operation}
    paths.update(search_paths())
    return {
        "openapi": "3.1.0",
        "info": {"title": "clustergraph query catalogue", "version": _version(),
                 "description": "The named SPARQL queries of queries/, one GET operation each. "
                                "Values are bound as RDF terms, never spliced into the query."},
        "servers": [{"url": server_url}],
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": {"schemas": {"Error": {"type": "object", "required": ["error"],
                                             "properties": {"error": {"type": "string"}}}}},
    }


def _parameter(query: NamedQuery, param: Param, store: Store) -> dict[str, Any]:
    schema: dict[str, Any]
    notes = {
        ParamType.IRI: "An IRI: full, in <>, or a prefixed name (cg:, cgs:, cgd: ... or the query's PREFIXes).",
        ParamType.LITERAL: "A string, bound as a plain literal.",
        ParamType.INTEGER: "An integer, bound as xsd:integer.",
        ParamType.YEAR: "A year, bound as xsd:gYear.",
        ParamType.CONCEPT: "",
    }
    note = notes[param.type]
    default: Any = param.default
    if param.type is ParamType.CONCEPT:
        assert param.scheme is not None
        allowed = [query.shorten(str(c)) for c in allowed_concepts(store, param.scheme)]
        schema = {"type": "string"}
        if allowed:
            schema["enum"] = allowed
        note = f"A concept of {query.shorten(param.scheme)} (<{param.scheme}>); its full IRI is accepted too."
        if default is not None:
            default = query.shorten(str(bind(query, {param.name: default})[param.variable]))
    elif param.type is ParamType.INTEGER:
        schema = {"type": "integer"}
        default = int(default) if default is not None else None
    elif param.type is ParamType.YEAR:
        schema = {"type": "string", "pattern": "^-?[0-9]{4,}$"}
    elif param.type is ParamType.IRI:
        schema = {"type": "string", "format": "iri-reference"}
    else:
        schema = {"type": "string"}
    if default is not None:
        schema["default"] = default
    description = " ".join(part for part in (param.description, note) if part)
    return {"name": param.name, "in": "query", "required": param.required and param.default is None,
            "description": description, "schema": schema}


def _is_graph(query: NamedQuery) -> bool:
    return query.form in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


def _content(query: NamedQuery) -> dict[str, Any]:
    if _is_graph(query):
        return {media: {"schema": {"type": "string"}} for media, _ in GRAPH_TYPES}
    json_schema = {"type": "object", "properties": {"head": {"type": "object"}, "results": {"type": "object"},
                                                    "boolean": {"type": "boolean"}}}
    return {media: {"schema": json_schema if "json" in media else {"type": "string"}} for media, _ in RESULT_TYPES}


def _answer(query: NamedQuery) -> str:
    if query.form is QueryForm.ASK:
        return "The answer, true or false."
    if _is_graph(query):
        return "The triples of the answer."
    return "The rows of the answer."


def _version() -> str:
    try:
        return version("clustergraph")
    except PackageNotFoundError:
        return "0"


routes: list[BaseRoute] = [
    Route("/api/queries", list_queries, methods=["GET"]),
    Route("/api/queries/{name}", run_query, methods=["GET"]),
    Route("/api/openapi.json", openapi, methods=["GET"]),
]
