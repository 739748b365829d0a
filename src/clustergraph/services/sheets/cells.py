"""Reading a spreadsheet's rows and checking each cell against its mapping's columns.

A cell is checked before any triple is made: a required cell is given, an id is a slug and
unique, a typed cell is a value of its datatype, and a cell that names something (a cluster, a
governance type ...) is resolved to exactly one IRI: by IRI, by prefixed name, or by a label that
is unique. Every problem is one line `FILE:ROW:COLUMN: what is wrong`, and all of a file's problems
are reported at once (SheetError).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources

import pyoxigraph as ox
from rdflib import Literal, URIRef

from clustergraph.base.errors import InputError
from clustergraph.base.terms import PREFIXES
from clustergraph.core.rdfio import well_typed
from clustergraph.core.store import QueryOptions, Store
from clustergraph.services.describe import prefixed
from clustergraph.services.sheets.mapping import Column, Mapping

#: The query of what a column's cells can name, by the column's check (names-<check>.rq beside this file).
_NAMES = {check: resources.files(__package__).joinpath(f"names-{check}.rq").read_text(encoding="utf-8")
          for check in ("refers-to", "concept-in", "subclass-of")}
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_IRI = re.compile(r"<[^<>\s]+>|[a-zA-Z][a-zA-Z0-9+.-]*://\S+|urn:\S+")
_PREFIXED = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(\S*)")
#: The media type of an .xlsx workbook.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SheetError(InputError):
    """A spreadsheet with problems; `problems` are its lines, one per cell (or header) at fault."""

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        n = len(problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the spreadsheet", path=name,
                         consequence="nothing was changed")
        self.sheet = name
        self.problems = list(problems)
        self.message = "\n".join([*self.problems, self.message])

    def __reduce__(self) -> tuple[type[SheetError], tuple[str, list[str]]]:
        return SheetError, (self.sheet, self.problems)  # it crosses from the server's writer process


@dataclass
class Sheet:
    """The rows of a spreadsheet: `header` as written, `rows` as (row number, cells)."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def read_sheet(name: str, data: bytes, *, xlsx: bool = False) -> Sheet:
    """The rows of a CSV (UTF-8) or of the first sheet of an .xlsx workbook.

    Rows whose first cell starts with '#' (the template's descriptions) and empty rows are left out.
    Raises InputError for a file that is not CSV in UTF-8, or not a workbook.
    """
    table = _xlsx_rows(name, data) if xlsx else _csv_rows(name, data)
    if not table:
        raise InputError("the spreadsheet is empty; its first row must be the header", path=name,
                         consequence="nothing was changed")
    (_, header), *rest = table
    sheet = Sheet(name, [h.strip() for h in header])
    for number, cells in rest:
        if any(c.strip() for c in cells) and not (cells and cells[0].lstrip().startswith("#")):
            sheet.rows.append((number, [c.strip() for c in cells]))
    return sheet


def _csv_rows(name: str, data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}); save the spreadsheet as CSV UTF-8", path=name,
                         consequence="nothing was changed") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            rows.append((len(rows) + 1, cells))
    except csv.Error as exc:
        raise InputError(f"not CSV ({exc})", path=name, line=reader.line_num,
                         consequence="nothing was changed") from exc
    return rows


