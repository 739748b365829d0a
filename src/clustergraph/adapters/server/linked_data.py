"""Dereferenceable IRIs: https://w3id.org/clustergraph/id/... and .../concept/... served at {base_url}/id/...
and {base_url}/concept/..., and the ontology's terms at /ontology.

Content negotiation is direct (no 303): the IRI's URL answers 200 with HTML for a browser (text/html
in Accept) and Turtle, JSON-LD, N-Triples or RDF/XML for machines (Turtle for */*), with `Vary: Accept`,
a `Content-Location` naming the variant's own URL, and `Link` headers to every variant. A format
suffix (.ttl .jsonld .nt .rdf .html) picks the variant without negotiation.
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from clustergraph.adapters.server.diagram import layout
from clustergraph.adapters.server.links import NAMESPACES, local_href, root_path
from clustergraph.adapters.server.negotiation import HTML, RESOURCE_TYPES, SUFFIXES, choose
from clustergraph.adapters.server.pages import render
from clustergraph.adapters.server.sparql import TRUNCATED_HEADER, not_acceptable
from clustergraph.base.errors import ClusterGraphError
from clustergraph.base.terms import ONTOLOGY_GRAPHS, PREFIXES
from clustergraph.core.config import Settings
from clustergraph.core.results import write_triples
from clustergraph.core.store import Store
from clustergraph.services.chains import evidence_class, insertions, is_cluster
from clustergraph.services.describe import Value, describe, exists, resource_triples
from clustergraph.services.publishing.docs import docs_dir, write_docs


async def resource(request: Request) -> Response:
    """The page (HTML) or the triples (RDF) of one data IRI or concept IRI."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    namespace = NAMESPACES[request.url.path.removeprefix(request.scope.get("root_path", "")).split("/")[1]]
    rest = request.path_params["rest"]
    iri, forced = namespace + rest, None
    suffix = Path(rest).suffix
    if suffix in SUFFIXES and not await run_in_threadpool(exists, store, iri):
        iri, forced = namespace + rest[: -len(suffix)], SUFFIXES[suffix]
    if forced is None:
        chosen = choose(request.headers.get("accept"), RESOURCE_TYPES)
        if chosen is None:
            return not_acceptable(RESOURCE_TYPES)
        media, fmt = chosen
    else:
        media, fmt = forced
    root = root_path(settings.base_url)
    here = local_href(iri, root)
    headers = {"Link": ", ".join(f'<{settings.base_url.rstrip("/")}{here.removeprefix(root)}{s}>; rel="alternate"; '
                                 f'type="{m}"' for s, (m, _) in SUFFIXES.items())}
    if forced is None:
        headers["Vary"] = "Accept"
        variant = next(s for s, (m, f) in SUFFIXES.items() if f == fmt)
        headers["Content-Location"] = f"{here}{variant}"
    if not await run_in_threadpool(exists, store, iri):
        message = f"<{iri}> is not in the graph"
        if fmt is None:
            return render(request, "missing.html", {"iri": iri, "message": message}, status_code=404)
        return JSONResponse({"error": message}, status_code=404)
    if fmt is None:
        return await _page(request, store, iri, headers)
    triples = await run_in_threadpool(resource_triples, store, iri, limit=settings.result_limit)
    if triples.truncated:
        headers[TRUNCATED_HEADER] = f"true; limit={settings.result_limit}; the description is incomplete"
    return Response(write_triples(triples, fmt, PREFIXES), media_type=media, headers=headers)


async def _page(request: Request, store: Store, iri: str, headers: dict[str, str]) -> Response:
    settings: Settings = request.app.state.settings
    description = await run_in_threadpool(describe, store, iri)
    cluster = await run_in_threadpool(is_cluster, store, iri)
    links = await run_in_threadpool(insertions, store, iri) if cluster else []
    root = root_path(settings.base_url)
    diagram = layout(Value(iri, description.label or iri), links, lambda i: local_href(i, root)) if links else None
    context = {"d": description, "is_cluster": cluster, "insertions": links, "diagram": diagram,
               "evidence_class": evidence_class}
    return render(request, "resource.html", context, headers=headers)


async def ontology(request: Request) -> Response:
    """The ontology: its documentation (HTML), or its triples by Accept.

    The documentation is `clustergraph docs`' page (build/ontology/index.html); when it is missing,
    the first request makes it (pyLODE), and a page says how to build it if that fails.
    """
    settings: Settings = request.app.state.settings
    chosen = choose(request.headers.get("accept"), [(HTML, None), *RESOURCE_TYPES])
    if chosen is None:
        return not_acceptable(RESOURCE_TYPES)
    media, fmt = chosen
    if fmt is not None:
        store: Store = request.app.state.store
        sizes = await run_in_threadpool(store.graph_sizes)
        graphs = [g for g in sizes if str(g).startswith(ONTOLOGY_GRAPHS)]  # one per ontology file
        buffer = io.BytesIO()
        await run_in_threadpool(store.dump, buffer, fmt, graphs=graphs)
        return Response(buffer.getvalue(), media_type=media, headers={"Vary": "Accept"})
    docs = docs_dir(settings) / "index.html"
    error = None
    if not docs.is_file():
        lock: asyncio.Lock = request.app.state.docs_lock
        async with lock:  # one build at a time; later requests find the page
            if not docs.is_file():
                try:
                    await run_in_threadpool(write_docs, settings)
                except ClusterGraphError as exc:
                    error = str(exc)
    if docs.is_file():
        return FileResponse(docs, media_type="text/html", headers={"Vary": "Accept"})
    return render(request, "ontology_missing.html", {"docs": docs, "error": error}, headers={"Vary": "Accept"})


async def ontology_file(request: Request) -> Response:
    """A file of the built ontology documentation (its stylesheets, images, other formats)."""
    settings: Settings = request.app.state.settings
    folder = (settings.build_dir / "ontology").resolve()
    path = (folder / request.path_params["path"]).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return JSONResponse({"error": f"no file '{request.path_params['path']}' in the ontology documentation"},
                            status_code=404)
    return FileResponse(path)
