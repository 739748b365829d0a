"""Benchmarks: clustergraph against rdflib, raw pyoxigraph and pyshacl, at several scales.

    python benchmarks/run.py --scales 100k,1M --repeat 3

For each scale, generates data (benchmarks/generate.py, cached in benchmarks/data/), then runs
each step in a fresh Python process, `--repeat` times, and keeps the median time and the child's
peak resident memory (ru_maxrss from wait4). The curated graph (ontology/ and data/) is loaded
with the generated file in every step, as `clustergraph build` would. Steps:

  build     clustergraph (Store.replace_graphs, in memory) | rdflib parse | pyoxigraph bulk_load
  query     the catalogue queries with their default parameters (the same SPARQL text on each
            engine); the data is loaded first, untimed; one process runs every query once
  validate  clustergraph's compiled engine (engine=SPARQL) | pyshacl on an rdflib graph (its load
            is timed apart, as `load_s`)
  export    clustergraph Store.dump N-Quads | rdflib serialize N-Triples | pyoxigraph dump N-Triples
  search    clustergraph: the text index's build time (reindex), its size on disk, and 100 searches
            (words, phrases, search:matches with a graph pattern) | raw pyoxigraph: the same
            questions as FILTER(CONTAINS(LCASE(...))) over every text literal (benchmarks/textsearch.py)
  serve     clustergraph serve | oxigraph serve over HTTP: the catalogue and ASK {} from 1, 8 and 32
            clients, ASK {} beside two queries at the time limit, memory after a 40 MB validate
            (benchmarks/serve.py; run in this process, the servers are its children)

Writes benchmarks/results/<UTC timestamp>.json and .md (a table of medians and ratios to the
clustergraph figure) and prints the table. `--step` runs one step in this process (the children).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

STEPS: dict[str, list[str]] = {
    "build": ["clustergraph", "rdflib", "pyoxigraph"],
    "query": ["clustergraph", "rdflib", "pyoxigraph"],
    "validate": ["clustergraph", "pyshacl"],
    "export": ["clustergraph", "rdflib", "pyoxigraph"],
    "ingest": ["clustergraph"],
    "search": ["clustergraph", "pyoxigraph"],
    "serve": ["clustergraph", "oxigraph"],
}
BIG_VALIDATE_TRIPLES = 300_000  # the serve step's validate request: about 40 MB of N-Triples
BATCH_TRIPLES = 1000  # the ingest step's batch
BATCH_START = 10_000_000  # its first unit: new nodes, past any generated file's


def scale(text: str) -> int:
    """'100k' -> 100000, '1M' -> 1000000, '2500' -> 2500."""
    text = text.strip()
    factor = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def files(data: Path) -> list[Path]:
    return sorted((REPO / "ontology").glob("*.ttl")) + sorted((REPO / "data").glob("*.ttl")) + [data]


# -- the steps (run in a child process) ---------------------------------------------------------------

def _cg_store(data: Path) -> Any:
    from clustergraph.base.terms import file_graph
    from clustergraph.core import EmbeddedStore
    store = EmbeddedStore()
    store.replace_graphs([(p, file_graph(p.parent.name, p.stem)) for p in files(data)])
    return store


def _rdflib_graph(data: Path) -> Any:
    from rdflib import Graph
    graph = Graph()
    for path in files(data):
        graph.parse(path, format="nt" if path.suffix == ".nt" else "turtle")
    return graph


def _ox_store(data: Path) -> Any:
    import pyoxigraph as ox
    store = ox.Store()
    for path in files(data):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE)
    return store


def _cg_disk(data: Path, where: Path) -> Any:
    """clustergraph's build into an on-disk store: strict parse, then one bulk load per file and graph."""
    from clustergraph.base.terms import file_graph
    from clustergraph.core import EmbeddedStore
    store = EmbeddedStore(where)
    store.replace_graphs([(p, file_graph(p.parent.name, p.stem)) for p in files(data)])
    return store


