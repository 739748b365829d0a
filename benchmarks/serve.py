"""The `serve` step of benchmarks/run.py: clustergraph serve against oxigraph serve over HTTP.

Both servers serve the same on-disk store (the curated graph and the generated file, one named
graph per file, built once by clustergraph's build), one after the other, on 127.0.0.1:

  mix       the catalogue queries (default parameters, same text on both) sent by 1, 8 and 32
            concurrent clients, a fixed number of requests at each level: req/s, p50, p99
  ask       `ASK {}` the same way
  slow      p50 and p99 of 200 `ASK {}` sent one after another while two queries run to the
            time limit (clustergraph: --timeout; oxigraph: --timeout-s)
  memory    clustergraph only: resident memory of the server and of its whole process tree when
            idle, and again 2 s after a validate request of about 40 MB (new triples, Turtle)

The client runs on the same 2 cores as the server, for both servers alike: the ratios compare
the servers under the same load, the absolute req/s are a floor.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "tests"))

from processes import free_port, stop, wait_until_up  # noqa: E402

CLIENTS = (1, 8, 32)
#: Concurrent copies of each catalogue query before timing: clustergraph's default workers on 2 cores.
WARM_UP = 4
ASK_REQUESTS = 2000
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIME_LIMIT_S = 10
MIX_LIMIT_S = 600
TOKEN = "benchmark-token"
JSON = "application/sparql-results+json"


def _post(client: httpx.Client, url: str, text: str, errors: list[str] | None = None) -> float:
    """Seconds to the whole answer; a failure is noted in `errors` (raised without).

    A failure is a status other than 200, or a 200 whose body is not a whole results document: a
    server that streams cannot change its status once the body has begun, and oxigraph serve ends
    the body early at its time limit (171 bytes of a 54 MB answer at 1M), still with 200.
    """
    started = time.perf_counter()
    answer = client.post(url, content=text.encode("utf-8"),
                         headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    elapsed = time.perf_counter() - started
    failure = ""
    if answer.status_code != 200:
        failure = f"{answer.status_code} {answer.text[:120]}"
    elif not _complete(answer.content):
        failure = f"200 with an incomplete body of {len(answer.content)} bytes"
    if failure:
        if errors is None:
            raise RuntimeError(f"{url}: {failure}")
        errors.append(failure)
    return elapsed


def _complete(body: bytes) -> bool:
    """Whether `body` is a whole SPARQL JSON results document (rows or a boolean)."""
    try:
        document = json.loads(body)
    except ValueError:
        return False
    return isinstance(document, dict) and ("boolean" in document or "bindings" in document.get("results", {}))


def _load(url: str, texts: list[str], clients: int) -> dict[str, float]:
    """Send `texts` (in order, shared out) from `clients` threads; req/s, p50 and p99 in ms."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    todo = iter(texts)

    def client() -> None:
        with httpx.Client(timeout=120) as http:
            while True:
                with lock:
                    text = next(todo, None)
                if text is None:
                    return
                latencies.append(_post(http, url, text, errors))

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    wall = time.perf_counter() - started
    latencies.sort()
    return {"requests": len(texts), "errors": len(errors), "first_error": errors[0] if errors else "",
            "req_s": len(texts) / wall, "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]}


def _slow(url: str) -> dict[str, float]:
    """ASK {} one after another while two queries run to the time limit."""
    outcomes: list[tuple[int | str, float]] = []

    def hold() -> None:
        started = time.perf_counter()
        try:
            answer = httpx.post(url, content=SLOW.encode(), timeout=120, headers={
                "Content-Type": "application/sparql-query", "Accept": JSON})
            outcomes.append((answer.status_code, round(time.perf_counter() - started, 1)))
        except httpx.HTTPError as exc:  # e.g. no answer within the client's 120 s
            outcomes.append((type(exc).__name__, round(time.perf_counter() - started, 1)))

    held = [threading.Thread(target=hold) for _ in range(2)]
    for thread in held:
        thread.start()
    time.sleep(0.5)
    latencies = []
    with httpx.Client(timeout=120) as http:
        for _ in range(200):
            latencies.append(_post(http, url, "ASK {}"))
    for thread in held:
        thread.join()
    latencies.sort()
    return {"p50_ms": 1000 * statistics.median(latencies), "p99_ms": 1000 * latencies[int(0.99 * len(latencies))],
            "held": outcomes, "asks_s": sum(latencies)}


def _rss_mib(pid: int, tree: bool) -> float:
    pids = [pid]
    if tree:
        out = subprocess.run(["ps", "-eo", "pid,ppid"], capture_output=True, text=True, check=True).stdout
        children: dict[int, list[int]] = {}
        for line in out.splitlines()[1:]:
            child, parent = map(int, line.split())
            children.setdefault(parent, []).append(child)
        todo = [pid]
        while todo:
            for child in children.get(todo.pop(), []):
                pids.append(child)
                todo.append(child)
    total = 0
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _server(kind: str, store: Path, log: Path, limit_s: int = TIME_LIMIT_S) -> tuple[subprocess.Popen[bytes], str, str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if kind == "clustergraph":
        exe = Path(sys.executable).parent / "clustergraph"
        cmd = [str(exe), "--root", str(REPO), "--store", str(store), "serve", "--port", str(port), "--base-url",
               base, "--timeout", str(limit_s), "--max-body", "64M", "--limit", "100000", "--queue", "64"]
        url = f"{base}/sparql"
    else:
        exe = Path(sys.executable).parent / "oxigraph"
        cmd = [str(exe), "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}", "--union-default-graph",
               "--timeout-s", str(limit_s)]
        url = f"{base}/query"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "CLUSTERGRAPH_TOKEN": TOKEN})
    wait_until_up(proc, url + "?query=ASK%7B%7D", kind, log.read_text, timeout_s=300)
    return proc, base, url


