"""The core commands: build, query, export, stats, serve."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from clustergraph.adapters.cli.app import main, open_for
from clustergraph.adapters.cli.output import RESULT_CHOICES, console, emit, short
from clustergraph.base.errors import InputError
from clustergraph.base.formats import RdfFormat
from clustergraph.core.config import Settings, read_tokens

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from clustergraph.services.stats import Coverage

_PROGRESS_MIN_BYTES = 5 * 1024 * 1024


@main.command()
@click.pass_obj
def build(settings: Settings) -> None:
    """Load every file of ontology/ and data/ into the store, each into its own named graph.

    Replaces what an earlier build loaded from those files; ingested batches stay. With
    --endpoint, files go by the Graph Store Protocol in chunks, and a build that stopped part-way
    resumes: graphs it completed from unchanged files are kept.
    """
    from rich.progress import BarColumn, Progress, TextColumn
    from rich.table import Table

    from clustergraph.services.build import build as run_build
    from clustergraph.services.build import source_files

    files = source_files(settings)
    total_bytes = sum(p.stat().st_size for p, _ in files)
    tracker = _BuildTracker()
    with open_for(settings, write=True) as store:
        show_bar = sys.stderr.isatty() and (settings.endpoint is not None or total_bytes >= _PROGRESS_MIN_BYTES)
        if show_bar:
            with Progress(TextColumn("{task.description}"), BarColumn(),
                          TextColumn("{task.completed:,}/{task.total:,}"),
                          console=console(err=True), transient=True) as bar:
                tracker.bar = bar
                tracker.task = bar.add_task("parsing", total=0)
                report = run_build(store, settings, progress=tracker)
        else:
            report = run_build(store, settings, progress=tracker)
        table = Table("graph", "file", "triples", title=f"build: {settings.store_path or store.location}")
        for load in report.loads:
            table.add_row(short(load.graph), str(load.path.relative_to(settings.root)),
                          f"{load.triples:,}" + (" (kept)" if load.skipped else ""))
        console(err=True).print(table)
        for graph in report.dropped:
            click.echo(f"removed graph {graph} (its file is gone)", err=True)
        how = f" in {tracker.chunks} Graph Store Protocol request{'s' if tracker.chunks != 1 else ''}" \
            if settings.endpoint is not None else ""
        kept = sum(load.skipped for load in report.loads)
        resumed = f"; resumed: {kept} graph{'s' if kept != 1 else ''} kept from the interrupted build" if kept else ""
        click.echo(f"{len(report.loads)} files, {report.triples:,} triples{how} in {report.seconds:.2f} s{resumed}",
                   err=True)


class _BuildTracker:
    """The build's progress callback: counts requests and, on a terminal, moves a bar in triples."""

    def __init__(self) -> None:
        self.chunks = 0
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self._sent: dict[Path, int] = {}

    def __call__(self, path: Path, phase: str, triples: int) -> None:
        if phase == "chunk":
            self.chunks += 1
            self._sent[path] = self._sent.get(path, 0) + triples
        if self.bar is None or self.task is None:
            return
        if phase == "parsed":
            total = (self.bar.tasks[self.task].total or 0) + triples
            self.bar.update(self.task, total=total, description=f"parsed {path.name}")
        elif phase == "chunk":
            self.bar.update(self.task, advance=triples, description=f"sending {path.name}")
        elif phase in ("loaded", "skipped"):
            self.bar.update(self.task, advance=triples - self._sent.get(path, 0),
                            description=f"{phase} {path.name}")


@main.command()
@click.argument("query", required=False)
@click.option("-e", "--expression", metavar="SPARQL", help="Run this SPARQL text.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Parameter of a named query.")
@click.option("--format", "-f", "fmt", type=click.Choice(RESULT_CHOICES), default=None,
              help="Output format [default: table on a terminal, else csv; turtle for graphs].")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after this many rows.")
@click.pass_obj
def query(settings: Settings, query: str | None, expression: str | None, params: tuple[str, ...],
          fmt: str | None, limit: int | None) -> None:
    """Run a query: a .rq FILE, a NAME from queries/, or -e "SPARQL"."""
    from clustergraph.services.queries import find_query, read_query, run_named, run_sparql

    if (query is None) == (expression is None):
        raise click.UsageError("give a query file or name, or -e SPARQL (exactly one)")
    values = parse_params(params)
    with open_for(settings, write=False) as store:
        if expression is not None:
            if values:
                raise click.UsageError("--param applies to named queries and .rq files, not to -e")
            result = run_sparql(store, expression, name="-e", limit=limit)
        else:
            assert query is not None
            if query.endswith(".rq") or "/" in query:
                named = read_query(Path(query), strict=False)
            else:
                named = find_query(settings.queries_dir, query)
            result = run_named(store, named, values, limit=limit)
        emit(result, fmt)


