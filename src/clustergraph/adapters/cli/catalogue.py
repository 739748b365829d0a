"""Commands of the catalogue concern: `clustergraph queries` lists the named queries of queries/.

`clustergraph query NAME -p key=value` (in commands.py) runs one.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from clustergraph.adapters.cli.app import main
from clustergraph.core.config import Settings

if TYPE_CHECKING:
    from clustergraph.services.queries import NamedQuery, Param


@main.command()
@click.argument("name", required=False)
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for programs.")
@click.pass_obj
def queries(settings: Settings, name: str | None, fmt: str) -> None:
    """List the named queries of queries/ with their parameters, or show one NAME in full.

    Each parameter shows its type (iri, literal, integer, year, or a concept of a SKOS scheme),
    whether it is required, and its default. Run one with `clustergraph query NAME -p key=value`.
    """
    from clustergraph.services.queries import catalogue, describe, find_query

    found = [find_query(settings.queries_dir, name)] if name else catalogue(settings.queries_dir)
    if fmt == "json":
        click.echo(json.dumps([describe(q) for q in found], indent=2, ensure_ascii=False))
        return
    if not found:
        click.echo(f"no queries in {settings.queries_dir}", err=True)
        return
    if name:
        click.echo(_details(found[0]))
        return
    width = max(len(q.name) for q in found) + 2
    for query in found:
        click.echo(f"{query.name:<{width}}{query.summary}")
        for param in query.params:
            click.echo(f"{'':<{width}}  {param_line(query, param)}")


def param_line(query: NamedQuery, param: Param) -> str:
    """One parameter as people read it: 'colour: concept of cgs:Colour, optional, default cgs:Red'."""
    kind = param.kind
    if param.scheme is not None:
        kind += f" of {query.shorten(param.scheme)}"
    needed = "required" if param.required and param.default is None else "optional"
    default = f", default {param.default}" if param.default is not None else ""
    return f"{param.name}: {kind}, {needed}{default}"


def _details(query: NamedQuery) -> str:
    lines = [f"{query.name}: {query.summary}"]
    if query.description:
        lines.append(f"  {query.description}")
    if query.tags:
        lines.append(f"tags: {', '.join(query.tags)}")
    lines.append(f"file: {query.label}")
    if query.params:
        lines.append("parameters:")
        for param in query.params:
            lines.append(f"  {param_line(query, param)}")
            if param.description:
                lines.append(f"      {param.description}")
    example = " ".join(f"-p {p.name}={p.default or p.kind.upper()}" for p in query.params)
    lines.append(f"run: clustergraph query {query.name}{' ' + example if example else ''}")
    return "\n".join(lines)