def _memory(base: str, proc: subprocess.Popen[bytes], body: bytes) -> dict[str, float]:
    out = {"idle_mib": _rss_mib(proc.pid, False), "idle_tree_mib": _rss_mib(proc.pid, True)}
    started = time.perf_counter()
    answer = httpx.post(f"{base}/api/validate", content=body, timeout=600, params={"name": "big.ttl"},
                        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"})
    out["validate_s"] = time.perf_counter() - started
    out["validate_status"] = answer.status_code
    time.sleep(2)
    out.update(after_mib=_rss_mib(proc.pid, False), after_tree_mib=_rss_mib(proc.pid, True),
               body_mib=len(body) / 2**20)
    return out


def bench(data: Path, catalogue: list[tuple[str, str]], build: Callable[[Path, Path], Any],
          big_body: bytes, rounds: int = 3) -> dict[str, Any]:
    """The figures of both servers over `data`; `build(data, where)` makes the on-disk store."""
    results: dict[str, Any] = {"clients": list(CLIENTS), "time_limit_s": TIME_LIMIT_S}
    mix = [text for _ in range(rounds) for _, text in catalogue]
    with tempfile.TemporaryDirectory(dir=data.parent) as tmp:
        store = Path(tmp) / "store"
        build(data, store).close()
        for kind in ("clustergraph", "oxigraph"):
            # throughput with a time limit no catalogue query reaches, even 32 at a time on 2 cores
            proc, base, url = _server(kind, store, Path(tmp) / f"{kind}.log", limit_s=MIX_LIMIT_S)
            try:
                figures: dict[str, Any] = {"mix": {}, "ask": {}}
                # Warm up the caches, untimed, both servers alike: each catalogue query 4 times at once, so
                # that each of clustergraph's 4 query workers (each with its own RocksDB block cache) runs it;
                # one pass from one client warmed one worker only (1M mix: 0.42x cold, see benchmarks/README).
                _load(url, [text for _, text in catalogue for _ in range(WARM_UP)], WARM_UP)
                for clients in CLIENTS:
                    figures["mix"][clients] = _load(url, mix, clients)
                    figures["ask"][clients] = _load(url, ["ASK {}"] * ASK_REQUESTS, clients)
            finally:
                stop(proc)
            proc, base, url = _server(kind, store, Path(tmp) / f"{kind}-slow.log")
            try:
                figures["slow"] = _slow(url)
            finally:
                stop(proc)
            results[kind] = figures
        # The memory of a large validate, on a server whose time limit lets it finish.
        proc, base, url = _server("clustergraph", store, Path(tmp) / "memory.log", limit_s=1800)
        try:
            results["clustergraph"]["memory"] = _memory(base, proc, big_body)
        finally:
            stop(proc)
        shutil.rmtree(store, ignore_errors=True)
    return results


def markdown(results: dict[str, Any]) -> list[str]:
    lines = ["| workload | clients | clustergraph req/s | p50 ms | p99 ms | oxigraph req/s | p50 ms | p99 ms | "
             "× oxigraph req/s |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    ours, theirs = results["clustergraph"], results["oxigraph"]
    for load in ("mix", "ask"):
        for clients in results["clients"]:
            a, b = ours[load][clients], theirs[load][clients]
            failed = f" ({a['errors']} failed)" if a["errors"] else ""
            failed += f" (oxigraph: {b['errors']} failed)" if b["errors"] else ""
            lines.append(f"| {load}{failed} | {clients} | {a['req_s']:.1f} | {a['p50_ms']:.1f} | {a['p99_ms']:.1f} | "
                         f"{b['req_s']:.1f} | {b['p50_ms']:.1f} | {b['p99_ms']:.1f} | {a['req_s'] / b['req_s']:.2f} |")
    a, b = ours["slow"], theirs["slow"]
    lines += ["", f"`ASK {{}}` while two queries run to the {results['time_limit_s']} s limit: clustergraph p50 "
              f"{a['p50_ms']:.1f} ms, p99 {a['p99_ms']:.1f} ms; oxigraph p50 {b['p50_ms']:.1f} ms, p99 {b['p99_ms']:.1f} ms "
              f"(the two held queries, status and seconds: clustergraph {a['held']}, oxigraph {b['held']})"]
    m = ours.get("memory")
    if m:
        lines.append(f"Memory: server {m['idle_mib']:.0f} MiB idle, {m['after_mib']:.0f} MiB 2 s after a "
                     f"{m['body_mib']:.0f} MiB validate ({m['validate_status']}, {m['validate_s']:.1f} s) = "
                     f"{m['after_mib'] / m['idle_mib']:.2f}x; with its worker processes {m['idle_tree_mib']:.0f} -> "
                     f"{m['after_tree_mib']:.0f} MiB ({m['after_tree_mib'] / m['idle_tree_mib']:.2f}x)")
    return lines
