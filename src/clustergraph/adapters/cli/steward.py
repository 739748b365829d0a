"""Commands of the steward concern (registered on `main` by importing this module):
validate, ingest, template, batches, retract.

Reports go to stdout in the chosen format; the one-line summary and errors go to stderr.
Exit codes: 0 conforms or done; 1 violations (or warnings with --strict), or a refused ingest or
retract; 2 bad input.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from clustergraph.adapters.cli.app import main, open_for
from clustergraph.adapters.cli.output import console
from clustergraph.base.errors import InputError, NotConforming
from clustergraph.core.config import Limits, Settings

if TYPE_CHECKING:
    from rich.console import Console

    from clustergraph.core.store import Store
    from clustergraph.services.steward.ingest import Batch
    from clustergraph.services.validation import RdfInput
    from clustergraph.services.validation.report import Report

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ["table", "markdown", "json", "turtle"]


def _report_options(command: F) -> F:
    """--shapes, --format, --strict: the options every command that validates shares."""
    command = click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")(command)
    command = click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                           help="Report format: a table by focus node, Markdown, JSON, or the W3C "
                                "sh:ValidationReport in Turtle.")(command)
    command = click.option("--shapes", "shapes_dir", type=click.Path(path_type=Path), default=None,
                           help="Shapes folder (or file) [default: ROOT/shapes].")(command)
    return command


#: What a write to a remote endpoint guarantees: the protocols have no multi-request transaction.
_REMOTE_WRITE = ("remote: written by one SPARQL update (a large batch is first staged in graph/staging/ and "
                 "moved in by it); all or nothing on engines that run one update request in one transaction "
                 "(Oxigraph, Virtuoso)")


def _limits(max_triples: int | None) -> Limits:
    return Limits(max_triples=max_triples) if max_triples else Limits()


_max_triples = click.option("--max-triples", type=click.IntRange(min=1), default=None, metavar="N",
                            help=f"Refuse a file of more than N triples [default: {Limits().max_triples:,}].")


_mapping = click.option("--mapping", "kind", metavar="KIND",
                        help="Read .csv and .xlsx files with mappings/KIND.yml (see `clustergraph template`).")


def _inputs(store: Store, settings: Settings, files: tuple[Path, ...], kind: str | None) -> list[Path | RdfInput]:
    """The files as validate and ingest take them: a spreadsheet becomes the triples its mapping makes."""
    from clustergraph.services import sheets

    inputs: list[Path | RdfInput] = []
    for file in files:
        if not sheets.is_sheet(file):
            if kind:
                raise InputError("--mapping is for spreadsheets (.csv, .xlsx); this file is RDF", path=file)
            inputs.append(file)
            continue
        if not kind:
            known = ", ".join(sheets.kinds(settings.mappings_dir)) or "none in mappings/"
            raise InputError(f"a spreadsheet needs --mapping KIND to say what its rows are (kinds: {known})",
                             path=file, consequence="nothing was read")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the file ({exc.strerror or exc})", path=file) from exc
        inputs.append(sheets.sheet_input(store, settings.mappings_dir, kind, name=str(file), data=data))
    return inputs


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@_report_options
@_max_triples
@_mapping
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...], shapes_dir: Path | None, fmt: str, strict: bool,
             max_triples: int | None, kind: str | None) -> None:
    """Check FILES against the shapes in the context of the store, or the whole store if none.

    Each result is labelled introduced (caused by the files) or pre-existing (already in the
    store), and results the files repair are listed as resolved; only introduced results fail a
    check of files, which looks only at the nodes the files can affect. Exits 0 when it conforms,
    1 on violations (and warnings with --strict), 2 on bad input.
    """
    from clustergraph.services.validation import Engine
    from clustergraph.services.validation import validate as run_validate

    settings: Settings = ctx.obj
    with open_for(settings, write=False) as store:
        inputs = _inputs(store, settings, files, kind)
        report = run_validate(store, shapes_dir or settings.shapes_dir, inputs, limits=_limits(max_triples),
                              engine=Engine.SPARQL)
    show(report, fmt)
    click.echo(report.summary(), err=True)
    if report.failed(strict=strict):
        ctx.exit(1)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--by", "agent", required=True, metavar="AGENT", help="Who ingests: a name or an IRI (ORCID ...).")
@click.option("--source", "origin", metavar="IRI-OR-TEXT", help="Where the data comes from: an IRI or a citation.")
@_report_options
@_max_triples
@_mapping
@click.pass_obj
def ingest(settings: Settings, file: Path, agent: str, origin: str | None, shapes_dir: Path | None, fmt: str,
           strict: bool, max_triples: int | None, kind: str | None) -> None:
    """Validate FILE in the context of the store and commit it as one new batch, or change nothing.

    The batch is the named graph graph/batch/<id>, with a PROV-O record of who, when, which file
    (name and SHA-256) and from which source. Exits 1 when the file introduces violations (the
    report says which), 2 on bad input; the store is unchanged then.
    """
    from clustergraph.services.steward.ingest import ingest as run_ingest
    from clustergraph.services.validation.report import Report

    with open_for(settings, write=True) as store:
        try:
            source = _inputs(store, settings, (file,), kind)[0]
            done = run_ingest(store, shapes_dir or settings.shapes_dir, source, agent=agent, origin=origin,
                              strict=strict, limits=_limits(max_triples))
        except NotConforming as refused:
            show(refused.report, fmt)
            raise
    if done.report.results or done.report.resolved:
        click.echo(f"accepted with {done.report.summary()}", err=True)
    if done.report.resolved:
        click.echo(f"resolved {len(done.report.resolved)} result{'s' if len(done.report.resolved) != 1 else ''} "
                   "the store had before:", err=True)
        show(Report(conforms=True, results=(), checked=done.report.checked, resolved=done.report.resolved), fmt)
    batch = done.batch
    click.echo(f"batch {batch.id}: {batch.triples:,} triples from {batch.file_name} into <{batch.graph}>")
    if settings.endpoint is not None:
        click.echo(_REMOTE_WRITE, err=True)


@main.command()
@click.argument("kind", required=False)
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="Write the CSV to this file [default: stdout].")
@click.pass_obj
def template(settings: Settings, kind: str | None, output: Path | None) -> None:
    """Write a CSV to fill in for KIND (its header, a row describing each column, one example row);
    without KIND, list the kinds of mappings/.

    Fill it in a spreadsheet, save it as CSV (or .xlsx), then `clustergraph validate FILE --mapping KIND`
    and `clustergraph ingest FILE --mapping KIND --by NAME`.
    """
    from clustergraph.services import sheets

    if kind is None:
        for name in sheets.kinds(settings.mappings_dir):
            mapping = sheets.load_mapping(settings.mappings_dir, name)
            click.echo(f"{name:<20} {mapping.description}")
        return
    text = sheets.template(sheets.load_mapping(settings.mappings_dir, kind))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the template ({exc.strerror or exc})", path=output) from exc
    click.echo(f"wrote {output}: fill in one row per claim, then validate it with --mapping {kind}", err=True)


@main.command()
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def batches(settings: Settings, fmt: str) -> None:
    """List the ingested batches, oldest first: id, time, agent, file, triples, source."""
    from rich.table import Table

    from clustergraph.services.steward.ingest import batches as list_batches

    with open_for(settings, write=False) as store:
        found = list_batches(store)
    if fmt == "json":
        click.echo(json.dumps([_batch_json(b) for b in found], indent=2, ensure_ascii=False))
        return
    table = Table("batch", "started (UTC)", "by", "file", "triples", "sha256", "source")
    for b in found:
        table.add_row(b.id, f"{b.started:%Y-%m-%d %H:%M:%S}", b.agent, b.file_name, f"{b.triples:,}",
                      b.sha256[:12], b.source or "")
    _console().print(table)
    click.echo(f"{len(found)} batch{'es' if len(found) != 1 else ''}", err=True)


def _batch_json(b: Batch) -> dict[str, object]:
    return {"id": b.id, "graph": str(b.graph), "agent": b.agent, "started": b.started.isoformat(),
            "file": b.file_name, "sha256": b.sha256, "source": b.source, "triples": b.triples}


@main.command()
@click.argument("batch")
@click.option("--force", is_flag=True, help="Retract even if the rest of the graph would break the shapes.")
@_report_options
@click.pass_obj
def retract(settings: Settings, batch: str, force: bool, shapes_dir: Path | None, fmt: str, strict: bool) -> None:
    """Remove BATCH (its triples and its record) in one step.

    Refuses (exit 1, store unchanged) when the graph without it would gain violations, unless
    --force; the report's introduced results are the ones the removal would cause.
    """
    from clustergraph.services.steward.guard import retract as run_retract

    with open_for(settings, write=True) as store:
        try:
            done = run_retract(store, shapes_dir or settings.shapes_dir, batch, force=force, strict=strict)
        except NotConforming as refused:
            show(refused.report, fmt)
            raise
    if done.report.failed(strict=strict):
        show(done.report, fmt)
        click.echo(f"forced: the graph now has {done.report.summary()}", err=True)
    elif done.report.resolved:
        click.echo(f"resolved {len(done.report.resolved)} result{'s' if len(done.report.resolved) != 1 else ''}: "
                   f"{done.report.summary()}", err=True)
        show(done.report, fmt)
    click.echo(f"retracted batch {done.batch.id} ({done.batch.triples:,} triples from {done.batch.file_name})")


# -- reports ------------------------------------------------------------------------------------

def show(report: Report, fmt: str) -> None:
    """Print `report` to stdout in `fmt` (table, markdown, json, turtle)."""
    from clustergraph.services.validation.report import to_json, to_markdown, to_turtle

    if fmt == "json":
        click.echo(to_json(report), nl=False)
    elif fmt == "markdown":
        click.echo(to_markdown(report))
    elif fmt == "turtle":
        click.echo(to_turtle(report).decode("utf-8"), nl=False)
    elif report.results or report.resolved:
        _table(report)


def _console() -> Console:
    """The stdout console; a pipe or a file gets wide lines instead of rich's 80 columns."""
    from rich.console import Console

    out = console()
    return out if out.is_terminal else Console(highlight=False, soft_wrap=False, width=200)


def _table(report: Report) -> None:
    """Rich tables grouped by focus node: the node as a heading, its results below it."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from clustergraph.services.validation.report import Origin, compact, group_by_focus, path_text

    out = _console()
    styles = {"Violation": "red", "Warning": "yellow", "Info": "blue"}
    colours = {Origin.INTRODUCED: "", Origin.PRE_EXISTING: "dim", Origin.RESOLVED: "green"}
    for focus, results in group_by_focus(report.resolved + report.results):
        out.print(Text(compact(focus), style="bold"))
        table = Table("property", "value", "message", "severity", "origin", box=box.SIMPLE, pad_edge=False)
        for r in results:
            # Text, not markup: a value or a message may hold square brackets.
            table.add_row(Text(path_text(r)), Text(compact(r.value)), Text(r.message),
                          Text(r.level.value, style=styles.get(r.level.value, "red")),
                          Text(r.origin.value, style=colours[r.origin]))
        out.print(table)