def _xlsx_rows(name: str, data: bytes) -> list[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"not an .xlsx workbook ({exc})", path=name, consequence="nothing was changed") from exc
    try:
        sheet = book.worksheets[0]
        return [(number, [_cell_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV would hold (2001.0 is '2001'; a date is YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- checking ------------------------------------------------------------------------------------

@dataclass
class _Names:
    """What the cells of one column can name: IRIs by their normalised names, and the target's noun."""

    noun: str
    by_key: dict[str, set[str]]
    shown: dict[str, str]

    def resolve(self, text: str) -> set[str]:
        return self.by_key.get(_key(text), set())

    def close_to(self, text: str) -> list[str]:
        keys = difflib.get_close_matches(_key(text), list(self.by_key), n=5, cutoff=0.6)
        return sorted({iri for k in keys for iri in self.by_key[k]})


def check_rows(store: Store, mapping: Mapping, sheet: Sheet) -> list[dict[str, str]]:
    """The rows as cells ready to map (names resolved to IRIs, empty cells left out).

    Raises SheetError with one line per problem: a missing or unknown column, an empty required
    cell, a bad or repeated id, an ill-typed value, a name that is unknown or ambiguous.
    """
    problems = _header_problems(mapping, sheet)
    if problems:
        raise SheetError(sheet.name, problems)
    names: dict[str, _Names] = {}
    seen_ids: dict[str, int] = {}
    rows = []
    for number, cells in sheet.rows:
        row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(sheet.header)}
        checked: dict[str, str] = {}
        for column in mapping.columns:
            where = f"{sheet.name}:{number}:{column.name}"
            value = row.get(column.name, "")
            if not value:
                if column.required:
                    problems.append(f"{where}: empty; the {column.name} is required ({column.description})")
                continue
            problem, resolved = _check_cell(store, column, value, row, names)
            if problem:
                problems.append(f"{where}: {problem}")
                continue
            if column.slug:
                if value in seen_ids:
                    problems.append(f"{where}: '{value}' is the id of row {seen_ids[value]} too; ids are unique")
                seen_ids.setdefault(value, number)
            checked[column.name] = resolved
        rows.append(checked)
    if problems:
        raise SheetError(sheet.name, problems)
    return rows


def _header_problems(mapping: Mapping, sheet: Sheet) -> list[str]:
    expected = [c.name for c in mapping.columns]
    problems = []
    for name in expected:
        if name not in sheet.header and mapping.column(name).required:  # type: ignore[union-attr]
            problems.append(f"{sheet.name}:1:{name}: the column is missing (`clustergraph template {mapping.kind}` "
                            "writes a sheet with every column)")
    for i, name in enumerate(sheet.header):
        if name and name not in expected:
            problems.append(f"{sheet.name}:1:{name}: not a column of a {mapping.kind} sheet; "
                            f"its columns are {', '.join(expected)}")
        elif name in sheet.header[:i]:
            problems.append(f"{sheet.name}:1:{name}: the column is there twice")
    return problems


def _check_cell(store: Store, column: Column, value: str, row: dict[str, str],
                names: dict[str, _Names]) -> tuple[str | None, str]:
    """(problem, None) or (None, the value to map)."""
    if column.slug and not _SLUG.fullmatch(value):
        return f"'{value}' is not an id: lower case letters, digits and hyphens, starting with a letter or digit", ""
    if column.check == "datatype":
        assert column.target is not None
        if not well_typed(value, column.target) or Literal(value, datatype=URIRef(column.target)).ill_typed:
            return f"'{value}' is not a value of {prefixed(column.target)}{_DATATYPE_HINTS.get(column.target, '')}", ""
        return None, value
    if column.check is None:
        return None, value
    if value.lower() == "self" and column.self_iri:
        return None, column.self_iri.format(**row)
    known = names.get(column.name) or names.setdefault(column.name, _names(store, column))
    return _resolve(column, value, known)


_DATATYPE_HINTS = {"http://www.w3.org/2001/XMLSchema#gYear": " (a year of four digits, such as 2001)",
                   "http://www.w3.org/2001/XMLSchema#date": " (a date YYYY-MM-DD)",
                   "http://www.w3.org/2001/XMLSchema#positiveInteger": " (a whole number from 1)"}


def _resolve(column: Column, value: str, known: _Names) -> tuple[str | None, str]:
    iri = _as_iri(value)
    if iri is not None:
        if any(iri in iris for iris in known.by_key.values()):
            return None, iri
        return f"no {known.noun} <{iri}> in the store; give one that is there, or ingest it first", ""
    found = known.resolve(value)
    if len(found) == 1:
        return None, next(iter(found))
    closed = column.check in ("concept-in", "subclass-of")
    if found:
        return (f"'{value}' names {len(found)} {known.noun}s: {_listed(found, known)}; "
                "give the prefixed name or the IRI of the one you mean", "")
    if closed:
        what = f"in {known.noun}" if column.check == "concept-in" else f"a kind of {known.noun}"
        return f"'{value}' is not {what}; expected one of {_listed(_all(known), known, iri=False)}", ""
    near = known.close_to(value)
    hint = f"candidates: {_listed(near, known)}" if near else "give its IRI, or ingest it first"
    return f"no {known.noun} is called '{value}'; {hint}", ""


def _as_iri(value: str) -> str | None:
    if _IRI.fullmatch(value):
        return value.strip("<>")
    match = _PREFIXED.fullmatch(value)
    if match and match.group(1) in PREFIXES:
        return PREFIXES[match.group(1)] + match.group(2)
    return None


def _all(known: _Names) -> set[str]:
    return {iri for iris in known.by_key.values() for iri in iris}


def _listed(iris: set[str] | list[str], known: _Names, *, iri: bool = True) -> str:
    shown = sorted(iris, key=lambda i: (known.shown.get(i) or i).casefold())
    if iri:
        return ", ".join(f"{known.shown.get(i, prefixed(i))} ({prefixed(i)})" for i in shown)
    return ", ".join(known.shown.get(i, prefixed(i)) for i in shown)


def _names(store: Store, column: Column) -> _Names:
    assert column.check is not None and column.target is not None
    result = store.select(_NAMES[column.check], bindings={"target": URIRef(column.target)},
                          options=QueryOptions(name="spreadsheet names"))
    by_key: dict[str, set[str]] = defaultdict(set)
    shown: dict[str, str] = {}
    shown_rank: dict[str, tuple[bool, int]] = {}
    noun = column.name
    for item, name, target_noun in result.rows:
        assert isinstance(item, ox.NamedNode | ox.BlankNode)
        iri = item.value
        by_key[_key(_local_name(iri))].add(iri)
        if isinstance(name, ox.Literal):
            by_key[_key(name.value)].add(iri)
            rank = (name.language not in ("en", None, ""), len(name.value))
            if iri not in shown or rank < shown_rank[iri]:
                shown[iri], shown_rank[iri] = name.value, rank
        if isinstance(target_noun, ox.Literal):
            noun = target_noun.value
    by_key.pop("", None)
    return _Names(noun, dict(by_key), shown)


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _key(text: str) -> str:
    """A name as it is compared: accents, case, spaces and punctuation left out ('Criciúma' is 'criciuma')."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    return re.sub(r"[^0-9a-z]", "", folded)