def _ox_disk(data: Path, where: Path) -> Any:
    """Raw pyoxigraph: Store.bulk_load of each file into its named graph of an on-disk store."""
    import pyoxigraph as ox
    from clustergraph.base.terms import file_graph
    store = ox.Store(str(where))
    for path in files(data):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES if path.suffix == ".nt" else ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode(str(file_graph(path.parent.name, path.stem))))
    store.flush()
    return store


def _size_mib(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


SKIPPED_QUERIES: set[str] = set()
QUERY_LIMIT = 60  # seconds one query may take in a query step


def _catalogue() -> list[tuple[str, str]]:
    """(name, SPARQL text with default parameters bound) of each catalogue query that runs without input."""
    from clustergraph.base.errors import QueryError
    from clustergraph.core.store import bind as bind_text
    from clustergraph.services.queries import bind, catalogue
    out = []
    for query in catalogue(REPO / "queries"):
        if query.name in SKIPPED_QUERIES:
            continue
        try:
            out.append((query.name, bind_text(query.text, bind(query, {}), query.name)))
        except QueryError:
            continue  # a required parameter without a default
    return out


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def step(area: str, engine: str, data: Path) -> dict[str, Any]:
    """Run one step; returns its figures (`seconds` is the timed part)."""
    out: dict[str, Any] = {}
    if area == "build":
        holder: list[Any] = []
        with tempfile.TemporaryDirectory(dir=data.parent) as tmp:
            where = Path(tmp) / "store"
            if engine == "rdflib":
                out["seconds"] = _timed(lambda: holder.append(_rdflib_graph(data)))
            else:  # both oxigraph builds go into an on-disk store, as `clustergraph build` does
                loader = _cg_disk if engine == "clustergraph" else _ox_disk
                out["seconds"] = _timed(lambda: holder.append(loader(data, where)))
                out["disk_mib"] = _size_mib(where)
            out["triples"] = len(holder[0])
            holder.clear()
    elif area == "query":
        queries = _catalogue()
        times: dict[str, float] = {}
        rows: dict[str, int] = {}
        errors: dict[str, str] = {}
        if engine == "clustergraph":
            store = _cg_store(data)
            run: Callable[[str], int] = lambda text: len(store.query(text))
        elif engine == "rdflib":
            graph = _rdflib_graph(data)
            run = lambda text: len([tuple(row) for row in graph.query(text)])
        else:
            # every value of every row is read, as clustergraph reads them and as any user of the answer must
            ox_store = _ox_store(data)
            run = lambda text: len([tuple(solution) for solution in ox_store.query(text)])
        def stop(signum: int, frame: object) -> None:
            raise TimeoutError(f"over the {QUERY_LIMIT} s limit")
        signal.signal(signal.SIGALRM, stop)  # interrupts rdflib (Python); native engines finish first
        for name, text in queries:
            try:
                signal.alarm(QUERY_LIMIT)
                start = time.perf_counter()
                rows[name] = run(text)
                times[name] = time.perf_counter() - start
            except Exception as exc:  # a baseline's own bug or slowness must not stop the benchmark
                errors[name] = f"{type(exc).__name__}: {exc}"
            finally:
                signal.alarm(0)
        out["errors"] = errors
        out.update(seconds=sum(times.values()), queries=times, rows=rows)
    elif area == "validate":
        if engine == "clustergraph":
            from clustergraph.services.validation import Engine, load_shapes, validate
            store = _cg_store(data)
            shapes = load_shapes(REPO / "shapes")
            reports: list[Any] = []
            out["seconds"] = _timed(lambda: reports.append(validate(store, shapes, engine=Engine.SPARQL)))
            out["results"] = len(reports[0].results)
            out["results_sha256"] = _digest(r.key for r in reports[0].results)
        else:
            import pyshacl
            from rdflib import Graph
            holder = []
            out["load_s"] = _timed(lambda: holder.append(_rdflib_graph(data)))
            shapes_graph = Graph()
            for path in sorted((REPO / "shapes").glob("*.ttl")):
                shapes_graph.parse(path, format="turtle")
            found: list[Any] = []
            out["seconds"] = _timed(lambda: found.append(pyshacl.validate(
                holder[0], shacl_graph=shapes_graph, inference="none", advanced=False, inplace=True)))
            report_graph = found[0][1]
            from rdflib.namespace import RDF, SH

            from clustergraph.services.validation.shacl import _result
            # the report's own results (pyshacl also types the nested sh:detail results)
            keys = [_result(report_graph, node).key for root in report_graph.subjects(RDF.type, SH.ValidationReport)
                    for node in report_graph.objects(root, SH.result)]
            out["results"] = len(keys)
            out["results_sha256"] = _digest(keys)
    elif area == "export":
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "out"
            if engine == "clustergraph":
                from clustergraph.base.formats import RdfFormat
                store = _cg_store(data)
                def dump() -> None:
                    with target.open("wb") as f:
                        store.dump(f, RdfFormat.N_QUADS)
                out["seconds"] = _timed(dump)
            elif engine == "rdflib":
                graph = _rdflib_graph(data)
                out["seconds"] = _timed(lambda: graph.serialize(destination=str(target), format="nt"))
            else:
                import pyoxigraph as ox
                ox_store = _ox_store(data)
                out["seconds"] = _timed(lambda: ox_store.dump(output=str(target), format=ox.RdfFormat.N_QUADS))
            out["bytes"] = target.stat().st_size
    elif area == "ingest":
        out.update(_ingest(data))
    elif area == "search":
        import textsearch
        out.update(textsearch.run(engine, files(data)))
    else:
        raise SystemExit(f"unknown step {area}")
    return out


def _ingest(data: Path) -> dict[str, Any]:
    """A batch of BATCH_TRIPLES new triples validated against (delta validation), then ingested
    into, the on-disk store of the curated graph and `data` (built untimed)."""
    import generate

    from clustergraph.services.steward.ingest import ingest
    from clustergraph.services.validation.report import Origin
    from clustergraph.services.validation import load_shapes, read_quads, validate_delta
    batch = data.parent / f"batch-{BATCH_TRIPLES}-start{BATCH_START}.nt"
    clean = data.parent / f"batch-{BATCH_TRIPLES}-start{BATCH_START}-clean.nt"
    if not batch.exists():
        generate.write(batch.with_suffix(""), BATCH_TRIPLES, 7, BATCH_START)
    if not clean.exists():  # conforming; its own units, so that it can follow the first
        generate.write(clean.with_suffix(""), BATCH_TRIPLES, 8, 2 * BATCH_START, inject=False)
    manifest = json.loads(batch.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=data.parent) as tmp:
        store = _cg_disk(data, Path(tmp) / "store")
        shapes = load_shapes(REPO / "shapes")
        out["store_triples"] = len(store)
        quads = read_quads(batch)
        reports: list[Any] = []
        out["seconds"] = _timed(lambda: reports.append(validate_delta(store, shapes, quads, checked=(batch.name,))))
        introduced = [r for r in reports[0].results if r.origin is Origin.INTRODUCED]
        out.update(results=len(reports[0].results), introduced=len(introduced),
                   manifest=len(manifest["violations"]), batch_triples=len(quads))
        done: list[Any] = []  # the whole ingest (validation, then the commit) of a conforming batch
        out["ingest_s"] = _timed(lambda: done.append(ingest(store, shapes, clean, agent="benchmark")))
        out["ingested"] = done[0].batch.triples
        store.close()
    return out


def _digest(keys: Any) -> str:
    """A SHA-256 of the sorted result keys, in N-Triples: equal digests, identical results."""
    import hashlib

    from clustergraph.services.validation.report import nt
    lines = sorted("\t".join(str(nt(t)) for t in key) for key in keys)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# -- the runner ------------------------------------------------------------------------------------

def child(area: str, engine: str, data: Path, timeout: float) -> dict[str, Any]:
    """Run one step in a fresh process; adds its peak memory (MiB)."""
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--step", area, "--engine", engine,
                             "--data", str(data), "--skip-queries", ",".join(sorted(SKIPPED_QUERIES))], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    start = time.monotonic()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - start > timeout:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return {"error": f"timed out after {timeout:.0f} s"}
        time.sleep(0.05)
    assert proc.stdout is not None and proc.stderr is not None
    stdout, stderr = proc.stdout.read().decode(), proc.stderr.read().decode()
    if status != 0:
        return {"error": (stderr.strip().splitlines() or ["failed"])[-1]}
    figures: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    figures["peak_mib"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return figures


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"error": runs[0]["error"], "runs": runs}
    out: dict[str, Any] = {"seconds": statistics.median(r["seconds"] for r in good),
                           "peak_mib": statistics.median(r["peak_mib"] for r in good), "runs": runs}
    for key in ("load_s",):
        if key in good[0]:
            out[key] = statistics.median(r[key] for r in good)
    if "queries" in good[0]:
        out["queries"] = {q: statistics.median(r["queries"][q] for r in good) for q in good[0]["queries"]}
        out["errors"] = good[0].get("errors", {})
    for key in ("ingest_s", "disk_mib", "p50_ms", "p99_ms", "build_s", "index_build_s", "index_share_of_build",
                "index_mib"):
        if key in good[0]:
            out[key] = statistics.median(r[key] for r in good)
    for key in ("results", "triples", "bytes", "results_sha256", "introduced", "manifest", "store_triples",
                "batch_triples", "ingested", "texts", "hits", "hits_sha256"):
        if key in good[0]:
            out[key] = good[0][key]
    return out


