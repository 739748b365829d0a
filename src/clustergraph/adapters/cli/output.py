"""How results look on a terminal and in files: rich tables, SPARQL result formats, RDF syntaxes.

The engines (pyoxigraph, rdflib) and rich are imported where they are used, so that the commands'
--help loads neither.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat, ResultFormat

if TYPE_CHECKING:
    from rich.console import Console

    from clustergraph.core.results import Boolean, QueryResult, Solutions

RESULT_CHOICES = ["table"] + [f.label for f in ResultFormat] + [f.label for f in RdfFormat]


def console(*, err: bool = False) -> Console:
    """A rich console on stdout (or stderr), plain when not a terminal."""
    from rich.console import Console

    return Console(stderr=err, highlight=False, soft_wrap=False)


def short(term: object) -> str:
    """A term in a table cell: shorten() for IRIs, _:id for blank nodes, the value for literals."""
    import pyoxigraph as ox
    from rdflib import URIRef

    from clustergraph.base.terms import shorten

    if term is None:
        return ""
    if isinstance(term, URIRef) or isinstance(term, ox.NamedNode):
        return shorten(term)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


def emit(result: QueryResult, fmt: str | None) -> None:
    """Print `result` to stdout in `fmt` (None: a table on a terminal, otherwise CSV or Turtle)."""
    from clustergraph.base.terms import PREFIXES
    from clustergraph.core.results import Triples, write_solutions, write_triples

    if isinstance(result, Triples):
        rdf = RdfFormat.TURTLE if fmt in (None, "table") else RdfFormat.from_label(fmt)
        sys.stdout.buffer.write(write_triples(result, rdf, PREFIXES))
        sys.stdout.flush()
    else:
        fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
        if fmt == "table":
            _table(result)
        else:
            if fmt not in {f.label for f in ResultFormat}:
                raise InputError(f"format '{fmt}' is for graphs; SELECT and ASK give table, "
                                 + ", ".join(f.label for f in ResultFormat))
            sys.stdout.buffer.write(write_solutions(result, ResultFormat.from_label(fmt)))
            sys.stdout.flush()
    if result.truncated:
        click.echo("warning: the answer was cut at the row limit; it is incomplete", err=True)


def _table(result: Solutions | Boolean) -> None:
    from rich.table import Table

    from clustergraph.core.results import Boolean

    out = console()
    if isinstance(result, Boolean):
        out.print("true" if result.value else "false")
        return
    table = Table(*result.variables, show_lines=False)
    for row in result.rows:
        table.add_row(*(short(t) for t in row))
    out.print(table)
    click.echo(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}", err=True)
