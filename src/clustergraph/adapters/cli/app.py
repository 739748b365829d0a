"""The click group, its global options, and the mapping of errors to exit codes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from clustergraph.base.errors import ClusterGraphError
from clustergraph.core import open_store
from clustergraph.core.config import CONFIG_FILE, DEFAULT_STORE, PRESETS, Endpoint, Settings, read_config

if TYPE_CHECKING:
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
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="CLUSTERGRAPH_CONFIG", help=f"Settings file [default: ROOT/{CONFIG_FILE} if present].")
@click.option("--store", "store_path", type=click.Path(path_type=Path), envvar="CLUSTERGRAPH_STORE",
              help=f"On-disk store directory [default: ROOT/{DEFAULT_STORE}].")
@click.option("--memory", is_flag=True, envvar="CLUSTERGRAPH_MEMORY",
              help="Use a fresh in-memory store (lost when the command ends).")
@click.option("--endpoint", envvar="CLUSTERGRAPH_ENDPOINT", metavar="URL",
              help="Use a remote SPARQL 1.1 endpoint instead of the embedded store: its query URL, or with "
                   "--engine its base URL.")
@click.option("--engine", type=click.Choice(sorted(PRESETS)), envvar="CLUSTERGRAPH_ENGINE",
              help="The engine behind --endpoint: derives the update and Graph Store URLs and the auth scheme. "
                   "--endpoint is then " + "; ".join(f"{p.name}: {p.base_example}" for p in PRESETS.values()) + ".")
@click.option("--update-url", envvar="CLUSTERGRAPH_UPDATE_URL", metavar="URL",
              help="SPARQL Update URL of the endpoint.")
@click.option("--gsp-url", envvar="CLUSTERGRAPH_GSP_URL", metavar="URL",
              help="Graph Store Protocol URL of the endpoint (for loading files).")
@click.option("--user", envvar="CLUSTERGRAPH_USER", help="User for the endpoint; the password is read from "
              "CLUSTERGRAPH_PASSWORD only.")
@click.version_option(package_name="clustergraph")
@click.pass_context
def main(ctx: click.Context, root: Path, config_path: Path | None, store_path: Path | None, memory: bool,
         endpoint: str | None, engine: str | None, update_url: str | None, gsp_url: str | None,
         user: str | None) -> None:
    """Build, query, validate and publish the cluster knowledge graph."""
    root = root.resolve()
    config = _config(root, config_path)
    endpoint = endpoint or _text(config, "endpoint")
    if memory and (store_path or endpoint):
        raise click.UsageError("--memory cannot be combined with --store or --endpoint")
    if store_path is None and "store" in config and not memory:
        store_path = root / str(config["store"])
    if store_path is None and not memory:
        store_path = root / DEFAULT_STORE
    remote = _endpoint(endpoint, engine or _text(config, "engine"), update_url or _text(config, "update-url"),
                       gsp_url or _text(config, "gsp-url"), user or _text(config, "user"),
                       float(config.get("timeout", 60.0)))
    ctx.obj = Settings(
        root=root,
        store_path=None if memory or remote else store_path,
        endpoint=remote,
        write_token=os.environ.get("CLUSTERGRAPH_TOKEN"),
    )


def _config(root: Path, path: Path | None) -> dict[str, str | float]:
    """The config file's settings: `path`, else ROOT/clustergraph.toml if it exists, else none."""
    if path is None and (root / CONFIG_FILE).is_file():
        path = root / CONFIG_FILE
    return read_config(path) if path is not None else {}


def _text(config: dict[str, str | float], key: str) -> str | None:
    value = config.get(key)
    return None if value is None else str(value)


def _endpoint(url: str | None, engine: str | None, update_url: str | None, gsp_url: str | None,
              user: str | None, timeout_s: float) -> Endpoint | None:
    """The remote endpoint the options name (None: the embedded store)."""
    if url is None:
        if engine or update_url or gsp_url:
            raise click.UsageError("--engine, --update-url and --gsp-url need --endpoint")
        return None
    password = os.environ.get("CLUSTERGRAPH_PASSWORD")
    if engine:
        return Endpoint.from_preset(engine, url, update_url=update_url, gsp_url=gsp_url, user=user,
                                    password=password, timeout_s=timeout_s)
    return Endpoint(url, update_url, gsp_url, user, password, timeout_s)


def open_for(settings: Settings, *, write: bool) -> Store:
    """Open the settings' store for a command that reads (`write` False) or writes it.

    An on-disk store held by another process is not opened read-only behind its back (RocksDB
    gives no consistent view then); the error says to query the running server instead.
    """
    return open_store(settings)