def _search_lines(engines: dict[str, Any]) -> list[str]:
    """The search step's figures: latency percentiles, the index's build share and size, equal hits."""
    ours, raw = engines.get("clustergraph", {}), engines.get("pyoxigraph", {})
    if "p50_ms" not in ours:
        return []
    lines = ["", f"search: {ours['texts']:,} texts indexed in {ours['index_build_s']:.2f} s "
                 f"({100 * ours['index_share_of_build']:.1f} % of the {ours['build_s']:.2f} s build), "
                 f"index {ours['index_mib']:.1f} MiB on disk",
             "", "| 100 searches | p50 ms | p99 ms |", "| --- | ---: | ---: |",
             f"| text index | {ours['p50_ms']:.2f} | {ours['p99_ms']:.2f} |"]
    if "p50_ms" in raw:
        lines.append(f"| FILTER(CONTAINS(LCASE)) on raw pyoxigraph | {raw['p50_ms']:.2f} | {raw['p99_ms']:.2f} |")
        lines.append(f"| ratio | {raw['p50_ms'] / ours['p50_ms']:.0f}x | {raw['p99_ms'] / ours['p99_ms']:.0f}x |")
        differ = sorted(q for q in ours["hits_sha256"] if ours["hits_sha256"][q] != raw["hits_sha256"].get(q))
        lines.append("")
        lines.append(f"same hits on {len(ours['hits_sha256']) - len(differ)} of {len(ours['hits_sha256'])} "
                     f"distinct questions; different (stemming): {', '.join(differ) or 'none'}")
    return lines


