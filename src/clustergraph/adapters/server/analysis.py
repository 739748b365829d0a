"""The analyst pages: /compare (clusters side by side, with a CSV export) and /evidence (each
hypothesis's evidence map). Every number they show is counted from the graph's rows.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clustergraph.adapters.server.pages import render
from clustergraph.core.config import Settings
from clustergraph.core.store import Store
from clustergraph.services import comparison, evidence
from clustergraph.services.chains import evidence_class

#: Bar colours of the evidence chart, one per evidence status (as in the stylesheet's status chips).
STATUS_COLOURS = {"Verified": "#1d7a46", "Unverified": "#a86b00", "Inferred": "#6a4fb3"}


async def _comparisons(request: Request) -> tuple[comparison.Comparison, comparison.Comparison, list[str]]:
    """Every cluster's comparison, the selected one, and the selected cluster IRIs: those of the URL's
    `cluster` parameters, or without any, the clusters with at least one chain insertion."""
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    clusters, aspects = request.query_params.getlist("cluster"), request.query_params.getlist("aspect")
    every = await run_in_threadpool(comparison.compare, store, settings.queries_dir)
    if not clusters:
        clusters = [c.text for c in every.clusters if every.cell(c.text, "chain")]
    shown = await run_in_threadpool(comparison.compare, store, settings.queries_dir, clusters, aspects)
    return every, shown, clusters


async def compare_page(request: Request) -> Response:
    """Clusters in columns, aspects in rows; checkboxes pick clusters and aspects (kept in the URL)."""
    every, shown, clusters = await _comparisons(request)
    return render(request, "compare.html", {
        "every": every, "comparison": shown, "chosen": set(clusters), "chosen_aspects": set(shown.aspects),
        "all_aspects": comparison.ASPECTS, "evidence_class": evidence_class, "csv_query": request.url.query})


async def compare_csv(request: Request) -> Response:
    """The comparison of /compare as CSV (one row per cell entry), for the same selection."""
    _, shown, _ = await _comparisons(request)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=comparison.COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(comparison.rows(shown))
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="compare.csv"'})


async def evidence_page(request: Request) -> Response:
    """Every hypothesis of the graph with its evidence map (or only the one named in the path)."""
    store: Store = request.app.state.store
    settings: Settings = request.app.state.settings
    name = request.path_params.get("name")
    if name:
        found = [await run_in_threadpool(evidence.find_hypothesis, store, name)]
    else:
        found = await run_in_threadpool(evidence.hypotheses, store)
    maps = [await run_in_threadpool(evidence.weigh, store, settings.queries_dir, h) for h in found]
    return render(request, "evidence.html", {"maps": [_chart(m) for m in maps], "evidence_class": evidence_class})


def _chart(m: evidence.EvidenceMap) -> dict[str, Any]:
    """The map with the geometry of its bar chart: one bar per bearing, stacked by evidence status."""
    width_per_row = 440 / max([m.count(b) for b in m.bearings] or [1])
    bars = []
    for i, bearing in enumerate(m.bearings):
        x = 0.0
        parts = []
        for status in m.statuses:
            n = m.count(bearing, status)
            if n:
                parts.append({"status": status, "n": n, "x": x, "w": n * width_per_row,
                              "colour": STATUS_COLOURS.get(status, "#7b8794")})
                x += n * width_per_row
        bars.append({"bearing": bearing, "y": i * 30, "total": m.count(bearing), "parts": parts, "end": x})
    return {"map": m, "bars": bars, "height": len(bars) * 30 + 10}


routes = [
    Route("/compare", compare_page, methods=["GET"]),
    Route("/compare.csv", compare_csv, methods=["GET"]),
    Route("/evidence", evidence_page, methods=["GET"]),
    Route("/evidence/{name}", evidence_page, methods=["GET"]),
]
