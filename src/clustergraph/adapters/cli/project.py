"""`clustergraph init DIR`: start a new project from the files shipped in the package."""

from __future__ import annotations

from pathlib import Path

import click

from clustergraph.adapters.cli.app import main


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
def init(directory: Path) -> None:
    """Write a new project into DIRECTORY: the shipped ontology/, shapes/ and queries/, an empty data/
    and a README. DIRECTORY must be new or empty."""
    from clustergraph.services.init import init as run_init

    created = run_init(directory)
    counts = ", ".join(f"{folder}/ {n} files" for folder, n in created.files.items())
    click.echo(f"new project in {created.root}: {counts}, data/ empty, README.md")
    click.echo(f"next: put RDF files in {created.root / 'data'}, then 'cd {created.root} && clustergraph build'",
               err=True)
