"""The benchmark data generator (benchmarks/generate.py) and a smoke run of the benchmark runner.

The generated data is validated by the project's own `validate`, in the context of the curated
graph (ontology/ and data/, as a build loads them): what it introduces must be exactly the
violations its manifest lists, no more and no fewer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import bench_module
from clustergraph.base.terms import file_graph
from clustergraph.core import EmbeddedStore
from clustergraph.services.validation import validate
from clustergraph.services.validation.report import Origin, nt

REPO = Path(__file__).parent.parent
BENCH = REPO / "benchmarks"


generate = bench_module("generate")


def curated_store() -> EmbeddedStore:
    """ontology/ and data/ in memory, one named graph per file, as `clustergraph build` loads them."""
    store = EmbeddedStore()
    files = sorted((REPO / "ontology").glob("*.ttl")) + sorted((REPO / "data").glob("*.ttl"))
    store.replace_graphs([(p, file_graph(p.parent.name, p.stem)) for p in files])
    return store


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    a_data, a_manifest = generate.write(tmp_path / "a" / "g", 2000, 7)
    b_data, b_manifest = generate.write(tmp_path / "b" / "g", 2000, 7)
    assert a_data.read_bytes() == b_data.read_bytes()
    assert a_manifest.read_bytes() == b_manifest.read_bytes()
    c_data, _ = generate.write(tmp_path / "c" / "g", 2000, 8)
    assert c_data.read_bytes() != a_data.read_bytes()


def test_generator_reaches_the_size_and_injects_each_kind(tmp_path: Path) -> None:
    data, manifest = generate.write(tmp_path / "g", 5000, 1)
    lines = data.read_text(encoding="utf-8").splitlines()
    body = json.loads(manifest.read_text(encoding="utf-8"))
    assert len(lines) == body["triples"] >= 5000
    assert len(lines) < 5000 + 200
    assert {v["kind"] for v in body["violations"]} == set(generate.Kind.ALL)
    assert len(body["violations"]) == 5


def test_validate_reports_exactly_the_injected_violations(tmp_path: Path) -> None:
    data, manifest = generate.write(tmp_path / "g", 2000, 3)
    want = {(v["focus_node"], v["path"], v["value"], v["source_shape"], v["constraint"], v["severity"])
            for v in json.loads(manifest.read_text(encoding="utf-8"))["violations"]}
    with curated_store() as store:
        report = validate(store, REPO / "shapes", [data])
    got = {(nt(r.focus_node), nt(r.path), nt(r.value), nt(r.source_shape), nt(r.constraint), nt(r.severity))
           for r in report.results if r.origin is Origin.INTRODUCED}
    assert got == want
    assert len(want) == 4


def test_runner_smoke_writes_json_and_table(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--scales", "1000", "--repeat", "1",
         "--steps", "build,query,validate,export,ingest,search",  # serve (real servers) has tests of its own
         "--engines", "clustergraph,pyoxigraph", "--out", str(out), "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stderr
    [json_file] = out.glob("*.json")
    [md_file] = out.glob("*.md")
    body = json.loads(json_file.read_text(encoding="utf-8"))
    figures = body["scales"]["1000"]
    assert set(figures) == {"build", "query", "validate", "export", "ingest", "search"}
    assert set(figures["build"]) == {"clustergraph", "pyoxigraph"}
    assert set(figures["validate"]) == {"clustergraph"}
    for area in figures.values():
        for fig in area.values():
            assert "error" not in fig, fig
            assert fig["seconds"] > 0 and fig["peak_mib"] > 0 and len(fig["runs"]) == 1
    manifest = json.loads((tmp_path / "data" / "generated-1000-seed1-texts.manifest.json").read_text(encoding="utf-8"))
    assert figures["build"]["clustergraph"]["triples"] > manifest["triples"]
    assert figures["validate"]["clustergraph"]["results"] >= len(manifest["violations"])
    ingest = figures["ingest"]["clustergraph"]  # delta validation finds exactly the batch's injected violations
    assert ingest["introduced"] == ingest["manifest"] > 0 and ingest["ingested"] >= 1000
    assert figures["build"]["clustergraph"]["disk_mib"] > 0
    search = figures["search"]["clustergraph"]  # the text index and its searches (#22)
    assert search["texts"] > 0 and search["index_mib"] > 0 and search["p50_ms"] > 0
    assert set(search["hits"]) == set(figures["search"]["pyoxigraph"]["hits"])
    queries = figures["query"]["clustergraph"]["queries"]
    assert queries and set(queries) == set(figures["query"]["pyoxigraph"]["queries"])
    table = md_file.read_text(encoding="utf-8")
    assert "| build | clustergraph |" in table and "| validate | clustergraph |" in table
