"""The steward operations over HTTP: POST /api/validate, /api/ingest, /api/retract, GET /api/batches (token only).

The body is one RDF document in the syntax its Content-Type names; `?name=` is what the report calls
it (default 'request body'), `?strict=true` makes warnings fail too. The reports are the CLI's:
JSON by default, Markdown (text/markdown) or a SHACL validation report in Turtle (text/turtle) by
Accept. Statuses: validate 200 (the report says whether it conforms); ingest 201 with the batch and
its report, or 422 with the report when the data breaks the shapes (nothing is written); 400 for a
body that cannot be used; 401/403 without the token.
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from clustergraph.adapters.server.auth import refuse_writer
from clustergraph.adapters.server.limits import RECYCLE_BYTES
from clustergraph.adapters.server.negotiation import choose
from clustergraph.adapters.server.reports import REPORT_TYPES, batch_json, report_answer
from clustergraph.adapters.server.sparql import not_acceptable
from clustergraph.base.errors import NotConforming
from clustergraph.base.formats import RdfFormat
from clustergraph.core.config import Settings
from clustergraph.core.pool import Writer
from clustergraph.core.store import Store
from clustergraph.services.sheets import XLSX, SheetSource
from clustergraph.services.steward import guard, writes
from clustergraph.services.steward.ingest import batches as list_batches
from clustergraph.services.validation import RdfInput
from clustergraph.services.validation.report import to_json


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
                                     max_triples=settings.max_triples, mappings=settings.mappings_dir, commits=False,
                                     recycle=_large(source), name="validate")
    failed = report.failed(strict=_strict(request))
    return report_answer(report, fmt_name, 200, {"X-Clustergraph-Conforms": "false" if failed else "true"})


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
            strict=_strict(request), max_triples=settings.max_triples, mappings=settings.mappings_dir,
            recycle=_large(source), name="ingest"))
    except NotConforming as refused:
        return report_answer(refused.report, fmt_name, 422, {"X-Clustergraph-Conforms": "false"})
    body = {"batch": batch_json(done.batch), "report": json.loads(to_json(done.report))}
    return JSONResponse(body, status_code=201, headers={"Location": str(done.batch.graph)})


def _report_format(request: Request) -> str | Response:
    """The report format Accept asks for, if the request carries a write token; else the refusal."""
    refusal = refuse_writer(request)
    if refusal is not None:
        return refusal
    chosen = choose(request.headers.get("accept"), REPORT_TYPES)
    return not_acceptable(REPORT_TYPES) if chosen is None else chosen[1]


async def _prepare(request: Request) -> tuple[RdfInput | SheetSource, str] | Response:
    """The body as an RdfInput (or a spreadsheet with its ?mapping=) and the report format, or the refusal."""
    chosen = _report_format(request)
    if isinstance(chosen, Response):
        return chosen
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    name = request.query_params.get("name") or "request body"
    if media in _SHEET_TYPES:
        kind = request.query_params.get("mapping", "").strip()
        if not kind:
            return JSONResponse({"error": "a spreadsheet needs ?mapping=KIND to say what its rows are"},
                                status_code=400)
        return SheetSource(name, await request.body(), kind, xlsx=media == XLSX), chosen
    fmt = RdfFormat.from_media_type(media) if media else None
    if fmt is None:
        offered = ", ".join([*(f.media_type for f in RdfFormat), *_SHEET_TYPES])
        return JSONResponse({"error": f"send one RDF document or spreadsheet as one of {offered}, "
                                      f"not {media or '(no Content-Type)'}"}, status_code=415)
    body = await request.body()
    return RdfInput(name=name, data=body, fmt=fmt), chosen


#: Spreadsheets, read with the mapping that ?mapping= names (services/sheets).
_SHEET_TYPES = ("text/csv", XLSX)


async def retract_endpoint(request: Request) -> Response:
    """Retract one batch (?batch=ID; ?force=true to retract even if the rest would break the shapes)."""
    chosen = _report_format(request)
    if isinstance(chosen, Response):
        return chosen
    batch_id = request.query_params.get("batch", "")
    if not batch_id.strip():
        return JSONResponse({"error": "name the batch: ?batch=<id>"}, status_code=400)
    settings: Settings = request.app.state.settings
    writer: Writer = request.app.state.writer
    force = request.query_params.get("force", "").lower() in ("1", "true", "yes")
    try:
        done = await run_in_threadpool(writer.run, guard.retract, settings.shapes_dir, batch_id, force=force,
                                       strict=_strict(request), name="retract")
    except NotConforming as refused_retract:
        return report_answer(refused_retract.report, chosen, 422, {"X-Clustergraph-Conforms": "false"})
    return JSONResponse({"batch": batch_json(done.batch), "report": json.loads(to_json(done.report))})


async def batches_endpoint(request: Request) -> Response:
    """The ingested and written batches, oldest first (token only: the page of a steward lists them)."""
    refusal = refuse_writer(request)
    if refusal is not None:
        return refusal
    store: Store = request.app.state.store
    found = await run_in_threadpool(list_batches, store)
    return JSONResponse({"batches": [batch_json(b) for b in found]})


def _large(source: RdfInput | SheetSource) -> bool:
    return source.data is not None and len(source.data) > RECYCLE_BYTES


def _strict(request: Request) -> bool:
    return request.query_params.get("strict", "").lower() in ("1", "true", "yes")


routes = [
    Route("/api/validate", validate_endpoint, methods=["POST"]),
    Route("/api/ingest", ingest_endpoint, methods=["POST"]),
    Route("/api/retract", retract_endpoint, methods=["POST"]),
    Route("/api/batches", batches_endpoint, methods=["GET"]),
]
