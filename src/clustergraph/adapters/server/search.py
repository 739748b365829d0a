"""Text search on the web: the /search page, the search box's completion, and the JSON API.

    GET /search?q=&kind=           hits ranked, each with its kind, a highlighted snippet and a link
    GET /api/search?q=&kind=&limit= the same hits as JSON (in the OpenAPI document)
    GET /api/complete?q=&limit=    labels starting with what was typed (the search box's list)

A malformed query answers 400 with {"error": ...} (the page shows the line instead of hits).
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from clustergraph.adapters.server.links import local_href, root_path
from clustergraph.base.errors import ClusterGraphError, QueryError
from clustergraph.base.textquery import KINDS
from clustergraph.core.config import Settings
from clustergraph.core.store import Store
from clustergraph.services import search as text

_MAX_LIMIT = 500


def _params(request: Request, default_limit: int) -> tuple[str, str | None, int]:
    words = request.query_params.get("q", "").strip()
    kind = request.query_params.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise QueryError("search", f"unknown kind '{kind}'; use one of {', '.join(KINDS)}")
    raw = request.query_params.get("limit", str(default_limit))
    if not raw.isdigit() or not 1 <= int(raw) <= _MAX_LIMIT:
        raise QueryError("search", f"limit must be a whole number from 1 to {_MAX_LIMIT}, got '{raw}'")
    return words, kind, int(raw)


def _hit_json(row: dict[str, Any], root: str) -> dict[str, Any]:
    return row | {"href": local_href(str(row["subject"]), root)}


async def api_search(request: Request) -> Response:
    """The hits for ?q= as JSON: {"query", "hits": [{subject, kind, label, snippet, property, score, href}]}."""
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    words, kind, limit = _params(request, 20)
    if not words:
        raise QueryError("search", "give the words to find in ?q=")
    hits = await run_in_threadpool(text.search, store, words, kind=kind, limit=limit)
    root = root_path(settings.base_url)
    return JSONResponse({"query": words, "hits": [_hit_json(r, root) for r in text.rows(hits)]})


async def api_complete(request: Request) -> Response:
    """Labels completing ?q= as JSON: {"hits": [{subject, kind, label, href}, ...]}."""
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    words, _, limit = _params(request, 8)
    hits = await run_in_threadpool(text.complete, store, words, limit=limit) if words else []
    root = root_path(settings.base_url)
    return JSONResponse({"hits": [{"subject": h.subject, "kind": h.kind, "label": h.label,
                                   "href": local_href(h.subject, root)} for h in hits]})


async def page(request: Request) -> Response:
    """The results page: hits ranked, kind, snippet with the words highlighted, link to each page."""
    store: Store = request.app.state.store
    env: Jinja2Templates = request.app.state.templates
    words = request.query_params.get("q", "").strip()
    kind = request.query_params.get("kind") or None
    context: dict[str, Any] = {"q": words, "kind": kind, "kinds": KINDS, "hits": [], "error": None}
    status = 200
    if words:
        try:
            if kind is not None and kind not in KINDS:
                raise QueryError("search", f"unknown kind '{kind}'; use one of {', '.join(KINDS)}")
            context["hits"] = await run_in_threadpool(text.search, store, words, kind=kind, limit=100)
        except ClusterGraphError as exc:
            context["error"] = str(exc)
            status = 400
    return env.TemplateResponse(request, "search.html", context, status_code=status)


def openapi_paths() -> dict[str, Any]:
    """The OpenAPI entries of /api/search and /api/complete."""
    error = {"description": "A malformed query or parameter.",
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    hit: dict[str, Any] = {"type": "object", "properties": {k: {"type": "number" if k == "score" else "string"}
                                            for k in (*text.COLUMNS, "href")}}
    q: dict[str, Any] = {"name": "q", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1},
         "description": 'Words (all must match, stemmed, accents folded), "a phrase", -excluded, kind:KIND.'}
    limit: dict[str, Any] = {"name": "limit", "in": "query", "required": False,
                             "schema": {"type": "integer", "minimum": 1, "maximum": _MAX_LIMIT}}
    return {
        "/api/search": {"get": {
            "operationId": "search", "summary": "Full-text search over labels, comments, claims and titles",
            "parameters": [q, {"name": "kind", "in": "query", "required": False,
                               "schema": {"type": "string", "enum": list(KINDS)}},
                           limit | {"schema": {**limit["schema"], "default": 20}}],
            "responses": {"200": {"description": "Hits, best first, one per subject.", "content": {
                "application/json": {"schema": {"type": "object", "properties": {
                    "query": {"type": "string"}, "hits": {"type": "array", "items": hit}}}}}},
                "400": error}}},
        "/api/complete": {"get": {
            "operationId": "complete", "summary": "Labels that start with the words typed (search box)",
            "parameters": [q | {"description": "The words typed so far; the last may be a prefix."},
                           limit | {"schema": {**limit["schema"], "default": 8}}],
            "responses": {"200": {"description": "Labelled subjects, best first.",
                                  "content": {"application/json": {"schema": {"type": "object"}}}},
                          "400": error}}},
    }


routes: list[BaseRoute] = [
    Route("/search", page, methods=["GET"]),
    Route("/api/search", api_search, methods=["GET"]),
    Route("/api/complete", api_complete, methods=["GET"]),
]
