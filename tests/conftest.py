"""Shared fixtures: a project folder copied from fixtures/, settings over it, stores, a CLI runner,
and a real Oxigraph SPARQL server on 127.0.0.1 for the remote-store tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from clustergraph.adapters.cli import main
from clustergraph.core import EmbeddedStore
from clustergraph.core.config import Endpoint, Settings

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def fixtures() -> Path:
    """The read-only fixtures folder."""
    return FIXTURES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project folder (ontology/ data/ queries/) copied from fixtures/project."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "project", root)
    return root


@pytest.fixture
def settings(project: Path) -> Settings:
    """Settings over the scratch project with an on-disk store inside it."""
    return Settings(root=project, store_path=project / ".clustergraph" / "store")


@pytest.fixture
def store() -> Iterator[EmbeddedStore]:
    """A fresh in-memory store."""
    with EmbeddedStore() as s:
        yield s


class Cli:
    """Runs `clustergraph` in process against one project folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None) -> Result:
        return self.runner.invoke(main, ["--root", str(self.root), *args], input=input, catch_exceptions=False)


@pytest.fixture
def cli(project: Path) -> Cli:
    """The CLI over the scratch project (its default on-disk store)."""
    return Cli(project)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[Endpoint]:
    """A real `oxigraph serve` on a free port of 127.0.0.1 with its own store; stopped afterwards."""
    exe = shutil.which("oxigraph") or str(Path(__import__("sys").executable).parent / "oxigraph")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(tmp_path / "oxigraph"), "--bind", f"127.0.0.1:{port}",
         "--union-default-graph"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"oxigraph serve did not start: {proc.stderr.read() if proc.stderr else ''}")
                time.sleep(0.1)
        yield Endpoint(query_url=f"{base}/query", update_url=f"{base}/update", gsp_url=f"{base}/store",
                       timeout_s=10)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if proc.stderr:
            proc.stderr.close()


def ontology_project(root: Path, *cases: str) -> Path:
    """A project at `root` copied from fixtures/ontology/valid, plus case files of fixtures/ontology/cases.

    Each case reads FOLDER/FILE: `ontology_project(root, "data/contradiction.ttl")` adds
    cases/contradiction.ttl to the project's data/ folder.
    """
    shutil.copytree(FIXTURES / "ontology" / "valid", root)
    for case in cases:
        folder, _, name = case.partition("/")
        shutil.copy(FIXTURES / "ontology" / "cases" / name, root / folder / name)
    return root
