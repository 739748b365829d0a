"""The release command (registered on `main` by importing this module)."""

from __future__ import annotations

from pathlib import Path

import click

from clustergraph.adapters.cli.app import main, open_for
from clustergraph.core.config import Settings


@main.command()
@click.argument("version")
@click.option("--dist", "dist", type=click.Path(path_type=Path), default=None,
              help="Folder of releases [default: dist/ under the project].")
@click.pass_obj
def release(settings: Settings, version: str, dist: Path | None) -> None:
    """Build, validate and reason, then write release VERSION to dist/VERSION/.

    Exits 1 (nothing written) when the graph breaks the shapes or HermiT finds it inconsistent,
    2 for a bad or existing VERSION. Prints the release folder on stdout.
    """
    from clustergraph.services.publishing.release import release as run_release

    with open_for(settings, write=True) as store:
        done = run_release(store, settings, version, dist=dist)
    log = done.changelog
    since = f"since {log.previous}" if log.previous else "first release"
    for kinds in log.kinds:
        click.echo(f"{kinds.kind.heading}: {len(kinds.added)} added, {len(kinds.removed)} removed, "
                   f"{len(kinds.changed)} changed ({since})", err=True)
    click.echo(f"{len(done.files)} files, {done.triples:,} triples in {done.seconds:.1f} s", err=True)
    click.echo(str(done.directory))
