"""Checked rows to triples, by morph-kgc running the mapping's YARRRML.

The rows (names already resolved to IRIs) are written to a CSV in a scratch folder, the mapping's
sources are pointed at it, and morph-kgc materialises the triples as N-Triples, which are then
parsed strictly like any other input.
"""

from __future__ import annotations

import csv
import logging
import tempfile
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.core.rdfio import parse_text
from clustergraph.services.sheets.mapping import Mapping, one_line_of


def to_quads(mapping: Mapping, rows: list[dict[str, str]], name: str) -> list[ox.Quad]:
    """The triples (in the default graph) that the mapping makes of `rows`."""
    try:
        import morph_kgc
    except ImportError as exc:
        raise InputError("spreadsheets need morph-kgc, which is not installed; run `make install` (it runs "
                         "pip install --no-deps morph-kgc==2.10.0)", consequence="nothing was changed") from exc

    logging.getLogger("morph_kgc").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="clustergraph-sheet-") as scratch:
        folder = Path(scratch)
        table = folder / "rows.csv"
        with table.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=[c.name for c in mapping.columns])
            writer.writeheader()
            writer.writerows(rows)
        rules = folder / "mapping.yml"
        with rules.open("w", encoding="utf-8") as out:
            yaml.safe_dump(_pointed_at(mapping.yarrrml, table), out, allow_unicode=True, sort_keys=False)
        config = (f"[CONFIGURATION]\nnumber_of_processes=1\nlogging_level=WARNING\n"
                  f"[DataSource1]\nmappings={rules}\n")
        try:
            triples = morph_kgc.materialize_set(config)
        except Exception as exc:  # morph-kgc reports a bad mapping with many kinds of exception
            raise InputError(f"the mapping cannot be run ({one_line_of(exc)})", path=mapping.path,
                             consequence="nothing was changed") from exc
    text = "".join(f"{t} .\n" for t in sorted(triples))
    quads = parse_text(text.encode("utf-8"), RdfFormat.N_TRIPLES, name=name) if text else []
    return _fresh_blank_nodes(quads)


def _fresh_blank_nodes(quads: list[ox.Quad]) -> list[ox.Quad]:
    """The quads with new blank nodes: morph-kgc names them after the row, and the store's blank
    nodes are shared by all its graphs, so the same row ingested twice must not meet itself."""
    fresh: dict[str, ox.BlankNode] = {}

    def renamed(term: Any) -> Any:
        return fresh.setdefault(term.value, ox.BlankNode()) if isinstance(term, ox.BlankNode) else term

    return [ox.Quad(renamed(q.subject), q.predicate, renamed(q.object), q.graph_name) for q in quads]


def _pointed_at(yarrrml: dict[str, Any], table: Path) -> dict[str, Any]:
    """The YARRRML with every mapping's sources replaced by the CSV `table`."""
    mappings = {key: {**rule, "sources": [[f"{table}~csv"]]} for key, rule in yarrrml["mappings"].items()}
    return {**yarrrml, "mappings": mappings}
