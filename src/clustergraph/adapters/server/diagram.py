"""The chain diagram of a cluster page: geometry for an SVG drawn by templates/diagram.svg.html.

One band per chain insertion: the cluster (left) links to the insertion's buyers (middle), which
link to the chain's end markets (right). Each band is headed by the link's label (governance form,
period, chain) and its source (publication, locator, evidence status).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from clustergraph.services.chains import Insertion, evidence_class
from clustergraph.services.describe import Value

CLUSTER_X, BAND_X, BUYER_X, MARKET_X = 10, 400, 440, 830
BOX_W, BOX_H, ROW_H = 230, 44, 56
HEADER_H = 46
WIDTH = MARKET_X + BOX_W + 20
#: Average character widths (13 px text, 13 px bold, 12 px), to cut text that would overflow.
_CHAR_W, _BOLD_W, _SMALL_W = 7.0, 7.6, 6.6


@dataclass(frozen=True)
class Box:
    """A labelled box: a node of the diagram (cluster, buyer, end market), linked to its page."""

    x: int
    y: int
    w: int
    h: int
    text: str
    full: str
    href: str | None
    kind: str  # cluster | buyer | market | missing


@dataclass(frozen=True)
class Edge:
    """An arrow between two boxes, as an SVG path."""

    path: str
    kind: str  # governance | market


@dataclass(frozen=True)
class Band:
    """One insertion: its header (label and source line) and where it sits."""

    y: int
    height: int
    label: str
    source: str
    source_href: str | None
    status: str
    insertion_href: str | None


@dataclass(frozen=True)
class Diagram:
    """Everything the SVG draws."""

    width: int
    height: int
    band_x: int
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    bands: tuple[Band, ...]


def layout(cluster: Value, links: Sequence[Insertion], href: Callable[[str], str | None]) -> Diagram:
    """Place the cluster, the buyers and end markets of each insertion, and the arrows between them."""
    boxes: list[Box] = []
    edges: list[Edge] = []
    bands: list[Band] = []
    y = 10
    targets: list[tuple[int, int]] = []
    for link in links:
        buyers = link.buyers or (None,)
        markets = link.markets or (None,)
        rows = max(len(buyers), len(markets))
        height = HEADER_H + rows * ROW_H
        bands.append(_band(link, y, height, href))
        top = y + HEADER_H
        buyer_mids = []
        for i, buyer in enumerate(buyers):
            box = _box(BUYER_X, top + i * ROW_H, buyer, "buyer", "buyers not named", href)
            boxes.append(box)
            buyer_mids.append(box.y + BOX_H // 2)
            targets.append((BUYER_X, box.y + BOX_H // 2))
        for i, market in enumerate(markets):
            box = _box(MARKET_X, top + i * ROW_H, market, "market", "end market not named", href)
            boxes.append(box)
            for mid in buyer_mids:
                edges.append(Edge(_curve(BUYER_X + BOX_W, mid, MARKET_X, box.y + BOX_H // 2), "market"))
        y += height + 14
    total = max(y, 10 + BOX_H + 20)
    cluster_y = max(10, (total - BOX_H) // 2)
    boxes.insert(0, _box(CLUSTER_X, cluster_y, cluster, "cluster", "", href, width=220))
    for x, mid in targets:
        edges.insert(0, Edge(_curve(CLUSTER_X + 220, cluster_y + BOX_H // 2, x, mid), "governance"))
    return Diagram(WIDTH, total, BAND_X, tuple(boxes), tuple(edges), tuple(bands))


def _band(link: Insertion, y: int, height: int, href: Callable[[str], str | None]) -> Band:
    # Governance and period first: a cut label loses the end of the chain's name, not them.
    form = link.governance.shown if link.governance else "governance not stated"
    parts = [f"{form}, {link.period}" if link.period else form,
             link.chain.shown if link.chain else "chain not named"]
    source = "; ".join(s.shown for s in link.sources) or "no source named"
    if link.locator:
        source += f", {link.locator}"
    status = evidence_class(link.status)
    room = WIDTH - BAND_X - 24
    return Band(y, height, _cut(" \u00b7 ".join(parts), int(room / _BOLD_W)),
                _cut(f"source: {source} ({status})", int(room / _SMALL_W)),
                href(link.sources[0].text) if link.sources else None, status, href(link.iri.text))


def _box(x: int, y: int, value: Value | None, kind: str, missing: str, href: Callable[[str], str | None],
         *, width: int = BOX_W) -> Box:
    if value is None:
        return Box(x, y, width, BOX_H, missing, missing, None, "missing")
    link = href(value.text) if value.kind == "iri" else None
    return Box(x, y, width, BOX_H, _cut(value.shown, int((width - 16) / _CHAR_W)), value.shown, link, kind)


def _curve(x1: int, y1: int, x2: int, y2: int) -> str:
    middle = (x1 + x2) // 2
    return f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2 - 6},{y2}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"
