"""Strict parsing of RDF files and text: every error names file, line and column.

pyoxigraph's parsers are W3C-conformant and strict (relative IRIs, bad escapes, missing dots are
rejected). On top of them this module rejects literals that are ill-typed for their XSD datatype
("abc"^^xsd:integer), which RDF syntax allows but which no steward means.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.base.terms import XSD
from clustergraph.core.results import ox_format

_LEXICAL = {
    XSD + "integer": r"[+-]?[0-9]+",
    XSD + "decimal": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)",
    XSD + "double": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    XSD + "float": r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    XSD + "boolean": r"true|false|1|0",
    XSD + "date": r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?",
    XSD + "dateTime": r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?",
    XSD + "gYear": r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?",
    XSD + "gYearMonth": r"-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?",
    XSD + "anyURI": r"[^\s]*",
}
#: The integer types derived from xsd:integer and their value ranges (None: unbounded).
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    XSD + "byte": (-2**7, 2**7 - 1), XSD + "short": (-2**15, 2**15 - 1), XSD + "int": (-2**31, 2**31 - 1),
    XSD + "long": (-2**63, 2**63 - 1), XSD + "unsignedByte": (0, 2**8 - 1), XSD + "unsignedShort": (0, 2**16 - 1),
    XSD + "unsignedInt": (0, 2**32 - 1), XSD + "unsignedLong": (0, 2**64 - 1),
    XSD + "positiveInteger": (1, None), XSD + "nonNegativeInteger": (0, None),
    XSD + "negativeInteger": (None, -1), XSD + "nonPositiveInteger": (None, 0)}
_PATTERNS = {dt: re.compile(p) for dt, p in _LEXICAL.items()}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_CHECKED = frozenset(_PATTERNS) | frozenset(INTEGER_RANGES)


@dataclass(frozen=True)
class ParseSummary:
    """What a strict parse of one file found."""

    path: Path
    fmt: RdfFormat
    triples: int


def check_file(path: Path, fmt: RdfFormat | None = None) -> ParseSummary:
    """Parse `path` strictly without keeping its triples; returns how many it holds.

    Raises InputError (path, line, column) on a syntax error, an ill-typed literal, a missing or
    unreadable file, or an unknown suffix.
    """
    fmt = fmt or RdfFormat.from_suffix(path)
    count = sum(1 for _ in parse_file(path, fmt))
    return ParseSummary(path, fmt, count)


def parse_file(path: Path, fmt: RdfFormat | None = None, *, base_iri: str | None = None,
               check_literals: bool = True) -> Iterator[ox.Quad]:
    """The quads of `path`, parsed strictly and streamed, blank nodes renamed apart; raises InputError.

    `base_iri` resolves relative IRIs (without it they are errors); `check_literals` False keeps
    ill-typed literals (test suites that are about them) instead of rejecting them.
    """
    fmt = fmt or RdfFormat.from_suffix(path)
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a file", path=path)
    try:
        with path.open("rb") as stream:
            quads = ox.parse(stream, format=ox_format(fmt), base_iri=base_iri, rename_blank_nodes=True)
            yield from _checked(quads, path) if check_literals else quads
    except SyntaxError as exc:
        raise _syntax_error(exc, path) from exc
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", path=path) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", path=path) from exc


def parse_text(data: bytes | str, fmt: RdfFormat, *, name: str = "<input>",
               base_iri: str | None = None) -> list[ox.Quad]:
    """The quads of `data`, parsed strictly; raises InputError naming `name`, line and column."""
    try:
        quads = ox.parse(data, format=ox_format(fmt), base_iri=base_iri, rename_blank_nodes=True)
        return list(_checked(quads, Path(name)))
    except SyntaxError as exc:
        raise _syntax_error(exc, Path(name)) from exc


def _checked(quads: Iterator[ox.Quad], path: Path) -> Iterator[ox.Quad]:
    for quad in quads:
        obj = quad.object
        if isinstance(obj, ox.Literal):
            if obj.datatype.value in _CHECKED and not well_typed(obj.value, obj.datatype.value):
                datatype = obj.datatype.value.replace(XSD, "xsd:")
                raise InputError(
                    f"'{obj.value}' is not a valid {datatype} (subject {quad.subject}, predicate {quad.predicate})",
                    path=path,
                    consequence="nothing was loaded",
                )
        yield quad


def well_typed(lexical: str, datatype: str) -> bool:
    """False when `lexical` is not a value of the XSD `datatype` ("abc"^^xsd:integer, "300"^^xsd:byte);
    True for a datatype not checked here."""
    if datatype in INTEGER_RANGES:
        low, high = INTEGER_RANGES[datatype]
        return (_INTEGER.fullmatch(lexical) is not None and (low is None or int(lexical) >= low)
                and (high is None or int(lexical) <= high))
    pattern = _PATTERNS.get(datatype)
    return pattern is None or pattern.fullmatch(lexical) is not None


def _syntax_error(exc: SyntaxError, path: Path) -> InputError:
    """An InputError carrying the location pyoxigraph reports (1-based line and column)."""
    detail = str(exc.msg or exc)
    # pyoxigraph prefixes the message with the location; keep only what is wrong.
    detail = re.sub(r"^Parser error (at line \d+ between columns \d+ and \d+|between line \d+ column \d+ "
                    r"and line \d+ column \d+|at line \d+ column \d+): ", "", detail)
    if "LoadDocumentCallback" in detail:  # pyoxigraph's words for a remote JSON-LD @context it will not fetch
        detail = ("the JSON-LD @context (or @import) names a remote document, and contexts are never fetched "
                  "from the network; write the context inline in the file (\"@context\": {...})")
    return InputError(detail, path=path, line=exc.lineno, column=exc.offset, consequence="nothing was loaded")
