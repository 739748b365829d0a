"""The answers of checked writes: a validation report by Accept, a refusal (422), a written batch."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse, Response

from clustergraph.adapters.server.negotiation import choose
from clustergraph.base.errors import NotConforming
from clustergraph.services.steward.guard import Written
from clustergraph.services.steward.ingest import Batch
from clustergraph.services.validation.report import Report, to_json, to_markdown, to_turtle

REPORT_TYPES: list[tuple[str, str]] = [
    ("application/json", "json"),
    ("text/markdown", "markdown"),
    ("text/turtle", "turtle"),
]


def report_answer(report: Report, fmt_name: str, status: int, headers: dict[str, str]) -> Response:
    """`report` as JSON, Markdown or a SHACL validation report in Turtle."""
    if fmt_name == "markdown":
        return Response(to_markdown(report), status_code=status, media_type="text/markdown", headers=headers)
    if fmt_name == "turtle":
        return Response(to_turtle(report), status_code=status, media_type="text/turtle", headers=headers)
    return Response(to_json(report), status_code=status, media_type="application/json", headers=headers)


def refused(refusal: NotConforming, accept: str | None) -> Response:
    """422 with the report of a write that would break the shapes (nothing was written)."""
    chosen = choose(accept, REPORT_TYPES)
    return report_answer(refusal.report, chosen[1] if chosen else "json", 422, {"X-Clustergraph-Conforms": "false"})


def batch_json(batch: Batch) -> dict[str, Any]:
    return {"id": batch.id, "graph": str(batch.graph), "agent": batch.agent, "started": batch.started.isoformat(),
            "file": batch.file_name, "sha256": batch.sha256, "source": batch.source, "triples": batch.triples}


def written(done: Written, status: int, *, location: str | None = None) -> Response:
    """A guarded write applied: its batch, the quads it added and removed, and its check's report."""
    body = {"batch": batch_json(done.batch), "added": done.added, "removed": done.removed,
            "report": json.loads(to_json(done.report))}
    headers = {"Location": location} if location else {}
    return JSONResponse(body, status_code=status, headers=headers)
