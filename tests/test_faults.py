"""Real faults, through the CLI on real stores: a full disk during an ingest (a small tmpfs), a read-only store
folder, a damaged store file, a store locked by another process. Each gives one line and exit 2; the store
still opens and holds what it held."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from clustergraph.adapters.cli import main

STEWARD = Path(__file__).parent / "fixtures" / "steward"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def cg(project: Path, store: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(project), "--store", str(store), *args], catch_exceptions=False)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def count(project: Path, store: Path) -> str:
    result = cg(project, store, "query", "-e", COUNT, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(STEWARD / "data", root / "data")
    shutil.copytree(STEWARD / "shapes", root / "shapes")
    return root


def labels(path: Path, n: int, pad: int = 200) -> Path:
    path.write_text("".join(f'<https://w3id.org/clustergraph/id/thing/{i}> '
                            f'<http://www.w3.org/2000/01/rdf-schema#label> "thing {i} {"x" * pad}" .\n'
                            for i in range(n)))
    return path


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` (skips the test where mounting is not permitted)."""
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (the test runs as an ordinary user here)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount(folder: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(folder)], check=True)


def test_a_full_disk_during_an_ingest_is_one_line_and_loses_nothing(project: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "4m") as disk:
        store = disk / "store"
        assert cg(project, store, "build").exit_code == 0
        before = count(project, store)
        line = one_line_error(cg(project, store, "ingest", str(labels(tmp_path / "big.nt", 40_000)), "--by", "a"))
        assert "No space left on device" in line or "disk holding it is full" in line
        remount(disk, "size=64m")  # space freed
        assert count(project, store) == before
        again = cg(project, store, "ingest", str(labels(tmp_path / "small.nt", 100)), "--by", "a")
        assert again.exit_code == 0, again.stderr
        assert int(count(project, store)) > int(before) + 100


def test_a_read_only_store_folder_refuses_writes_in_one_line(project: Path, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "64m") as disk:
        store = disk / "store"
        assert cg(project, store, "build").exit_code == 0
        remount(disk, "ro")
        line = one_line_error(cg(project, store, "ingest", str(labels(tmp_path / "small.nt", 10)), "--by", "a"))
        assert line.startswith(f"error: {store}: ")
        assert "read-only" in line.lower()


def test_a_damaged_store_file_is_one_line(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert cg(project, store, "build").exit_code == 0
    for manifest in store.glob("MANIFEST-*"):
        manifest.write_bytes(b"\x00garbage" * 64)
    line = one_line_error(cg(project, store, "query", "-e", COUNT))
    assert line.startswith(f"error: {store}: the store is damaged and cannot be opened")


_HOLDER = """
import sys, time
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
print("open", flush=True)
time.sleep(120)
"""


def test_a_store_locked_by_another_process_is_one_line(project: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert cg(project, store, "build").exit_code == 0
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        line = one_line_error(cg(project, store, "ingest", str(labels(tmp_path / "small.nt", 10)), "--by", "a"))
        assert "locked by another process" in line
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout:
            holder.stdout.close()
    assert count(project, store) == "6"