def markdown(results: dict[str, Any]) -> str:
    lines = []
    for label, by_area in results["scales"].items():
        lines += [f"### {label} generated triples (+ the curated graph)", "",
                  "| step | engine | median s | × clustergraph | peak MiB |", "| --- | --- | ---: | ---: | ---: |"]
        for area, engines in by_area.items():
            if area == "triples":
                continue
            if area == "serve":
                import serve
                serve_lines = serve.markdown(engines)
                continue
            ours = engines.get("clustergraph", {}).get("seconds")
            for engine, fig in engines.items():
                if "error" in fig:
                    lines.append(f"| {area} | {engine} | {fig['error']} | | |")
                    continue
                ratio = f"{fig['seconds'] / ours:.1f}" if ours else ""
                extra = f" (+ {fig['load_s']:.2f} s load)" if "load_s" in fig else ""
                if fig.get("errors"):
                    # the ratio over the queries both answered, not against clustergraph's whole sum
                    mine = engines["clustergraph"].get("queries", {})
                    same = sum(mine[q] for q in fig.get("queries", {}) if q in mine)
                    ratio = f"{fig['seconds'] / same:.1f} on {len(fig.get('queries', {}))}" if same else ""
                    extra += f" ({len(fig['errors'])} queries failed, not counted)"
                lines.append(f"| {area} | {engine} | {fig['seconds']:.3f}{extra} | {ratio} | {fig['peak_mib']:.0f} |")
        lines += _search_lines(by_area.get("search", {}))
        query_figs = {e: f.get("queries", {}) for e, f in by_area.get("query", {}).items()}
        if query_figs.get("clustergraph"):
            engines = list(query_figs)
            lines += ["", "| query | " + " | ".join(f"{e} ms" for e in engines) + " |",
                      "| --- |" + " ---: |" * len(engines)]
            for name in query_figs["clustergraph"]:
                cells = [f"{query_figs[e][name] * 1000:.1f}" if name in query_figs[e] else "error" for e in engines]
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
        if "serve" in by_area:
            lines += ["", *serve_lines]
        lines.append("")
    return "\n".join(lines)


