"""Spreadsheets in: CSV or .xlsx rows, checked cell by cell, mapped to triples by a mapping of mappings/.

    mapping.py   the mapping files: columns (clustergraph's) and YARRRML (morph-kgc's); the template
    cells.py     reading rows and checking each cell (types, ids, names resolved to IRIs)
    convert.py   morph-kgc: checked rows to triples

`sheet_input` is the one entry: it turns a spreadsheet into an RdfInput that validate and ingest
take like any RDF file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clustergraph.core.store import Store
from clustergraph.services.sheets.cells import XLSX, SheetError, check_rows, read_sheet
from clustergraph.services.sheets.convert import to_quads
from clustergraph.services.sheets.mapping import Mapping, kinds, load_mapping, template
from clustergraph.services.validation import RdfInput

__all__ = ["XLSX", "Mapping", "SheetError", "SheetSource", "as_rdf", "is_sheet", "kinds", "load_mapping", "sheet_input",
           "template"]


@dataclass(frozen=True)
class SheetSource:
    """A spreadsheet as the server receives it: its bytes, what to call it, the kind of its rows."""

    name: str
    data: bytes
    kind: str
    xlsx: bool = False


def is_sheet(name: str | Path) -> bool:
    """True for a name ending in .csv or .xlsx."""
    return str(name).lower().endswith((".csv", ".xlsx"))


def sheet_input(store: Store, mappings_dir: Path, kind: str, *, name: str, data: bytes,
                xlsx: bool | None = None) -> RdfInput:
    """The spreadsheet `data` (CSV, or .xlsx when `xlsx` or the name says so) as the triples its
    mapping makes, checked against the store (names are looked up there).

    Raises InputError for an unknown kind or an unreadable file, SheetError (one line per cell at
    fault) for rows that do not fit the mapping's columns.
    """
    mapping = load_mapping(mappings_dir, kind)
    sheet = read_sheet(name, data, xlsx=name.lower().endswith(".xlsx") if xlsx is None else xlsx)
    rows = check_rows(store, mapping, sheet)
    quads = to_quads(mapping, rows, name)
    return RdfInput(name=name, quads=tuple(quads), original=data)


def as_rdf(store: Store, mappings_dir: Path, source: RdfInput | SheetSource) -> RdfInput:
    """`source` as an RdfInput: a spreadsheet is mapped (see sheet_input), RDF is as it is."""
    if isinstance(source, SheetSource):
        return sheet_input(store, mappings_dir, source.kind, name=source.name, data=source.data, xlsx=source.xlsx)
    return source
