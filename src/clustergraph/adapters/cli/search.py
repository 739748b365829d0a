"""The text-search commands: search, reindex."""

from __future__ import annotations

import csv
import json
import sys

import click

from clustergraph.adapters.cli.app import main, open_for
from clustergraph.adapters.cli.output import console
from clustergraph.base.textquery import KINDS
from clustergraph.core.config import Settings


@main.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(KINDS), help="Only hits of this kind.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="At most this many hits.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_obj
def search(settings: Settings, words: tuple[str, ...], kind: str | None, limit: int, fmt: str) -> None:
    """Find what mentions WORDS: every word must match (stemmed, accents folded); "a phrase"
    (quote it for the shell: '"child labour"'), -excluded, kind:publication."""
    from rich.table import Table

    from clustergraph.base.terms import shorten
    from clustergraph.services import search as text

    with open_for(settings, write=False) as store:
        rows = text.rows(text.search(store, " ".join(words), kind=kind, limit=limit))
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(text.COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        table = Table("kind", "label", "snippet", "subject")
        for row in rows:
            table.add_row(str(row["kind"]), str(row["label"]), str(row["snippet"]),
                          shorten(str(row["subject"])))
        console().print(table)
        click.echo(f"{len(rows)} hit{'s' if len(rows) != 1 else ''}", err=True)


@main.command()
@click.pass_obj
def reindex(settings: Settings) -> None:
    """Rebuild the text index of the store from its triples (after an upgrade, or if it is missing)."""
    from clustergraph.services import search as text

    with open_for(settings, write=True) as store:
        report = text.reindex(store)
    click.echo(f"reindexed {report.texts:,} texts ({report.bytes / 1e6:.1f} MB)", err=True)
