"""The web UI's pages: home, the SPARQL editor (YASGUI), the query catalogue and the map of clusters.

Pages are rendered on the server from templates/; the editor and the map add scripts that come from
npm packages bundled into static/vendor/ by `make install` (web/build.mjs), never from a CDN.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from clustergraph.adapters.server.links import NAMESPACES, local_href, root_path
from clustergraph.adapters.server.releases import latest_release
from clustergraph.base.errors import ClusterGraphError
from clustergraph.base.terms import PREFIXES
from clustergraph.core.config import Settings
from clustergraph.core.results import Boolean, OxTerm, QueryResult, Solutions, Triples
from clustergraph.core.store import Store
from clustergraph.core.store import bind as bind_values
from clustergraph.services import queries
from clustergraph.services.chains import counts, located_clusters
from clustergraph.services.describe import Value, labels, value
from clustergraph.services.sheets.mapping import kinds

TEMPLATES = Path(__file__).parent.parent / "templates"
STATIC = Path(__file__).parent.parent / "static"
#: The bundled front-end files the pages need; `make install` builds them (web/build.mjs).
VENDOR_FILES = ("yasgui.min.js", "yasgui.min.css", "d3-array.min.js", "d3-geo.min.js", "topojson-client.min.js",
                "countries-110m.json", "country-codes.json",
                "vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "cytoscape.min.js")


def templates(settings: Settings) -> Jinja2Templates:
    """The page templates, with `root` (the base URL's path) and `href` (IRI to local link) for every page."""
    env = Jinja2Templates(directory=str(TEMPLATES))
    root = root_path(settings.base_url)
    env.env.globals.update(root=root, href=lambda iri: local_href(iri, root), settings=settings,
                           vendor_missing=[f for f in VENDOR_FILES if not (STATIC / "vendor" / f).is_file()])
    return env


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200,
           headers: dict[str, str] | None = None) -> Response:
    """Render template `name` with `context`."""
    env: Jinja2Templates = request.app.state.templates
    return env.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


async def home(request: Request) -> Response:
    """What the graph holds (counts of clusters, actors, claims, publications) and links into it."""
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    held = await run_in_threadpool(counts, store)
    clusters = await run_in_threadpool(located_clusters, store)
    sizes = await run_in_threadpool(store.graph_sizes)
    catalogue = _catalogue(settings)
    return render(request, "home.html", {"counts": held, "clusters": clusters, "triples": sum(sizes.values()),
                                         "graphs": len(sizes), "catalogue": catalogue,
                                         "release": latest_release(settings)})


async def steward(request: Request) -> Response:
    """The steward page: check a file against the shapes, ingest it, list and retract batches (steward.js).

    The page holds no data itself; its script calls /api/validate, /api/ingest, /api/batches and
    /api/retract with the token the steward types, kept in sessionStorage (never in a URL).
    """
    settings: Settings = request.app.state.settings
    return render(request, "steward.html", {"namespaces": json.dumps(NAMESPACES),
                                            "kinds": kinds(settings.mappings_dir)})


async def editor(request: Request) -> Response:
    """YASGUI on /sparql, with each catalogue query offered as an example (defaults bound)."""
    settings: Settings = request.app.state.settings
    examples = []
    for query in _catalogue(settings):
        examples.append({"name": query.name, "summary": query.summary, "text": example_text(query)})
    chosen = request.query_params.get("query")
    return render(request, "editor.html", {"examples": examples, "chosen": chosen,
                                           "prefixes": json.dumps(PREFIXES)})


def example_text(query: queries.NamedQuery) -> str:
    """The query's text with its default values bound (a VALUES block), ready to run in the editor.

    A query with a required parameter that has no default is offered as written.
    """
    try:
        bindings = queries.bind(query, {})
        return bind_values(query.text, bindings, query.name) if bindings else query.text
    except ClusterGraphError:
        return query.text


async def catalogue_page(request: Request) -> Response:
    """Every named query with its summary and parameters."""
    settings: Settings = request.app.state.settings
    try:
        listed = queries.catalogue(settings.queries_dir)
    except ClusterGraphError as exc:
        return render(request, "catalogue.html", {"queries": [], "error": str(exc)}, status_code=500)
    return render(request, "catalogue.html", {"queries": listed, "error": None})


async def catalogue_query(request: Request) -> Response:
    """One named query: its form of parameters, and its results when the form was sent (?run)."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    query = queries.find_query(settings.queries_dir, request.path_params["name"])  # 404 if unknown
    values = {p.name: request.query_params[p.name] for p in query.params
              if request.query_params.get(p.name, "").strip()}
    allowed: dict[str, list[Value]] = {}
    for param in query.params:
        if param.scheme:
            concepts = await run_in_threadpool(queries.allowed_concepts, store, param.scheme)
            names = await run_in_threadpool(labels, store, [str(c) for c in concepts])
            allowed[param.name] = [value(str(c), names) for c in concepts]
    context: dict[str, Any] = {"query": query, "values": values, "allowed": allowed, "table": None, "error": None,
                               "example": example_text(query)}
    status = 200
    if "run" in request.query_params:
        try:
            result = await run_in_threadpool(queries.run_named, store, query, values, limit=settings.result_limit)
            context["table"] = await run_in_threadpool(table, store, result)
            bound = queries.bind(query, values)
            context["bound_text"] = bind_values(query.text, bound, query.name) if bound else query.text
        except ClusterGraphError as exc:
            context["error"] = str(exc)
            status = getattr(exc, "status", 400)
    return render(request, "query.html", context, status_code=status)


async def map_page(request: Request) -> Response:
    """The clusters on a world map, by country or by coordinates where the data has them."""
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    located = await run_in_threadpool(located_clusters, store)
    root = root_path(settings.base_url)
    points = [{"iri": c.cluster.text, "href": local_href(c.cluster.text, root), "label": c.cluster.shown,
               "alpha2": c.alpha2, "country": c.country.shown if c.country else None,
               "lat": c.latitude, "lon": c.longitude} for c in located]
    by_country: dict[str, list[Any]] = {}
    for c in located:
        by_country.setdefault(c.country.shown if c.country else "country not stated", []).append(c)
    return render(request, "map.html", {"points": points,
                                        "by_country": sorted(by_country.items())})


def table(store: Store, result: QueryResult) -> dict[str, Any]:
    """A result as a table of labelled values: columns, rows, and whether the row limit cut it."""
    if isinstance(result, Boolean):
        return {"columns": ["answer"], "rows": [[Value("true" if result.value else "false", kind="literal")]],
                "truncated": False}
    raw: list[tuple[OxTerm | None, ...]]
    if isinstance(result, Triples):
        raw = [(t.subject, t.predicate, t.object) for t in result.triples]
        columns = ["subject", "predicate", "object"]
    else:
        assert isinstance(result, Solutions)
        raw = [tuple(row) for row in result.rows]
        columns = list(result.variables)
    names = labels(store, [t for row in raw for t in row])
    rows = [[value(t, names) if t is not None else None for t in row] for row in raw]
    return {"columns": columns, "rows": rows, "truncated": result.truncated}


def _catalogue(settings: Settings) -> list[queries.NamedQuery]:
    try:
        return queries.catalogue(settings.queries_dir)
    except ClusterGraphError:
        return []  # the catalogue page says what is wrong; other pages just offer no examples

