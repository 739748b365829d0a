"""Commands of the ontology concern (registered on `main` by importing this module): check, docs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from clustergraph.adapters.cli.app import main, open_for
from clustergraph.core.config import Settings

if TYPE_CHECKING:
    from clustergraph.services.reasoning import CheckReport, ReasoningReport


@main.command()
@click.option("--built", is_flag=True,
              help="Reason over the store's graph (as built, with ingested batches) instead of the files.")
@click.pass_context
def check(ctx: click.Context, built: bool) -> None:
    """Check the ontology and data: the repository checks of STYLE.md §10, then HermiT.

    Prints one line per finding on stdout and exits 1 if there is any (0 when clean): undeclared
    cg:/cgs: terms, punning, duplicate or missing labels, missing or bad definitions and sources,
    deprecated terms without a replacement, an inconsistency (naming the individuals involved) and
    unsatisfiable classes.
    """
    from clustergraph.services.reasoning import check as run_check

    settings: Settings = ctx.obj
    if built:
        with open_for(settings, write=False) as store:
            report = run_check(settings, store=store)
    else:
        report = run_check(settings)
    for finding in report.findings:
        click.echo(finding.message)
    click.echo(_summary(report), err=True)
    if report.findings:
        ctx.exit(1)


def _summary(report: CheckReport) -> str:
    found = len(report.findings)
    head = f"{found} finding{'s' if found != 1 else ''}"
    reasoning = report.reasoning
    if reasoning is None:
        return f"{head}; HermiT did not run (punning)"
    return f"{head}; {_hermit(reasoning)}"


def _hermit(r: ReasoningReport) -> str:
    from clustergraph.services.checks import short

    state = "consistent" if r.consistent else "inconsistent"
    text = (f"HermiT: {state}, {len(r.unsatisfiable)} unsatisfiable classes, {r.triples:,} triples, "
            f"{r.hermit_runs} run{'s' if r.hermit_runs != 1 else ''} in {r.hermit_seconds:.1f} s")
    if r.ignored_datatypes:
        text += f"; literals of {', '.join(short(d) for d in r.ignored_datatypes)} left out (not OWL 2 datatypes)"
    if not r.complete:
        text += "; the search for culprits stopped at its run limit"
    return text


@main.command()
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write index.html into [default: ROOT/build/ontology].")
@click.pass_obj
def docs(settings: Settings, output: Path | None) -> None:
    """Write the ontology's HTML documentation (pyLODE) to build/ontology/index.html."""
    from clustergraph.services.publishing.docs import write_docs

    page = write_docs(settings, output)
    click.echo(f"wrote {page} ({page.stat().st_size:,} bytes)", err=True)