def _serve(data: Path) -> dict[str, Any]:
    import generate
    import serve
    big = data.parent / f"validate-{BIG_VALIDATE_TRIPLES}-start{3 * BATCH_START}.nt"
    if not big.exists():
        generate.write(big.with_suffix(""), BIG_VALIDATE_TRIPLES, 9, 3 * BATCH_START, inject=False)
    figures = serve.bench(data, _catalogue(), _cg_disk, big.read_bytes())
    print("\n".join(serve.markdown(figures)), file=sys.stderr)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="100k", help="comma-separated sizes: 100k,1M,5M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--steps", default=",".join(s for s in STEPS if s != "serve"),
                        help="which of build,query,validate,export,ingest,serve (serve only when named: it "
                             "starts servers and takes minutes)")
    parser.add_argument("--engines", default="", help="only these engines (default: all)")
    parser.add_argument("--skip-queries", default="",
                        help="catalogue queries to leave out, comma-separated (e.g. one whose answer grows as n²)")
    parser.add_argument("--baseline-repeat", type=int, default=0,
                        help="repeats of the slow baselines, rdflib and pyshacl (default: --repeat)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds one step may take")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    SKIPPED_QUERIES.update(q for q in args.skip_queries.split(",") if q)
    if args.step:
        print(json.dumps(step(args.step, args.engine, args.data)))
        return 0
    import generate
    results: dict[str, Any] = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "python": sys.version.split()[0], "cpus": os.cpu_count(), "repeat": args.repeat,
                               "baseline_repeat": args.baseline_repeat or args.repeat,
                               "skipped_queries": sorted(SKIPPED_QUERIES), "query_limit_s": QUERY_LIMIT,
                               "scales": {}}
    for label in args.scales.split(","):
        n = scale(label)
        data = args.data_dir / f"generated-{n}-seed{args.seed}-texts.nt"  # -texts: with claim statements (#22)
        if not data.exists():
            generate.write(data.with_suffix(""), n, args.seed)
        by_area: dict[str, Any] = {}
        for area in args.steps.split(","):
            if area == "serve":
                by_area[area] = _serve(data)
                continue
            by_area[area] = {}
            for engine in [e for e in STEPS[area] if not args.engines or e in args.engines.split(",")]:
                slow = engine in ("rdflib", "pyshacl") and args.baseline_repeat
                runs = [child(area, engine, data, args.timeout)
                        for _ in range(args.baseline_repeat if slow else args.repeat)]
                by_area[area][engine] = summarise(runs)
                print(f"{label} {area} {engine}: {by_area[area][engine].get('seconds', by_area[area][engine].get('error'))}",
                      file=sys.stderr)
        results["scales"][label] = by_area
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    (args.out / f"{stamp}.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    table = markdown(results)
    (args.out / f"{stamp}.md").write_text(table + "\n", encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
