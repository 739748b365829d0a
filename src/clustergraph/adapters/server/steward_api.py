"""The steward operations over HTTP: POST /api/validate and POST /api/ingest (bearer token only).

The body is one RDF document in the syntax its Content-Type names; `?name=` is what the report calls
it (default 'request body'), `?strict=true` makes warnings fail too. The reports are the CLI's:
JSON by default, Markdown (text/markdown) or a SHACL validation report in Turtle (text/turtle) by
Accept. Statuses: validate 200 (the report says whether it conforms); ingest 201 with the batch and
its report, or 422 with the report when the data breaks the shapes (nothing is written); 400 for a
body that cannot be used; 401/403 without the token.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from clustergraph.adapters.server.auth import refuse_writer
from clustergraph.adapters.server.graphstore import RECYCLE_BYTES
from clustergraph.adapters.server.negotiation import choose
from clustergraph.adapters.server.sparql import not_acceptable
from clustergraph.base.errors import NotConforming
from clustergraph.base.formats import RdfFormat
from clustergraph.core.config import Settings
from clustergraph.core.pool import Writer
from clustergraph.services import writes
from clustergraph.services.ingest import Batch
from clustergraph.services.report import Report, to_json, to_markdown, to_turtle
from clustergraph.services.validation import RdfInput

_REPORT_TYPES: list[tuple[str, str]] = [
    ("application/json", "json"),
    ("text/markdown", "markdown"),
    ("text/turtle", "turtle"),
]


async def validate_endpoint(request: Request) -> Response:
    """Validate the body in the context of the store; never changes the store."""
    prepared = await _prepare(request)
    if isinstance(prepared, Response):
        return prepared
    source, fmt_name = prepared
    settings: Settings = request.app.state.settings
    writer: Writer = request.app.state.writer
    # In the writer: the check writes the body to a scratch graph of the store for its own time.
    report = await run_in_threadpool(writer.run, writes.check, settings.shapes_dir, source,
                                     max_triples=settings.max_triples, commits=False,
                                     recycle=_large(source), name="validate")
    failed = report.failed(strict=_strict(request))
    return _report(report, fmt_name, 200, {"X-Clustergraph-Conforms": "false" if failed else "true"})


async def ingest_endpoint(request: Request) -> Response:
    """Validate the body in context and commit it as one new batch (?by= who, ?source= from where)."""
    prepared = await _prepare(request)
    if isinstance(prepared, Response):
        return prepared
    source, fmt_name = prepared
    agent = request.query_params.get("by", "")
    if not agent.strip():
        return JSONResponse({"error": "say who ingests: ?by=<name or IRI>"}, status_code=400)
    settings: Settings = request.app.state.settings
    writer: Writer = request.app.state.writer
    try:
        done = await run_in_threadpool(lambda: writer.run(
            writes.add_batch, settings.shapes_dir, source, agent=agent, origin=request.query_params.get("source"),
            strict=_strict(request), max_triples=settings.max_triples, recycle=_large(source), name="ingest"))
    except NotConforming as refused:
        return _report(refused.report, fmt_name, 422, {"X-Clustergraph-Conforms": "false"})
    body = {"batch": _batch(done.batch), "report": json.loads(to_json(done.report))}
    return JSONResponse(body, status_code=201, headers={"Location": str(done.batch.graph)})


async def _prepare(request: Request) -> tuple[RdfInput, str] | Response:
    """The body as an RdfInput and the report format, or the refusal to send."""
    refusal = refuse_writer(request)
    if refusal is not None:
        return refusal
    chosen = choose(request.headers.get("accept"), _REPORT_TYPES)
    if chosen is None:
        return not_acceptable(_REPORT_TYPES)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = RdfFormat.from_media_type(media) if media else None
    if fmt is None:
        offered = ", ".join(f.media_type for f in RdfFormat)
        return JSONResponse({"error": f"send one RDF document as one of {offered}, "
                                      f"not {media or '(no Content-Type)'}"}, status_code=415)
    body = await request.body()
    name = request.query_params.get("name") or "request body"
    return RdfInput(name=name, data=body, fmt=fmt), chosen[1]


def _report(report: Report, fmt_name: str, status: int, headers: dict[str, str]) -> Response:
    if fmt_name == "markdown":
        return Response(to_markdown(report), status_code=status, media_type="text/markdown", headers=headers)
    if fmt_name == "turtle":
        return Response(to_turtle(report), status_code=status, media_type="text/turtle", headers=headers)
    return Response(to_json(report), status_code=status, media_type="application/json", headers=headers)


def _batch(batch: Batch) -> dict[str, Any]:
    return {"id": batch.id, "graph": str(batch.graph), "agent": batch.agent, "started": batch.started.isoformat(),
            "file": batch.file_name, "sha256": batch.sha256, "source": batch.source, "triples": batch.triples}


def _large(source: RdfInput) -> bool:
    return source.data is not None and len(source.data) > RECYCLE_BYTES


def _strict(request: Request) -> bool:
    return request.query_params.get("strict", "").lower() in ("1", "true", "yes")


routes = [
    Route("/api/validate", validate_endpoint, methods=["POST"]),
    Route("/api/ingest", ingest_endpoint, methods=["POST"]),
]