if TYPE_CHECKING:  # recent click types ParamType by its value types; older 8.x cannot subscript it at run time
    _IntParam = click.ParamType[int, object]
else:
    _IntParam = click.ParamType


class ByteSize(_IntParam):
    """A size in bytes: '16M', '512K', '1G' or a plain number."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        unit = text[-1] if text and text[-1] in "KMG" else ""
        try:
            number = float(text[: len(text) - len(unit)])
        except ValueError:
            self.fail(f"{value!r} is not a size (for example 16M, 512K or 1048576)", param, ctx)
        if number <= 0:
            self.fail(f"{value!r}: a size must be more than 0", param, ctx)
        return int(number * self._UNITS[unit])


def parse_params(params: tuple[str, ...]) -> dict[str, str]:
    """NAME=VALUE pairs as a dict; raises a usage error for a pair without '='."""
    values = {}
    for pair in params:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.UsageError(f"parameter {pair!r} must read NAME=VALUE")
        values[name.strip()] = value
    return values


@main.command()
@click.option("--format", "-f", "fmt", default="turtle", show_default=True,
              type=click.Choice([f.label for f in RdfFormat] + ["ttl", "nt", "nq", "json-ld"]), help="RDF syntax.")
@click.option("--graph", "-g", "graphs", multiple=True, metavar="NAME",
              help="Only this named graph (IRI or short name such as data/clusters); repeatable.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.pass_obj
def export(settings: Settings, fmt: str, graphs: tuple[str, ...], output: Path | None) -> None:
    """Write the whole graph, or chosen named graphs, in an RDF syntax (to stdout or a file)."""
    from clustergraph.services.publishing.export import export as run_export
    from clustergraph.services.publishing.export import resolve_graphs

    rdf = RdfFormat.from_label(fmt)
    with open_for(settings, write=False) as store:
        chosen = resolve_graphs(store, graphs) if graphs else None
        if output is None:
            run_export(store, sys.stdout.buffer, rdf, chosen)
            sys.stdout.flush()
            return
        tmp = output.with_name(output.name + ".part")
        try:
            with tmp.open("wb") as out:
                run_export(store, out, rdf, chosen)
            tmp.replace(output)
        except OSError as exc:
            raise InputError(f"cannot write the file ({exc.strerror or exc})", path=output) from exc
        finally:
            tmp.unlink(missing_ok=True)
        click.echo(f"wrote {output} ({output.stat().st_size:,} bytes, {rdf.label})", err=True)


@main.command()
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Instead, show per cluster which of sector, country, chain, buyers, governance, upgrading, "
                   "standards and sources the graph gives.")
@click.pass_obj
def stats(settings: Settings, show_coverage: bool) -> None:
    """Count triples per named graph and instances per class (or, with --coverage, what each cluster lacks)."""
    from rich.table import Table

    from clustergraph.base.terms import JOURNAL
    from clustergraph.services.stats import coverage as run_coverage
    from clustergraph.services.stats import stats as run_stats

    if show_coverage:
        with open_for(settings, write=False) as store:
            clusters = run_coverage(store)
        print_coverage(clusters)
        return
    with open_for(settings, write=False) as store:
        found = run_stats(store)
    out = console()
    graphs = Table("named graph", "triples", title="triples per graph")
    for graph, n in found.graphs:
        graphs.add_row(short(graph), f"{n:,}")
    graphs.add_row("total", f"{found.triples:,}", style="bold")
    out.print(graphs)
    classes = Table("class", "instances", title="instances per class")
    for cls, n in found.classes:
        classes.add_row(short(cls), f"{n:,}")
    out.print(classes)
    if any(graph == JOURNAL for graph, _ in found.graphs):
        click.echo(f"an interrupted build left <{JOURNAL}>: run build again to finish it", err=True)


def print_coverage(clusters: tuple[Coverage, ...]) -> None:
    """A table of clusters by aspect (✓ given, – missing), a row of counts, and a count line on stderr."""
    from rich.table import Table

    from clustergraph.services.stats import Aspect

    table = Table("cluster", *(a.value for a in Aspect), title="coverage per cluster")
    for found in clusters:
        table.add_row(found.label, *("✓" if a in found.present else "–" for a in Aspect))
    table.add_row("clusters with it", *(str(sum(a in c.present for c in clusters)) for a in Aspect), style="bold")
    out = console()
    if not out.is_terminal:  # a file or a pipe gets whole rows, not rich's 80 columns
        widths = [max([len("clusters with it"), *(len(c.label) for c in clusters)])] + [len(a.value) for a in Aspect]
        out.width = max(out.width, sum(widths) + 3 * len(widths) + 1)
    out.print(table)
    complete = sum(c.complete for c in clusters)
    click.echo(f"{len(clusters)} cluster{'s' if len(clusters) != 1 else ''}, {complete} with all {len(Aspect)} aspects",
               err=True)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="CLUSTERGRAPH_HOST")
@click.option("--port", default=8000, show_default=True, type=int, envvar="CLUSTERGRAPH_PORT")
@click.option("--base-url", envvar="CLUSTERGRAPH_BASE_URL", metavar="URL",
              help="Public URL of the server; data IRIs resolve under URL/id/ [default: http://HOST:PORT].")
@click.option("--timeout", "timeout_s", type=float, envvar="CLUSTERGRAPH_QUERY_TIMEOUT", show_default=True,
              default=Settings.query_timeout_s, help="Seconds a query or update may run before it is stopped.")
@click.option("--limit", "result_limit", type=click.IntRange(min=1), envvar="CLUSTERGRAPH_RESULT_LIMIT",
              show_default=True, default=Settings.result_limit, help="Most rows (or triples) in one answer.")
@click.option("--allow-service", is_flag=True, envvar="CLUSTERGRAPH_ALLOW_SERVICE",
              help="Let SPARQL SERVICE reach other endpoints over the network.")
@click.option("--allow-load", is_flag=True, envvar="CLUSTERGRAPH_ALLOW_LOAD",
              help="Let SPARQL LOAD (in token-authorised updates) fetch documents over the network.")
@click.option("--workers", type=click.IntRange(min=0), envvar="CLUSTERGRAPH_WORKERS", default=0,
              help="Query worker processes [default: two per core].")
@click.option("--queue", "queue_size", type=click.IntRange(min=0), envvar="CLUSTERGRAPH_QUEUE", show_default=True,
              default=Settings.queue_size, help="Requests that may wait for a busy pool (or writer); "
                                                "the next gets 503 with Retry-After.")
@click.option("--max-body", type=ByteSize(), envvar="CLUSTERGRAPH_MAX_BODY", default="16M", show_default=True,
              help="Largest request body (bytes; suffix K, M or G); larger ones get 413 unread.")
@click.option("--max-triples", type=click.IntRange(min=1), envvar="CLUSTERGRAPH_MAX_TRIPLES", show_default=True,
              default=Settings.max_triples, help="Most triples one validate or ingest request may hold.")
@click.option("--cors-origin", envvar="CLUSTERGRAPH_CORS_ORIGIN", default="*", show_default=True,
              help="Access-Control-Allow-Origin sent with read answers ('' for none); writes never send it.")
@click.option("--tokens", "tokens_file", type=click.Path(path_type=Path), envvar="CLUSTERGRAPH_TOKENS",
              help="Agents who may write: lines 'agent-name sha256-of-token'.")
@click.option("--unguarded-writes", is_flag=True, envvar="CLUSTERGRAPH_UNGUARDED_WRITES",
              help="Apply SPARQL updates and Graph Store writes without validating or recording them.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, base_url: str | None, timeout_s: float, result_limit: int,
          allow_service: bool, allow_load: bool, workers: int, queue_size: int, max_body: int, max_triples: int,
          cors_origin: str, tokens_file: Path | None, unguarded_writes: bool) -> None:
    """Serve the SPARQL endpoint, the linked-data pages and the web UI.

    Read-only unless CLUSTERGRAPH_TOKEN is set: then updates, the Graph Store Protocol and the
    steward operations accept requests that carry it as a bearer token.
    """
    import uvicorn

    from clustergraph.adapters.server import create_app

    settings = replace(settings, base_url=(base_url or f"http://{host}:{port}").rstrip("/"),
                       query_timeout_s=timeout_s, result_limit=result_limit, allow_service=allow_service,
                       allow_load=allow_load, workers=workers, queue_size=queue_size, max_body=max_body,
                       max_triples=max_triples, cors_origin=cors_origin,
                       agent_tokens=read_tokens(tokens_file) if tokens_file else (),
                       guarded_writes=not unguarded_writes)
    if unguarded_writes:
        click.echo("warning: --unguarded-writes: SPARQL updates and Graph Store writes are applied without "
                   "validation and are not recorded as batches (they cannot be retracted)", err=True)
    app = create_app(settings)
    writes = "writes need a token" if settings.write_token or settings.agent_tokens else "read-only"
    click.echo(f"serving {settings.store_path or settings.endpoint} on http://{host}:{port}/ "
               f"as {settings.base_url} ({writes})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info")

