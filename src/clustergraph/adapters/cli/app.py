"""The click group, its global options, and the mapping of errors to exit codes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from clustergraph.base.errors import ClusterGraphError
from clustergraph.core import open_store
from clustergraph.core.config import DEFAULT_STORE, Endpoint, Settings
from clustergraph.core.store import Store

F = TypeVar("F", bound=Callable[..., Any])


class UserError(click.ClickException):
    """A ClusterGraphError shown as one line, with the error's exit code (2, or 1 for NotConforming)."""

    def __init__(self, error: ClusterGraphError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code  # type: ignore[misc]  # click declares it per class

    def format_message(self) -> str:
        return self.message

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class ClusterGraphGroup(click.Group):
    """Turns every ClusterGraphError into one line on stderr and its exit code; bugs keep tracebacks."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClusterGraphError as exc:
            raise UserError(exc) from exc


@click.group(cls=ClusterGraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), envvar="CLUSTERGRAPH_ROOT",
              default=".", show_default=True, help="Project folder holding ontology/ data/ shapes/ queries/.")
@click.option("--store", "store_path", type=click.Path(path_type=Path), envvar="CLUSTERGRAPH_STORE",
              help=f"On-disk store directory [default: ROOT/{DEFAULT_STORE}].")
@click.option("--memory", is_flag=True, envvar="CLUSTERGRAPH_MEMORY",
              help="Use a fresh in-memory store (lost when the command ends).")
@click.option("--endpoint", envvar="CLUSTERGRAPH_ENDPOINT", metavar="URL",
              help="Use a remote SPARQL 1.1 endpoint (its query URL) instead of the embedded store.")
@click.option("--update-url", envvar="CLUSTERGRAPH_UPDATE_URL", metavar="URL", help="SPARQL Update URL of the endpoint.")
@click.option("--gsp-url", envvar="CLUSTERGRAPH_GSP_URL", metavar="URL",
              help="Graph Store Protocol URL of the endpoint (for loading files).")
@click.version_option(package_name="clustergraph")
@click.pass_context
def main(ctx: click.Context, root: Path, store_path: Path | None, memory: bool, endpoint: str | None,
         update_url: str | None, gsp_url: str | None) -> None:
    """Build, query, validate and publish the cluster knowledge graph."""
    root = root.resolve()
    if memory and (store_path or endpoint):
        raise click.UsageError("--memory cannot be combined with --store or --endpoint")
    if store_path is None and not memory:
        store_path = root / DEFAULT_STORE
    remote = Endpoint(endpoint, update_url, gsp_url) if endpoint else None
    ctx.obj = Settings(
        root=root,
        store_path=None if memory or remote else store_path,
        endpoint=remote,
        write_token=os.environ.get("CLUSTERGRAPH_TOKEN"),
    )


def open_for(settings: Settings, *, write: bool) -> Store:
    """Open the settings' store for a command that reads (`write` False) or writes it.

    An on-disk store held by another process is not opened read-only behind its back (RocksDB
    gives no consistent view then); the error says to query the running server instead.
    """
    return open_store(settings)
